/**
 * Faults injected into the real DynamoDB client (DynamoDB Local underneath) on every write path:
 * each write call of each use case fails, throttles or times out, before its request reaches the
 * table or after the table committed it. Afterwards the change and its trail are wholly before or
 * wholly after, never half; every committed write's events are delivered, once; transient errors
 * are retried by the SDK and succeed. The counts of the matrix are printed at the end.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxEvents } from '../../functions/adapters/dynamodb/outbox.js';
import { documentClient } from '../../functions/adapters/dynamodb/client.js';
import type { Mailer, WorkflowEngine } from '../../functions/ports.js';
import { completeContent } from '../fixtures.js';
import { type Api, routed, startApi } from './harness.js';

type When = 'before' | 'after';
type Kind = 'throttle' | 'timeout' | 'unavailable';

/** An error as the SDK would surface it from the service or the network. */
function fault(kind: Kind): Error {
  const meta = { $metadata: { httpStatusCode: kind === 'throttle' ? 400 : undefined, attempts: 1 } };
  if (kind === 'throttle')
    return Object.assign(new Error('injected: rate of requests exceeds the allowed throughput'), { name: 'ThrottlingException', $fault: 'client', ...meta });
  if (kind === 'timeout') return Object.assign(new Error('injected: socket timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT', ...meta });
  // the service answers 503 to every attempt: the SDK retries, then gives up and the use case sees it
  return Object.assign(new Error('injected: service unavailable'), { name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
}

/**
 * SDK middleware at the deserialize step, inside the SDK's retry loop: each attempt passes here.
 * Armed for one command, it fails its next `times` attempts, before sending them or after the
 * table answered (the write committed, the answer lost).
 */
class Faults {
  private plan: { command: string; when: When; kind: Kind; times: number } | undefined;
  /** Attempts failed so far. */
  injected = 0;

  attach(db: DynamoDBDocumentClient): void {
    db.middlewareStack.add(
      (next, context) => async (args) => {
        const plan = this.plan;
        if (!plan || plan.times <= 0 || context.commandName !== plan.command) return next(args);
        plan.times--;
        this.injected++;
        if (plan.when === 'before') throw fault(plan.kind);
        await next(args);
        throw fault(plan.kind);
      },
      { step: 'deserialize', name: 'injectedFaults' },
    );
  }

  arm(command: string, when: When, kind: Kind, times = 1): void {
    this.plan = { command, when, kind, times };
  }

  disarm(): void {
    this.plan = undefined;
  }
}

/** A mailer whose sends fail, by their number from now on (1 = the next one), before anything goes out. */
class FlakyMailer implements Mailer {
  private failing = new Set<number>();
  private sends = 0;
  failed = 0;
  constructor(private readonly inner: Mailer) {}
  failAt(...ordinals: number[]): void {
    this.sends = 0;
    this.failing = new Set(ordinals);
  }
  async send(message: Parameters<Mailer['send']>[0]): Promise<void> {
    if (this.failing.has(++this.sends)) {
      this.failed++;
      throw new Error('injected: SMTP connection refused');
    }
    await this.inner.send(message);
  }
}

const faults = new Faults();
let mailer: FlakyMailer | undefined;
let api: Api;
let reader: DynamoDBDocumentClient;
const tally: Record<string, number> = {};
const count = (key: string) => (tally[key] = (tally[key] ?? 0) + 1);

// the service's clock: before the fixtures' planned window (Tuesday 2027-03-16 15:00Z), moved by the job test
let now = new Date('2027-03-01T14:00:00Z');

beforeAll(async () => {
  api = await startApi(
    {},
    {
      clock: { now: () => now },
      instrument: {
        db: (db) => faults.attach(db),
        mailer: (inner) => (mailer = new FlakyMailer(inner)),
      },
    },
  );
  reader = documentClient({ endpoint: api.system.dynamoDb.endpoint });
});

afterAll(async () => {
  console.log(`fault matrix: ${JSON.stringify(tally)}; attempts failed by injection: ${faults.injected}; sends failed: ${mailer?.failed ?? 0}`);
  reader?.destroy();
  await api?.stop();
});

const get = async (id: string) => (await api.call('GET', `/changes/${id}`)).body;

/** The invariants of a change at rest: a whole trail, its version its last entry, its events in the outbox and delivered once. */
async function whole(id: string) {
  await api.system.events.idle();
  const cr = await get(id);
  const seqs = cr.audit.map((a: { seq: number }) => a.seq);
  expect(seqs, id).toEqual(seqs.map((_: number, i: number) => i + 1));
  // a write records one or more entries (an emergency filed with its incident: created and started)
  expect(cr.version, id).toBeLessThanOrEqual(seqs.length);
  const outbox = await outboxEvents(reader, api.system.config.TABLE_NAME, { changeId: id });
  // one event per audit entry, with the entry's number
  expect(outbox.map((e) => e.id)).toEqual(seqs.map((s: number) => `${id}#${s}`));
  const published = api.system.events.published.filter((e) => e.changeId === id).map((e) => e.id);
  expect(published.sort(), `${id}: every committed event published, once`).toEqual(outbox.map((e) => e.id).sort());
  return cr;
}

interface UseCase {
  name: string;
  /** Brings a fresh change to the state the action starts from. */
  prepare(): Promise<string>;
  act(id: string): Promise<{ status: number; filed?: string[] }>;
  /** The state the change is in after the action took effect. */
  after: string;
  /** The DynamoDB command whose call commits the action. */
  command: string;
}

const draft = async () => {
  const res = await api.call('POST', '/changes', { body: completeContent('normal') });
  expect(res.status).toBe(201);
  return res.body.id as string;
};
const pending = async () => {
  const id = await draft();
  await api.submit(id);
  await api.system.events.idle();
  return id;
};

const USE_CASES: UseCase[] = [
  {
    name: 'file a change (POST /changes)',
    prepare: async () => '',
    act: async () => {
      const before = new Set((await api.call('GET', '/changes?limit=100')).body.items.map((c: { id: string }) => c.id));
      const res = await api.call('POST', '/changes', { body: completeContent('normal') });
      // the id of what was filed, also when the answer was an error
      const filed = (await api.call('GET', '/changes?limit=100')).body.items.map((c: { id: string }) => c.id).filter((i: string) => !before.has(i));
      return { status: res.status, id: res.body?.id, filed };
    },
    after: 'draft',
    command: 'TransactWriteItemsCommand',
  },
  {
    name: 'edit a draft (PATCH)',
    prepare: draft,
    act: (id) => api.call('PATCH', `/changes/${id}`, { body: { title: 'Upgrade the payments API to Node 24' } }),
    after: 'draft',
    command: 'TransactWriteItemsCommand',
  },
  { name: 'submit', prepare: draft, act: (id) => api.call('POST', `/changes/${id}/submit`), after: 'submitted', command: 'TransactWriteItemsCommand' },
  {
    name: 'approve',
    prepare: pending,
    act: (id) => api.call('POST', `/changes/${id}/approve`, { as: 'tom', body: { revision: 1, comment: 'ok' } }),
    after: 'approved',
    command: 'TransactWriteItemsCommand',
  },
  {
    name: 'reject',
    prepare: pending,
    act: (id) => api.call('POST', `/changes/${id}/reject`, { as: 'tom', body: { revision: 1, comment: 'not now' } }),
    after: 'rejected',
    command: 'TransactWriteItemsCommand',
  },
  {
    name: 'cancel',
    prepare: pending,
    act: (id) => api.call('POST', `/changes/${id}/cancel`, { body: { comment: 'plans changed' } }),
    after: 'cancelled',
    command: 'TransactWriteItemsCommand',
  },
];

/** What each fault must end in: the SDK retries the transient ones (the transaction's token makes a retry after a commit a no-op). */
const MODES: { when: When; kind: Kind; times: number; answers: 'done' | 'unavailable'; state: 'before' | 'after' }[] = [
  // one attempt fails: the SDK's retry succeeds
  { when: 'before', kind: 'throttle', times: 1, answers: 'done', state: 'after' },
  { when: 'before', kind: 'timeout', times: 1, answers: 'done', state: 'after' },
  { when: 'after', kind: 'timeout', times: 1, answers: 'done', state: 'after' },
  { when: 'after', kind: 'throttle', times: 1, answers: 'done', state: 'after' },
  // every attempt fails: 503; not written when no attempt reached the table, written once when they all did
  { when: 'before', kind: 'unavailable', times: 1000, answers: 'unavailable', state: 'before' },
  { when: 'after', kind: 'unavailable', times: 1000, answers: 'unavailable', state: 'after' },
];

describe('Rule: a write hit by a fault is wholly done or wholly not, and its events go out once', () => {
  for (const useCase of USE_CASES) {
    for (const mode of MODES) {
      it(`${useCase.name}: ${mode.kind} ${mode.when} the commit → ${mode.state === 'after' ? 'done' : 'not done'}`, async () => {
        const id = await useCase.prepare();
        const before = id ? await whole(id) : undefined;
        faults.arm(useCase.command, mode.when, mode.kind, mode.times);
        let res: { status: number; id?: string; filed?: string[] };
        try {
          res = await useCase.act(id);
        } finally {
          faults.disarm();
        }
        count(`${mode.kind}-${mode.when}:${res.status}`);
        if (mode.answers === 'done') expect(res.status, JSON.stringify(res)).toBeLessThan(300);
        // a service that stays down answers 503 (retry later), never a 500
        else expect(res.status).toBe(503);

        if (!id) {
          // filing: a refused create leaves no change at all; a committed one is whole, and is one
          expect(res.filed).toHaveLength(mode.state === 'after' ? 1 : 0);
          if (res.filed?.[0]) expect((await whole(res.filed[0])).state).toBe('draft');
          return;
        }
        // the flow's own writes may have met the same outage: its task states retry them (seconds
        // apart), and it gets there; the change is at rest once it has
        if (useCase.after === 'submitted' && mode.state === 'after') await api.waitFor(id, routed, 'routed', 60_000);
        const after = await whole(id);
        if (mode.state === 'before') {
          expect(after.version).toBe(before!.version);
          expect(after.state).toBe(before!.state);
        } else {
          expect(after.version).toBeGreaterThan(before!.version);
          // the flows move on from the action's own state; what matters is that it took effect once
          const actions = after.audit.slice(before!.audit.length).map((a: { action: string }) => a.action);
          expect(new Set(actions).size, `${id}: no entry written twice (${actions.join(', ')})`).toBe(actions.length);
          if (useCase.after !== 'submitted') expect(after.state).toBe(useCase.after);
          else expect(routed(after)).toBe(true);
        }
      });
    }
  }

  it('the change number: a counter update whose answer was lost is retried, and the change is filed (the lost number is skipped)', async () => {
    faults.arm('UpdateItemCommand', 'after', 'timeout');
    const res = await api.call('POST', '/changes', { body: completeContent('normal') });
    faults.disarm();
    expect(res.status).toBe(201);
    expect((await whole(res.body.id)).state).toBe('draft');
  });

  it('a scheduled job whose write fails reports the item, leaves it untouched, and does it on its next run, once', async () => {
    const id = await pending();
    expect((await api.call('POST', `/changes/${id}/approve`, { as: 'tom', body: { revision: 1 } })).status).toBe(200);
    const approved = await whole(id);
    // the T-24h notice of the window (2027-03-16 15:00Z) is due
    now = new Date('2027-03-15T15:00:00Z');
    faults.arm('TransactWriteItemsCommand', 'before', 'unavailable', 1000);
    const first = await api.system.jobs.TimelineNotifications!().then(
      () => 'ok',
      (err: Error) => err.name,
    );
    faults.disarm();
    expect(first).toBe('JobItemsFailedError');
    expect((await whole(id)).version).toBe(approved.version);
    await api.system.jobs.TimelineNotifications!();
    await api.system.jobs.TimelineNotifications!();
    const done = await whole(id);
    const notices = done.audit.filter((a: { action: string }) => a.action === 'notice');
    expect(notices.map((n: { reason: string }) => n.reason.split(' ')[0])).toEqual(['T-24h']);
    count(`job-first-run:${first}`);
  });

  it('the notifications: a send that fails is retried; the emails that went out before it are not sent again', async () => {
    // an emergency's start tells several people in one event (the notice, each post-approver)
    mailer!.failAt(2);
    const res = await api.call('POST', '/changes', { body: completeContent('emergency'), as: 'oscar' });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await api.system.events.idle();
    const mails = (await api.system.mail.messages()).filter((m) => m.subject.includes(id));
    const sent = mails.map((m) => `${m.to.join(',')} ${m.subject}`);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    // each email once: the first went out before the failure and was not sent again by the retry
    expect(sent.sort()).toEqual([...new Set(sent)].sort());
    expect(api.system.events.deadLetters).toEqual([]);
    await whole(id);
  });
});

/** Step Functions refusing StartExecution (throttled) while `refusing` is on. */
class ThrottledStarts {
  refusing = false;
  refused = 0;
  wrap(engine: WorkflowEngine): WorkflowEngine {
    const self = this;
    return new Proxy(engine, {
      get(target, prop, receiver) {
        if (prop !== 'start') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<WorkflowEngine['start']>) => {
          if (self.refusing) {
            self.refused++;
            throw Object.assign(new Error('injected: Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
          }
          return target.start(...args);
        };
      },
    });
  }
}

describe('Rule: a committed change whose flow should run always gets its flow, even when StartExecution is throttled', () => {
  const starts = new ThrottledStarts();
  let clockNow = new Date('2027-03-01T14:00:00Z');
  let sys: Api;

  beforeAll(async () => {
    // few, quick retries, so that a delivery that keeps failing is dead-lettered within the test
    sys = await startApi(
      {},
      { clock: { now: () => clockNow }, instrument: { workflows: (e) => starts.wrap(e) }, eventRetries: { attempts: 3, retryBaseMs: 20 } },
    );
  });
  afterAll(async () => {
    console.log(`StartExecution refused ${starts.refused} time(s)`);
    await sys?.stop();
  });

  it('throttled for a moment: the driver fails, the bus retries it, and the flow starts', async () => {
    const id = (await sys.call('POST', '/changes', { body: completeContent('normal') })).body.id;
    starts.refusing = true;
    const refusedBefore = starts.refused;
    expect((await sys.call('POST', `/changes/${id}/submit`)).status).toBe(200);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (starts.refused > refusedBefore) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    starts.refusing = false;
    expect(routed(await sys.waitFor(id, routed, 'routed'))).toBe(true);
  });

  it('throttled until the event is dead-lettered: the reconciler starts the flow on its next run', async () => {
    const id = (await sys.call('POST', '/changes', { body: completeContent('normal') })).body.id;
    starts.refusing = true;
    expect((await sys.call('POST', `/changes/${id}/submit`)).status).toBe(200);
    await sys.system.events.idle();
    expect(sys.system.events.deadLetters.some((l) => l.event.changeId === id && l.consumer === 'WorkflowDriver')).toBe(true);
    starts.refusing = false;
    expect((await sys.call('GET', `/changes/${id}`)).body.state).toBe('submitted');
    // too recent for the reconciler: a start may still be on its way
    expect(await sys.system.jobs.WorkflowReconcile!()).toMatchObject({ started: [] });
    clockNow = new Date(clockNow.getTime() + 6 * 60_000);
    const run = (await sys.system.jobs.WorkflowReconcile!()) as { started: string[] };
    expect(run.started).toEqual([`${id} approval`]);
    expect(routed(await sys.waitFor(id, routed, 'routed'))).toBe(true);
    // and a second run starts nothing more
    expect(await sys.system.jobs.WorkflowReconcile!()).toMatchObject({ started: [] });
  });
});
