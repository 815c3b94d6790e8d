/**
 * The keys a function reads, each from its two settings (a value locally, a secret in AWS). A
 * function composed with one of them fails at cold start when neither setting is there.
 */
import { secretKey, secretText } from '../adapters/aws/secrets.js';
import { type Config, ConfigError, requireSettings } from '../config.js';
import { GitHubAppDeployments } from '../adapters/github/deployment-reviews.js';

export const linkKey = (config: Config) =>
  secretKey('approval link key', config.APPROVAL_LINK_KEY, config.APPROVAL_LINK_SECRET_ID, 'APPROVAL_LINK_KEY or APPROVAL_LINK_SECRET_ID');

export const cursorKey = (config: Config) => secretKey('list cursor key', config.CURSOR_KEY, config.CURSOR_SECRET_ID, 'CURSOR_KEY or CURSOR_SECRET_ID');

/** The feed's key, or none: without either setting the feed is off (404), not broken. */
export const feedKey = (config: Config) =>
  config.CALENDAR_FEED_KEY === undefined && config.CALENDAR_FEED_SECRET_ID === undefined
    ? undefined
    : secretText('calendar feed key', config.CALENDAR_FEED_KEY, config.CALENDAR_FEED_SECRET_ID, 'CALENDAR_FEED_KEY or CALENDAR_FEED_SECRET_ID');

const WEBHOOK_SETTINGS = {
  github: 'GITHUB_WEBHOOK_SECRETS',
  gitlab: 'GITLAB_WEBHOOK_TOKENS',
  pagerduty: 'PAGERDUTY_WEBHOOK_SECRETS',
  ci: 'CI_WEBHOOK_SECRETS',
  slack: 'SLACK_SIGNING_SECRETS',
} as const;

/**
 * Each source's webhook secrets: the settings locally, else the JSON secret WEBHOOK_SECRETS_SECRET_ID
 * in AWS (`{"github": "s1,s2", "gitlab": "…", "pagerduty": "…", "ci": "whsec_…"}`, read on first
 * use and cached five minutes, so a rotation takes effect within five minutes).
 */
export function webhookSecrets(config: Config): (source: keyof typeof WEBHOOK_SETTINGS) => Promise<string[]> {
  const given = Object.values(WEBHOOK_SETTINGS).some((s) => config[s] !== undefined);
  if (!given && config.WEBHOOK_SECRETS_SECRET_ID === undefined) {
    throw new ConfigError(
      'none of GITHUB_WEBHOOK_SECRETS, GITLAB_WEBHOOK_TOKENS, PAGERDUTY_WEBHOOK_SECRETS, CI_WEBHOOK_SECRETS, SLACK_SIGNING_SECRETS or WEBHOOK_SECRETS_SECRET_ID is set, and the webhooks need their secrets',
    );
  }
  return async (source) => {
    const local = config[WEBHOOK_SETTINGS[source]];
    if (local) return local;
    if (config.WEBHOOK_SECRETS_SECRET_ID === undefined) return [];
    const text = await secretText('webhook secrets', undefined, config.WEBHOOK_SECRETS_SECRET_ID, 'WEBHOOK_SECRETS_SECRET_ID')();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ConfigError('the webhook secrets secret must be JSON: {"github": "…", "gitlab": "…", "pagerduty": "…", "ci": "whsec_…"}');
    }
    const value = parsed[source];
    return typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length >= 16)
      : [];
  };
}

/**
 * Where events go out: Slack's incoming webhooks and PagerDuty's integration key are credentials,
 * so in AWS they are the JSON secret OUTBOUND_SECRETS_SECRET_ID (`{"slack": {"engineering": "…"},
 * "pagerDutyRoutingKey": "…"}`, cached five minutes); locally SLACK_WEBHOOKS and PAGERDUTY_ROUTING_KEY.
 * With neither, nothing goes to Slack or PagerDuty (the subscribers still get their events).
 */
export interface OutboundCredentials {
  slack: Record<string, string>;
  pagerDutyRoutingKey?: string | undefined;
  /** The Jira/Linear mirror's credentials. */
  jira?: { email: string; apiToken: string } | undefined;
  linearApiKey?: string | undefined;
}

export function outboundTargets(config: Config): () => Promise<OutboundCredentials> {
  const local: OutboundCredentials = {
    slack: (config.SLACK_WEBHOOKS ?? {}) as Record<string, string>,
    pagerDutyRoutingKey: config.PAGERDUTY_ROUTING_KEY,
    jira: config.JIRA_EMAIL && config.JIRA_API_TOKEN ? { email: config.JIRA_EMAIL, apiToken: config.JIRA_API_TOKEN } : undefined,
    linearApiKey: config.LINEAR_API_KEY,
  };
  if (config.OUTBOUND_SECRETS_SECRET_ID === undefined) return async () => local;
  const read = secretText('outbound secrets', undefined, config.OUTBOUND_SECRETS_SECRET_ID, 'OUTBOUND_SECRETS_SECRET_ID');
  return async () => {
    let parsed: { slack?: unknown; pagerDutyRoutingKey?: unknown; jira?: { email?: unknown; apiToken?: unknown }; linearApiKey?: unknown };
    try {
      parsed = JSON.parse(await read()) as typeof parsed;
    } catch {
      throw new ConfigError('the outbound secrets secret must be JSON: {"slack": {"engineering": "https://hooks.slack.com/…"}, "pagerDutyRoutingKey": "…"}');
    }
    const slack = parsed.slack && typeof parsed.slack === 'object' ? (parsed.slack as Record<string, string>) : {};
    return {
      slack: { ...local.slack, ...Object.fromEntries(Object.entries(slack).filter(([, v]) => typeof v === 'string' && v.startsWith('https://'))) },
      pagerDutyRoutingKey:
        typeof parsed.pagerDutyRoutingKey === 'string' && parsed.pagerDutyRoutingKey ? parsed.pagerDutyRoutingKey : local.pagerDutyRoutingKey,
      jira:
        typeof parsed.jira?.email === 'string' && typeof parsed.jira.apiToken === 'string'
          ? { email: parsed.jira.email, apiToken: parsed.jira.apiToken }
          : local.jira,
      linearApiKey: typeof parsed.linearApiKey === 'string' && parsed.linearApiKey ? parsed.linearApiKey : local.linearApiKey,
    };
  };
}

/**
 * The GitHub App that answers deployment protection rules, or none: the settings locally
 * (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY), the JSON secret GITHUB_APP_SECRET_ID in AWS. Half of the
 * local pair is a mistake, said at cold start.
 */
export function githubApp(config: Config): GitHubAppDeployments | undefined {
  if (config.GITHUB_APP_ID !== undefined || config.GITHUB_APP_PRIVATE_KEY !== undefined) {
    const { GITHUB_APP_ID: appId, GITHUB_APP_PRIVATE_KEY: privateKey } = requireSettings(
      config,
      ['GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY'],
      'the GitHub App needs both its id and its private key',
    );
    return new GitHubAppDeployments(async () => ({ appId, privateKey }), config.GITHUB_API_URL);
  }
  if (config.GITHUB_APP_SECRET_ID === undefined) return undefined;
  const read = secretText('GitHub App credentials', undefined, config.GITHUB_APP_SECRET_ID, 'GITHUB_APP_SECRET_ID');
  return new GitHubAppDeployments(async () => {
    const parsed = JSON.parse(await read()) as { appId?: unknown; privateKey?: unknown };
    if (typeof parsed.appId !== 'string' && typeof parsed.appId !== 'number') throw new ConfigError('the GitHub App secret lacks appId');
    if (typeof parsed.privateKey !== 'string' || !parsed.privateKey.includes('PRIVATE KEY'))
      throw new ConfigError('the GitHub App secret lacks privateKey (PEM)');
    return { appId: String(parsed.appId), privateKey: parsed.privateKey };
  }, config.GITHUB_API_URL);
}
