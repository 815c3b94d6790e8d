import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../functions/adapters/aws/ses-mailer.js';
import type { EmailMessage } from '../../functions/ports.js';

const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

const message: EmailMessage = {
  to: ['erin@example.com'],
  subject: '[ChangeFlow] Approval needed: CR-2026-12-01-007 Ünïcödé ✓',
  text: 'Approve: https://api.example.com/a\nReject: https://api.example.com/r',
  html: '<p><a href="https://api.example.com/a">Approve</a> <a href="https://api.example.com/r">Reject</a></p>',
};

const client = () => new SESv2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

describe('Rule: in AWS, email goes out through SES v2 SendEmail with simple UTF-8 content', () => {
  it('sends exactly this SendEmail input: configurable sender, To, subject, text and HTML bodies, configuration set', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'msg-1' });
    const mailer = new SesMailer({ from: 'ChangeFlow <changeflow@example.com>', configurationSetName: 'changeflow-events', client: client() });
    // Act
    await mailer.send(message);
    // Assess
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toStrictEqual({
      FromEmailAddress: 'ChangeFlow <changeflow@example.com>',
      Destination: { ToAddresses: ['erin@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: {
            Text: { Data: message.text, Charset: 'UTF-8' },
            Html: { Data: message.html, Charset: 'UTF-8' },
          },
        },
      },
      ConfigurationSetName: 'changeflow-events',
    });
  });

  it('leaves ConfigurationSetName out when none is configured', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'msg-2' });
    const mailer = new SesMailer({ from: 'changeflow@example.com', client: client() });
    // Act
    await mailer.send({ ...message, to: ['a@example.com', 'b@example.com'] });
    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input).not.toHaveProperty('ConfigurationSetName');
    expect(input.FromEmailAddress).toBe('changeflow@example.com');
    expect(input.Destination).toStrictEqual({ ToAddresses: ['a@example.com', 'b@example.com'] });
  });

  it('an SES error reaches the caller (the event target retries, then dead-letters)', async () => {
    // Prepare
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    const mailer = new SesMailer({ from: 'changeflow@example.com', client: client() });
    // Act + Assess
    await expect(mailer.send(message)).rejects.toThrow('not verified');
  });

  it('refuses no recipients and more than SES takes (50), without calling SES', async () => {
    // Prepare
    const mailer = new SesMailer({ from: 'changeflow@example.com', client: client() });
    const many = Array.from({ length: 51 }, (_, i) => `p${i}@example.com`);
    // Act + Assess
    await expect(mailer.send({ ...message, to: [] })).rejects.toThrow(RangeError);
    await expect(mailer.send({ ...message, to: many })).rejects.toThrow(/at most 50/);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('needs a sender', () => {
    expect(() => new SesMailer({ from: ' ' })).toThrow(/From/);
  });
});
