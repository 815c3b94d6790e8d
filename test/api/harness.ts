/**
 * The local system on the shared DynamoDB Local, with a table of its own, reached over real HTTP
 * with real tokens: the same path a user's curl takes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { signToken } from '../../local/dev-auth.js';
import { startLocalSystem, type LocalSystem } from '../../local/runtime.js';
import { people } from '../fixtures.js';

export type Who = keyof typeof people;

export interface Api {
  system: LocalSystem;
  call(method: string, path: string, options?: { as?: Who | null; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{
    status: number;
    headers: Headers;
    body: any;
    text: string;
  }>;
  stop(): Promise<void>;
}

let tables = 0;

export async function startApi(env: Record<string, string> = {}): Promise<Api> {
  const system = await startLocalSystem({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'changeflow-test-')),
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    env: { TABLE_NAME: `t${process.pid}-${Date.now()}-${tables++}`, ...env },
  });
  const tokens = new Map<string, string>();
  const token = async (who: Who) => {
    if (!tokens.has(who)) tokens.set(who, await signToken(people[who], system.jwtKey));
    return tokens.get(who)!;
  };
  return {
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
    stop: () => system.stop(),
  };
}
