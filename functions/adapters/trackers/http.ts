/** A tracker's HTTP call: JSON both ways, a timeout, and its answer sorted into done, retry later, or refused for good. */
import { TrackerError } from '../../ports.js';

const TIMEOUT_MS = 10_000;

export async function trackerCall<T>(name: string, url: string, init: { method: string; headers: Record<string, string>; body?: unknown }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new TrackerError(`${name} did not answer: ${(err as Error).message}`, true);
  }
  const text = await res.text();
  if (res.status === 408 || res.status === 429 || res.status >= 500) throw new TrackerError(`${name} answered ${res.status}: ${text.slice(0, 200)}`, true);
  if (res.status >= 400) throw new TrackerError(`${name} refused it (${res.status}): ${text.slice(0, 300)}`, false);
  return (text ? JSON.parse(text) : {}) as T;
}
