/**
 * Webhook intake for `npm run bench`: the whole local runtime over real HTTP on loopback, a bounded
 * load of signed CI deliveries (autocannon: a fixed number of requests over a fixed number of
 * connections, each delivery with its own webhook-id and a fresh Standard Webhooks signature),
 * the answers' latency (p50, p99) and statuses (no 5xx is the bar); then the DynamoDB round trips
 * of one delivery, counted on the client every handler and consumer uses: the intake (verify, keep,
 * answer), a redelivery, and the work of a `deployed` on an approved change.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { signToken } from '../local/dev-auth.js';
import { completeContent, people } from '../test/fixtures.js';

const TABLE = 'changeflow-bench-webhooks';
const SECRET = `whsec_${Buffer.from('bench ci secret, thirty-two byte').toString('base64')}`;

export interface WebhookResult {
  requests: number;
  connections: number;
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
  statuses: Record<string, number>;
  errors: number;
  /** DynamoDB calls by command: one new delivery's intake, a redelivery's, and a deployed's work. */
  intake: Record<string, number>;
  redelivery: Record<string, number>;
  work: Record<string, number>;
}

function counter(db: DynamoDBDocumentClient) {
  let calls: Record<string, number> | undefined;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      if (calls) calls[String(context.commandName)] = (calls[String(context.commandName)] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchWebhookCounter' },
  );
  return {
    start: () => {
      calls = {};
    },
    stop: () => {
      const out = calls ?? {};
      calls = undefined;
      return out;
    },
  };
}

export async function measureWebhooks(options: { requests: number; connections: number }): Promise<WebhookResult> {
  const { startLocalSystem } = await import('../local/runtime.js');
  // A DynamoDB Local of its own: on the one the other sections filled, its stream handed this
  // section's records over a few seconds apart (seen on this machine), which measures that, not the intake.
  const { startDynamoDbLocal } = await import('../local/dynamodb-local.js');
  const ddb = await startDynamoDbLocal({});
  const dataDir = mkdtempSync(join(tmpdir(), 'changeflow-bench-webhooks-'));
  let count: ReturnType<typeof counter> | undefined;
  // the real time during the load; moved afterwards, to put a change's T-1h notice and its window in reach
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  const system = await startLocalSystem({
    clock: { now },
    port: 0,
    dataDir,
    dynamoDbEndpoint: ddb.endpoint,
    scheduler: false,
    mail: { smtpPort: 0, webPort: 0 },
    env: { TABLE_NAME: TABLE, CI_WEBHOOK_SECRETS: SECRET },
    instrument: {
      db: (db) => {
        count = counter(db);
      },
    },
  });
  try {
    const wh = new Webhook(SECRET);
    let n = 0;
    const signed = (id: string, body: string) => ({
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now().getTime() / 1000)),
      'webhook-signature': wh.sign(id, now(), body),
    });
    // A staging deployment naming no change: kept, processed, no change to move (the intake is what is measured).
    const body = JSON.stringify({ event: 'deployed', environment: 'staging', commit: 'bench' });
    const result = await autocannon({
      url: `${system.url}/webhooks/ci`,
      connections: options.connections,
      amount: options.requests,
      method: 'POST',
      requests: [
        {
          setupRequest: (req) => {
            const id = `msg_bench_${++n}`;
            return { ...req, method: 'POST', body, headers: signed(id, body) };
          },
        },
      ],
    });
    await system.events.idle();

    const statuses: Record<string, number> = {};
    for (const [k, v] of Object.entries(result.statusCodeStats ?? {})) statuses[k] = (v as { count: number }).count;

    // the round trips of one delivery
    const send = async (id: string, payload: string) => {
      const res = await fetch(`${system.url}/webhooks/ci`, { method: 'POST', headers: signed(id, payload), body: payload });
      await res.text();
      return res.status;
    };
    const token = await signToken(people.alice, system.jwtKey);
    const as = (who: keyof typeof people) => signToken(people[who], system.jwtKey);
    const api = async (method: string, path: string, bearer: string, json?: unknown) => {
      const res = await fetch(`${system.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      return (await res.json()) as { id: string; requiredApprovals?: { slots: { slot: string }[] } };
    };
    // an approved standard change (auto-approved: low risk from the catalogue), its checklist done,
    // its T-1h notice sent (which ticks "stakeholders notified"), then the clock inside its window
    const content = completeContent('standard', { likelihood: 'low', impact: 'low' });
    const windowStart = Date.now() + 2 * 3_600_000;
    content.plannedWindow = { start: new Date(windowStart).toISOString(), end: new Date(windowStart + 3_600_000).toISOString() };
    const cr = await api('POST', '/changes', token, content);
    await api('POST', `/changes/${cr.id}/submit`, token);
    await system.events.idle();
    await api('POST', `/changes/${cr.id}/checklist`, await as('oscar'), {
      tick: ['tests-passing', 'staging-deployed', 'rollback-tested', 'dashboards-open', 'on-call-briefed', 'templates-ready'],
    });
    offset = windowStart - 55 * 60_000 - Date.now();
    await system.jobs.TimelineNotifications!();
    await system.events.idle();
    offset = windowStart + 5 * 60_000 - Date.now();

    const deployed = JSON.stringify({ changeRequest: cr.id, event: 'deployed', commit: 'bench' });
    // the intake alone: the answer comes before the work (the bus is idle before and after)
    count!.start();
    const first = await send('msg_bench_one', JSON.stringify({ event: 'deployed', environment: 'staging' }));
    const intake = count!.stop();
    await system.events.idle();
    count!.start();
    await send('msg_bench_one', JSON.stringify({ event: 'deployed', environment: 'staging' }));
    const redelivery = count!.stop();
    await system.events.idle();
    // the intake and the work of a deployed on an approved change: the relay, the processor, its
    // two transitions (start, deployed), and what their events set off (the monitoring flow's start)
    count!.start();
    await send('msg_bench_deployed', deployed);
    await system.events.idle();
    const work = count!.stop();
    if (first !== 202) throw new Error(`the bench delivery answered ${first}`);
    const after = (await (await fetch(`${system.url}/changes/${cr.id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { state: string };
    if (after.state !== 'monitoring') {
      const admin = await as('ada');
      const kept = (await (await fetch(`${system.url}/webhooks/deliveries?limit=1`, { headers: { authorization: `Bearer ${admin}` } })).json()) as {
        items: { outcome?: string }[];
      };
      throw new Error(`the bench change is ${after.state} after its deployed delivery, not monitoring: ${kept.items[0]?.outcome}`);
    }

    return {
      requests: result.requests.total,
      connections: options.connections,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      perSecond: result.requests.average,
      statuses,
      errors: result.errors + result.timeouts,
      intake,
      redelivery,
      work,
    };
  } finally {
    await system.stop();
    await ddb.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const listCalls = (calls: Record<string, number>) =>
  `${Object.values(calls).reduce((a, b) => a + b, 0)} (${Object.entries(calls)
    .map(([k, v]) => `${k.replace(/Command$/, '')} ${v}`)
    .join(', ')})`;

export function formatWebhooks(r: WebhookResult): string[] {
  const fivexx = Object.entries(r.statuses)
    .filter(([k]) => k.startsWith('5'))
    .reduce((a, [, v]) => a + v, 0);
  return [
    '## Webhook intake (local runtime, loopback)',
    '',
    `${r.requests} signed CI deliveries over ${r.connections} connections (autocannon, bounded by count), each with its own webhook-id: p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, ${Math.round(r.perSecond)} a second.`,
    `Statuses: ${Object.entries(r.statuses)
      .map(([k, v]) => `${k} × ${v}`)
      .join(', ')}; 5xx: ${fivexx}; connection errors and timeouts: ${r.errors}.`,
    '',
    'DynamoDB round trips of one delivery (the client every handler and consumer uses):',
    '',
    `- intake of a new delivery (verify, keep with its event, answer 202): ${listCalls(r.intake)}`,
    `- a redelivery (the first answer again): ${listCalls(r.redelivery)}`,
    `- a \`deployed\` of an approved change, from the request to the bus at rest (the intake; the relay's reads; the processor's start then deployed, each a read and a conditional write, and the outcome; what their events set off: the monitoring flow's start, the emails, the outbound senders' claims): ${listCalls(r.work)}`,
  ];
}
