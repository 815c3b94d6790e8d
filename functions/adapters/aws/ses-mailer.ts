/**
 * Mailer over Amazon SES v2 (SendEmail, simple content). The sender is configurable and must be a
 * verified SES identity; the function's role needs `ses:SendEmail` on that identity (and on the
 * configuration set, when one is given).
 */
import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { Config } from '../../config.js';
import type { EmailMessage, Mailer } from '../../ports.js';

/** SES accepts at most 50 recipients per message. */
export const SES_MAX_RECIPIENTS = 50;

export interface SesMailerOptions {
  /** The From address, e.g. `ChangeFlow <changeflow@example.com>`; a verified SES identity. */
  from: string;
  /** An SES configuration set for event publishing (bounces, complaints, deliveries). */
  configurationSetName?: string | undefined;
  /** Reuse a client (one per process); a default client from the environment otherwise. */
  client?: SESv2Client | undefined;
}

let defaultClient: SESv2Client | undefined;

export class SesMailer implements Mailer {
  private readonly client: SESv2Client;

  static fromConfig(config: Config): SesMailer {
    return new SesMailer({ from: config.MAIL_FROM, configurationSetName: config.SES_CONFIGURATION_SET });
  }

  constructor(private readonly options: SesMailerOptions) {
    if (!options.from.trim()) throw new TypeError('SesMailer needs a From address');
    defaultClient ??= options.client ? undefined : new SESv2Client({});
    this.client = options.client ?? defaultClient!;
  }

  /** The exact SendEmail input for a message (exposed for tests and logs). */
  commandInput(message: EmailMessage): SendEmailCommandInput {
    if (message.to.length === 0) throw new RangeError('an email needs at least one recipient');
    if (message.to.length > SES_MAX_RECIPIENTS) throw new RangeError(`SES accepts at most ${SES_MAX_RECIPIENTS} recipients per message`);
    return {
      FromEmailAddress: this.options.from,
      Destination: { ToAddresses: [...message.to] },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: {
            Text: { Data: message.text, Charset: 'UTF-8' },
            Html: { Data: message.html, Charset: 'UTF-8' },
          },
        },
      },
      ...(this.options.configurationSetName ? { ConfigurationSetName: this.options.configurationSetName } : {}),
    };
  }

  async send(message: EmailMessage): Promise<void> {
    await this.client.send(new SendEmailCommand(this.commandInput(message)));
  }
}
