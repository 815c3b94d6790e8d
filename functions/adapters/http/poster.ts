/** HttpPoster with the platform's fetch: a deadline per request, redirects not followed, the answer cut to 1 KB. */
import type { HttpPoster } from '../../ports.js';

/** Slack, PagerDuty and subscribers answer in well under this; a hung endpoint must not hold the consumer. */
export const POST_TIMEOUT_MS = 5_000;

export class FetchPoster implements HttpPoster {
  constructor(private readonly timeoutMs = POST_TIMEOUT_MS) {}

  async post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'ChangeFlow-Webhooks/1', ...headers },
      // a subscriber's redirect could point anywhere: it is an answer (3xx), not followed
      redirect: 'manual',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text().catch(() => '');
    return { status: res.status, body: text.slice(0, 1024) };
  }
}
