/** The Slack app of the functions that call Slack (a module of its own: the others do not load Slack's client). */
import { secretText } from '../adapters/aws/secrets.js';
import { WebApiSlackApp } from '../adapters/slack/slack-app.js';
import { type Config, ConfigError } from '../config.js';

/**
 * The Slack app (approval messages, decisions from Slack), or none: SLACK_BOT_TOKEN locally, the
 * JSON secret SLACK_APP_SECRET_ID (`{"botToken": "xoxb-…"}`) in AWS.
 */
export function slackApp(config: Config): WebApiSlackApp | undefined {
  if (config.SLACK_BOT_TOKEN !== undefined) {
    const token = config.SLACK_BOT_TOKEN;
    return new WebApiSlackApp(async () => token, config.SLACK_API_URL);
  }
  if (config.SLACK_APP_SECRET_ID === undefined) return undefined;
  const read = secretText('Slack app credentials', undefined, config.SLACK_APP_SECRET_ID, 'SLACK_APP_SECRET_ID');
  return new WebApiSlackApp(async () => {
    let parsed: { botToken?: unknown };
    try {
      parsed = JSON.parse(await read()) as typeof parsed;
    } catch {
      throw new ConfigError('the Slack app secret must be JSON: {"botToken": "xoxb-…"}');
    }
    if (typeof parsed.botToken !== 'string' || !parsed.botToken.startsWith('xox')) throw new ConfigError('the Slack app secret needs "botToken": "xoxb-…"');
    return parsed.botToken;
  }, config.SLACK_API_URL);
}
