/**
 * The Slack app's Web API calls, with Slack's own client (@slack/web-api). Few retries, short
 * timeouts: a dialog must open within 3 s of the click, and the consumers that post and update
 * messages are retried by their queue, so the client does not wait out Slack's rate limits itself.
 */
import { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../core/outbound.js';
import type { SlackApp } from '../../ports.js';

export class WebApiSlackApp implements SlackApp {
  private client: Promise<WebClient> | undefined;

  constructor(
    private readonly token: () => Promise<string>,
    /** Slack's Web API (`https://slack.com/api/`; tests point it at a local server). */
    private readonly apiUrl = 'https://slack.com/api/',
  ) {}

  private web(): Promise<WebClient> {
    this.client ??= this.token().then(
      (token) =>
        new WebClient(token, {
          slackApiUrl: this.apiUrl.endsWith('/') ? this.apiUrl : `${this.apiUrl}/`,
          timeout: 2500,
          retryConfig: { retries: 1, minTimeout: 100, maxTimeout: 500 },
          rejectRateLimitedCalls: true,
        }),
    );
    return this.client;
  }

  async userByEmail(email: string) {
    try {
      const out = await (await this.web()).users.lookupByEmail({ email });
      return out.user?.id ? { id: out.user.id } : null;
    } catch (err) {
      if ((err as { data?: { error?: string } }).data?.error === 'users_not_found') return null;
      throw err;
    }
  }

  async userInfo(userId: string) {
    try {
      const out = await (await this.web()).users.info({ user: userId });
      const user = out.user;
      if (!user) return null;
      return {
        email: user.profile?.email,
        emailConfirmed: user.is_email_confirmed === true,
        deleted: user.deleted === true,
        name: user.real_name ?? user.name,
      };
    } catch (err) {
      if ((err as { data?: { error?: string } }).data?.error === 'user_not_found') return null;
      throw err;
    }
  }

  async postMessage(channel: string, message: SlackMessage) {
    const out = await (await this.web()).chat.postMessage({ channel, text: message.text, blocks: message.blocks as never, unfurl_links: false });
    return { channel: out.channel ?? channel, ts: out.ts ?? '' };
  }

  async updateMessage(channel: string, ts: string, message: SlackMessage) {
    await (await this.web()).chat.update({ channel, ts, text: message.text, blocks: message.blocks as never });
  }

  async postEphemeral(channel: string, user: string, text: string) {
    await (await this.web()).chat.postEphemeral({ channel, user, text });
  }

  async openView(triggerId: string, view: Record<string, unknown>) {
    await (await this.web()).views.open({ trigger_id: triggerId, view: view as never });
  }
}
