/**
 * The local system on the shared DynamoDB Local, with a table of its own, reached over real HTTP
 * with real tokens: the same path a user's curl takes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { signToken } from '../../local/dev-auth.js';
import { startLocalSystem, type LocalSystem, type LocalSystemOptions } from '../../local/runtime.js';
import type { Clock } from '../../functions/ports.js';
import { people } from '../fixtures.js';

export type Who = keyof typeof people;

export interface Api {
  system: LocalSystem;
  call(
    method: string,
    path: string,
    options?: { as?: Who | null; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    headers: Headers;
    body: any;
    text: string;
  }>;
  /** Polls the change until `ready` holds (the workflows run after the request answered). */
  waitFor(id: string, ready: (cr: any) => boolean, what?: string, timeoutMs?: number): Promise<any>;
  /** Submits as `as` and waits until the approval workflow has routed it and asked for every approval. */
  submit(id: string, as?: Who): Promise<any>;
  stop(): Promise<void>;
}

/** Routed and, if it waits for approvals, every one of them requested. */
export const routed = (cr: any) =>
  cr.state === 'approved' ||
  (cr.state === 'pending_approval' && (cr.approvalRequests ?? []).every((r: { requested: boolean }) => r.requested)) ||
  ['rejected', 'cancelled'].includes(cr.state);

let tables = 0;

export async function startApi(
  env: Record<string, string> = {},
  options: { clock?: Clock; workflowWaitScale?: number } & Pick<LocalSystemOptions, 'instrument' | 'eventRetries'> = {},
): Promise<Api> {
  const system = await startLocalSystem({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'changeflow-test-')),
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    env: { TABLE_NAME: `t${process.pid}-${Date.now()}-${tables++}`, ...env },
    mail: { smtpPort: 0, webPort: 0 },
    scheduler: false,
    clock: options.clock,
    workflowWaitScale: options.workflowWaitScale,
    instrument: options.instrument,
    eventRetries: options.eventRetries,
  });
  const tokens = new Map<string, string>();
  const token = async (who: Who) => {
    if (!tokens.has(who)) tokens.set(who, await signToken(people[who], system.jwtKey));
    return tokens.get(who)!;
  };
  const api: Api = {
    system,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      const who = options.as === undefined ? 'alice' : options.as;
      if (who) headers.authorization = `Bearer ${await token(who)}`;
      let body: string | undefined = options.raw;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${system.url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (Markdown)
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async waitFor(id, ready, what = 'the expected state', timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const cr = (await api.call('GET', `/changes/${id}`)).body;
        if (ready(cr)) return cr;
        if (Date.now() > deadline)
          throw new Error(`${id} did not reach ${what}: ${JSON.stringify({ state: cr.state, approvalRequests: cr.approvalRequests })}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async submit(id, as = 'alice') {
      const res = await api.call('POST', `/changes/${id}/submit`, { as });
      if (res.status !== 200) throw new Error(`submit of ${id} answered ${res.status}: ${res.text}`);
      return api.waitFor(id, routed, 'routed');
    },
    stop: () => system.stop(),
  };
  return api;
}
