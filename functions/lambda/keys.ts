/**
 * The keys a function reads, each from its two settings (a value locally, a secret in AWS). A
 * function composed with one of them fails at cold start when neither setting is there.
 */
import { secretKey, secretText } from '../adapters/aws/secrets.js';
import { type Config, ConfigError } from '../config.js';

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
      'none of GITHUB_WEBHOOK_SECRETS, GITLAB_WEBHOOK_TOKENS, PAGERDUTY_WEBHOOK_SECRETS, CI_WEBHOOK_SECRETS or WEBHOOK_SECRETS_SECRET_ID is set, and the webhooks need their secrets',
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
