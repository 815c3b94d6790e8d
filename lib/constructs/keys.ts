/** The keys ChangeFlow generates: the iCalendar feed's, the one that signs approval links and the one that seals list cursors. */
import { Stack } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { KeyName } from '../../functions/routes.js';
import type { ChangeflowFunction } from './function.js';
import { acknowledge } from './nag.js';

export class ChangeflowKeys extends Construct {
  /** The key that unlocks the iCalendar feed (`<ApiUrl>/calendar.ics?key=<value>`). */
  readonly calendarFeedKey: Secret;
  /** The key that signs and verifies approval links (HMAC), base64. */
  readonly approvalLinkKey: Secret;
  /** The key that seals the cursors of GET /changes (HMAC), base64. */
  readonly cursorKey: Secret;
  /** The webhook secrets per source, JSON, set by the team (docs/webhooks.md): `{"github": "…", "gitlab": "…", "pagerduty": "…", "ci": "whsec_…"}`. */
  readonly webhookSecrets: Secret;
  private slackApp: Secret | undefined;
  /** Where events go out, JSON, set by the team: `{"slack": {"engineering": "https://hooks.slack.com/…"}, "pagerDutyRoutingKey": "…"}`. */
  readonly outboundSecrets: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Children of the stack, not of this construct: the secrets keep the logical IDs they had before
    // the constructs (test/infra/logical-ids.test.ts); new ones would come with new values.
    this.calendarFeedKey = new Secret(Stack.of(this), 'CalendarFeedKey', {
      description: 'ChangeFlow: the key of the iCalendar feed URL (<ApiUrl>/calendar.ics?key=<this value>)',
      // letters and digits only, so the key goes into a URL unescaped
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    acknowledge(
      this.calendarFeedKey,
      'SMG4',
      'Rotating the feed key would break every subscribed calendar URL at once, so it is rotated by hand when it leaks (docs/runbooks/calendar-feed-key.md).',
    );

    this.approvalLinkKey = new Secret(Stack.of(this), 'ApprovalLinkKey', {
      description: 'ChangeFlow: the HMAC key of the email approval links (base64; 64 letters and digits decode to 48 bytes)',
      // The functions decode the value as base64 (functions/lambda/keys.ts) and need at least 32
      // bytes. Letters and digits are all base64 characters: 64 of them decode to 48 random bytes.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    acknowledge(
      this.approvalLinkKey,
      'SMG4',
      'Rotating the link key voids every approval link already in a mailbox, so it is rotated by hand when it leaks and the next reminders carry new links (docs/runbooks/approval-link-key.md).',
    );

    this.cursorKey = new Secret(Stack.of(this), 'CursorKey', {
      description: 'ChangeFlow: the HMAC key that seals the cursors of GET /changes (base64; 64 letters and digits decode to 48 bytes)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    acknowledge(
      this.cursorKey,
      'SMG4',
      'A cursor lives as long as a person pages through a list; rotating the key only makes the cursors in flight answer 400 (start the list again), so it is rotated by hand when it leaks.',
    );

    // Empty until the team sets each provider's secret (docs/webhooks.md): a source without one has
    // every delivery refused, never trusted.
    this.webhookSecrets = new Secret(Stack.of(this), 'WebhookSecrets', {
      description:
        'ChangeFlow: the webhook secrets per source, JSON {"github","gitlab","pagerduty","ci"}, each comma-separated for rotation (docs/webhooks.md)',
      secretObjectValue: {},
    });
    acknowledge(
      this.webhookSecrets,
      'SMG4',
      "The secrets are the providers' (GitHub, GitLab, PagerDuty, the pipelines'), set on both sides by a person; a rotation lists the new secret beside the old one until every sender uses it (docs/runbooks/webhook-secrets.md).",
    );

    // Empty until the team adds Slack's incoming webhooks and PagerDuty's integration key: until then
    // nothing goes to Slack or PagerDuty (subscribers still get their events).
    this.outboundSecrets = new Secret(Stack.of(this), 'OutboundSecrets', {
      description:
        'ChangeFlow: where events go out, JSON {"slack": {"<channel>": "<incoming webhook URL>"}, "pagerDutyRoutingKey": "<Events API v2 key>"} (docs/webhooks.md)',
      secretObjectValue: {},
    });
    acknowledge(
      this.outboundSecrets,
      'SMG4',
      'The values are issued by Slack and PagerDuty, which rotate them on their side; a person puts the new value here (docs/webhooks.md, Out).',
    );
  }

  /** The outbound consumer posts to Slack and PagerDuty with them (OUTBOUND_SECRETS_SECRET_ID). */
  grantReadOutboundSecrets(fn: ChangeflowFunction): void {
    this.outboundSecrets.grantRead(fn.role);
    fn.addEnvironment('OUTBOUND_SECRETS_SECRET_ID', this.outboundSecrets.secretArn);
  }

  /**
   * With integrations.githubApp: the App's id and private key, JSON, set by the team, read by the
   * webhook processor (GITHUB_APP_SECRET_ID). Created only when asked for.
   */
  grantReadGitHubApp(fn: ChangeflowFunction): Secret {
    const secret = new Secret(Stack.of(this), 'GitHubAppCredentials', {
      description:
        'ChangeFlow: the GitHub App that answers deployment protection rules, JSON {"appId": "…", "privateKey": "-----BEGIN RSA PRIVATE KEY-----…"} (docs/webhooks.md)',
      secretObjectValue: {},
    });
    acknowledge(
      secret,
      'SMG4',
      "The private key is GitHub's: a new one is generated in the App's settings and put here, then the old one is deleted on GitHub (docs/webhooks.md).",
    );
    secret.grantRead(fn.role);
    fn.addEnvironment('GITHUB_APP_SECRET_ID', secret.secretArn);
    return secret;
  }

  /**
   * With integrations.slackApp: the Slack app's bot token, JSON, set by the team, read by the
   * functions that call Slack's Web API (SLACK_APP_SECRET_ID). Created only when asked for.
   */
  slackAppSecret(): Secret {
    this.slackApp ??= (() => {
      const secret = new Secret(Stack.of(this), 'SlackAppCredentials', {
        description: 'ChangeFlow: the Slack app that asks approvers and takes their decisions, JSON {"botToken": "xoxb-…"} (docs/webhooks.md)',
        secretObjectValue: {},
      });
      acknowledge(secret, 'SMG4', "The bot token is Slack's: it is rotated in the app's settings (OAuth & Permissions) and put here (docs/webhooks.md).");
      return secret;
    })();
    return this.slackApp;
  }

  grantReadSlackApp(fn: ChangeflowFunction): void {
    const secret = this.slackAppSecret();
    secret.grantRead(fn.role);
    fn.addEnvironment('SLACK_APP_SECRET_ID', secret.secretArn);
  }

  /** The webhooks function verifies deliveries with them (WEBHOOK_SECRETS_SECRET_ID). */
  grantReadWebhookSecrets(fn: ChangeflowFunction): void {
    this.webhookSecrets.grantRead(fn.role);
    fn.addEnvironment('WEBHOOK_SECRETS_SECRET_ID', this.webhookSecrets.secretArn);
  }

  /** The function of GET /changes seals and opens its cursors with it (CURSOR_SECRET_ID). */
  grantReadCursorKey(fn: ChangeflowFunction): void {
    this.cursorKey.grantRead(fn.role);
    fn.addEnvironment('CURSOR_SECRET_ID', this.cursorKey.secretArn);
  }

  /** The key a route group declares (functions/routes.ts `keys`). */
  grantRead(fn: ChangeflowFunction, key: KeyName): void {
    if (key === 'calendar-feed') this.grantReadFeedKey(fn);
    else if (key === 'approval-link') this.grantReadLinkKey(fn);
    else if (key === 'webhook-secrets') this.grantReadWebhookSecrets(fn);
    else this.grantReadCursorKey(fn);
  }

  /** The function serving the feed reads its key (CALENDAR_FEED_SECRET_ID) and compares it with the URL's. */
  grantReadFeedKey(fn: ChangeflowFunction): void {
    this.calendarFeedKey.grantRead(fn.role);
    fn.addEnvironment('CALENDAR_FEED_SECRET_ID', this.calendarFeedKey.secretArn);
  }

  /** Signing links (Notifications) or verifying them (ApprovalLinks): the key is APPROVAL_LINK_SECRET_ID. */
  grantReadLinkKey(fn: ChangeflowFunction): void {
    this.approvalLinkKey.grantRead(fn.role);
    fn.addEnvironment('APPROVAL_LINK_SECRET_ID', this.approvalLinkKey.secretArn);
  }
}
