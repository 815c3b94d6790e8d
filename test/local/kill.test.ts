/**
 * `npm start` killed with SIGKILL (no shutdown, no flush) at the worst moments, then started again
 * on the same data folder: what was acknowledged is there, whole; what was promised happens, once.
 * Each test runs the real `bin/local.ts` as a child process, with its own DynamoDB Local on disk.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeContent } from '../../functions/core/change-request.js';
import { devKey, signToken } from '../../local/dev-auth.js';
import { freePort } from '../../local/dynamodb-local.js';
import type { CaughtEmail } from '../../local/mail.js';
import { completeContent, people } from '../fixtures.js';

const ROOT = join(import.meta.dirname, '../..');
type Who = keyof typeof people;

/**
 * A free port below Linux's ephemeral range (32768–60999). The process keeps its ports across a kill
 * and a restart (the emails' links name them), and a port the kernel handed out (listen on 0) may be
 * handed again, to any other test's outgoing connection, while the process is down.
 */
async function stablePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((ok) => {
      const server = createServer();
      server.once('error', () => ok(false));
      server.listen(port, '127.0.0.1', () => server.close(() => ok(true)));
    });
    if (free) return port;
  }
  return freePort();
}

/** One `npm start` on a data folder, started, killed and started again on the same ports. */
class LocalProcess {
  private child: ChildProcess | undefined;
  private output = '';
  /** Everything every start printed, for a failure's message. */
  private history = '';
  url = '';
  dynamoDb = '';
  readonly ports: Promise<{ api: number; smtp: number; web: number }>;

  constructor(
    readonly dataDir: string,
    private readonly env: Record<string, string> = {},
  ) {
    this.ports = (async () => ({ api: await stablePort(), smtp: await stablePort(), web: await stablePort() }))();
  }

  async start(): Promise<void> {
    const ports = await this.ports;
    this.output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(ports.api),
        MAIL_SMTP_PORT: String(ports.smtp),
        MAIL_WEB_PORT: String(ports.web),
        CHANGEFLOW_DATA_DIR: this.dataDir,
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.history += `\n--- start ---\n`;
    const keep = (d: Buffer) => {
      this.output += d.toString();
      this.history += d.toString();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + 90_000;
    while (!/ChangeFlow is running/.test(this.output)) {
      if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`npm start did not come up within 90 s:\n${this.output}`);
      await sleep(50);
    }
    this.url = /API\s+(http:\/\/\S+)/.exec(this.output)![1]!;
    this.dynamoDb = /DynamoDB Local\s+(http:\/\/\S+)/.exec(this.output)![1]!;
  }

  /** SIGKILL: nothing of the process runs after this (DynamoDB Local's JVM dies with it, by its watchdog). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    // the JVM's port is free again once the watchdog ended it
    await until(async () => !(await answers(this.dynamoDb)), 'DynamoDB Local to end with its parent');
  }

  /** Ctrl-C: the local system stops cleanly (everything committed is delivered first). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  /** What the last start printed. */
  get log() {
    return this.output;
  }

  /** What every start printed, API requests left out. */
  get fullLog() {
    return this.history
      .split('\n')
      .filter((l) => !/ → [23]\d\d \(/.test(l))
      .join('\n');
  }

  async call(method: string, path: string, options: { as?: Who; body?: unknown } = {}) {
    const token = await signToken(people[options.as ?? 'alice'], devKey(this.dataDir));
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async change(id: string) {
    const res = await this.call('GET', `/changes/${id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  async mails(): Promise<CaughtEmail[]> {
    const { web } = await this.ports;
    return (await fetch(`http://127.0.0.1:${web}/api/email`)).json() as Promise<CaughtEmail[]>;
  }

  /** The local engine's record of an execution (kept in the table, so a restart resumes it). */
  async execution(workflow: string, name: string): Promise<{ status: string; state?: string } | undefined> {
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: this.dynamoDb, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
    try {
      const out = await db.send(
        new GetCommand({ TableName: 'changeflow', Key: { pk: 'LOCAL#EXECUTION', sk: `local:${workflow}:${name}` }, ConsistentRead: true }),
      );
      return out.Item?.execution;
    } finally {
      db.destroy();
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** Polls until `ready` holds: tests wait for the state they assert, never for a time. */
async function until<T>(ready: () => Promise<T | undefined | false>, what: string | (() => string), ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await ready();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(100);
  }
}

const systems: LocalProcess[] = [];
function localProcess(env: Record<string, string> = {}): LocalProcess {
  const system = new LocalProcess(mkdtempSync(join(tmpdir(), 'cf-kill-')), env);
  systems.push(system);
  return system;
}

afterEach(async () => {
  for (const system of systems.splice(0)) {
    await system.kill().catch(() => undefined);
    rmSync(system.dataDir, { recursive: true, force: true });
  }
});

const about = (id: string) => (m: CaughtEmail) => m.subject.includes(id) || m.text.includes(id);
const approveLinkOf = (mail: CaughtEmail) =>
  [...mail.html.matchAll(/href="([^"]+\/approvals\/decide\?token=[^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'))[0];

/** What a person does with an emailed link: open it, press the button. */
async function press(link: string): Promise<{ status: number; html: string }> {
  const page = await fetch(link);
  const html = await page.text();
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!token || !action) return { status: page.status, html };
  const res = await fetch(new URL(action.replaceAll('&amp;', '&'), link), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  return { status: res.status, html: await res.text() };
}

describe('Rule: a killed local system forgets nothing it acknowledged, and does what it promised once', () => {
  it('a change pending approval survives a SIGKILL: after the restart the emailed link still decides, and the flow completes', async () => {
    const system = localProcess();
    await system.start();
    const filed = await system.call('POST', '/changes', { body: completeContent('normal') });
    expect(filed.status).toBe(201);
    const id: string = filed.body.id;
    expect((await system.call('POST', `/changes/${id}/submit`)).status).toBe(200);
    // the flow asked the tech lead: the email with the link is out
    const mail = await until(
      async () => (await system.mails()).find((m) => about(id)(m) && m.to.includes('tom@example.com') && approveLinkOf(m)),
      'the approval email',
    );
    const { workflow } = await system.change(id);
    expect(workflow.name).toBe('approval');

    await system.kill();
    await system.start();
    expect(system.log).toMatch(/resumed 1 workflow execution/);

    const decided = await press(approveLinkOf(mail)!);
    expect(decided.status, decided.html).toBe(200);
    expect(decided.html).toContain(`${id} approved`);
    expect((await system.change(id)).state).toBe('approved');
    // the resumed execution got the decision (the driver completed its new task) and ended Approved
    const run = await until(async () => {
      const e = await system.execution('approval', workflow.executionName);
      return e?.status === 'SUCCEEDED' ? e : undefined;
    }, 'the approval execution to succeed');
    expect(run.state).toBe('Approved');
    // one approval request, one email for it: the restart asked nobody twice
    const requests = (await system.change(id)).audit.filter((a: { action: string }) => a.action === 'request-approval');
    expect(requests).toHaveLength(1);
    await system.stop();
  }, 240_000);

  it('an emergency waiting on its reminder survives two SIGKILLs, and the reminder is recorded once and emailed to each approver once', async () => {
    const system = localProcess();
    await system.start();
    // the fix went in 11 h 59 m 30 s ago: the 12-hour post-approval reminder is due in 30 s
    const implementedAt = new Date(Date.now() - 12 * 3_600_000 + 30_000).toISOString();
    const content: ChangeContent = completeContent('emergency');
    content.incident = { ...content.incident!, implementedAt };
    const filed = await system.call('POST', '/changes', { body: content, as: 'oscar' });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const id: string = filed.body.id;
    const executionName: string = filed.body.workflow.executionName;
    // the emergency flow runs (its start came from the relayed event) and waits for the reminder
    await until(async () => (await system.execution('emergency', executionName))?.state === 'WaitForReminder', 'the flow to wait for its reminder');

    // first kill: before the reminder
    await system.kill();
    await system.start();
    const reminders = async () => (await system.change(id)).audit.filter((a: { action: string }) => a.action === 'remind');
    await until(async () => (await reminders()).length > 0, 'the reminder after the restart', 90_000);

    // second kill: right after the reminder was recorded, its email maybe not yet sent
    await system.kill();
    await system.start();
    // the resumed flow passes the reminder again (a no-op) and waits for the 24-hour deadline
    await until(async () => (await system.execution('emergency', executionName))?.state === 'WaitUntilDue', 'the resumed flow to pass the reminder');
    const reminderMails = async () => (await system.mails()).filter((m) => about(id)(m) && /remind/i.test(m.subject));
    // an email a killed process had claimed but not sent goes out once its claim lapses (10 s locally)
    await until(
      async () => (await reminderMails()).length > 0,
      () => `the reminder email; the system said:\n${system.fullLog}`,
      120_000,
    );
    await system.stop(); // a clean stop delivers everything committed

    await system.start();
    expect(await reminders()).toHaveLength(1);
    // one reminder to each person who may post-approve, none twice
    const to = (await reminderMails()).map((m) => m.to.join(','));
    expect(to.length).toBeGreaterThan(0);
    expect(to.sort()).toEqual([...new Set(to)].sort());
    await system.stop();
  }, 300_000);

  it('a burst of submits killed halfway: no acknowledged write is missing, none is half-written, and every committed one gets its flow and its emails once', async () => {
    const system = localProcess();
    await system.start();
    const COUNT = 24;
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const filed = await system.call('POST', '/changes', { body: completeContent('normal') });
      expect(filed.status).toBe(201);
      ids.push(filed.body.id);
    }
    // 4 submits in flight at a time; the kill comes when 8 were acknowledged
    const acknowledged: string[] = [];
    const failed: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        try {
          const res = await system.call('POST', `/changes/${id}/submit`);
          if (res.status === 200) acknowledged.push(id);
          else failed.push(id);
        } catch {
          failed.push(id); // the connection died with the process
        }
      }
    };
    const burst = Promise.all([worker(), worker(), worker(), worker()]);
    await until(async () => acknowledged.length >= 8, '8 acknowledged submits');
    await system.kill();
    await burst;
    await system.start();

    const states = new Map<string, string>();
    for (const id of ids) {
      const cr = await system.change(id);
      // whole: every audit entry numbered without a gap, the change's version the last entry's
      const seqs = cr.audit.map((a: { seq: number }) => a.seq);
      expect(seqs, id).toEqual(seqs.map((_: number, i: number) => i + 1));
      // the change counts exactly the entries that were written with it: no transaction half-applied. (Its
      // version may run ahead of the entries: a flow resumed after the kill hands its callback task a new
      // token, which is a write with no entry of its own.)
      expect(cr.auditCount, id).toBe(seqs.length);
      states.set(id, cr.state);
    }
    for (const id of acknowledged) expect(states.get(id), `${id} was acknowledged`).not.toBe('draft');
    const committed = ids.filter((id) => states.get(id) !== 'draft');
    // every committed submit gets its flow: routed, its approval requested, its email sent once
    for (const id of committed) {
      await until(
        async () =>
          (await system.change(id)).state === 'pending_approval' &&
          (await system.change(id)).approvalRequests?.every((r: { requested: boolean }) => r.requested),
        `${id} to be routed`,
      );
    }
    await system.stop();
    await system.start();
    const mails = await system.mails();
    for (const id of committed) {
      const cr = await system.change(id);
      const asked = mails.filter((m) => about(id)(m) && approveLinkOf(m));
      // one email per approver asked, each once (tom is the only tech lead of payments in the seed directory)
      expect(asked.map((m) => m.to.join(',')).sort(), id).toEqual([...new Set(asked.map((m) => m.to.join(',')))].sort());
      expect(
        cr.audit.filter((a: { action: string }) => a.action === 'request-approval'),
        id,
      ).toHaveLength(cr.approvalRequests.length);
    }
    console.log(
      `kill in a burst of ${COUNT} submits: ${acknowledged.length} acknowledged, ${failed.length} cut off by the kill, ` +
        `${committed.length} committed (${committed.length - acknowledged.length} committed but unacknowledged), ${COUNT - committed.length} not committed; ` +
        `all ${committed.length} committed routed after the restart, approval emails ${mails.filter((m) => committed.some((id) => about(id)(m)) && approveLinkOf(m)).length}`,
    );
    await system.stop();
  }, 300_000);
  it('a monitoring period killed half-way resumes with its evidence: every interval judged once, and the verdict follows', async () => {
    // a 6-second period of 2-second intervals, so that it ends while the system is down
    const system = localProcess({ MONITORING_MINUTES: 'emergency=0.1', MONITORING_INTERVAL_SECONDS: '2' });
    await system.start();
    const filed = await system.call('POST', '/changes', { body: completeContent('emergency'), as: 'oscar' });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const id: string = filed.body.id;
    const deployed = await system.call('POST', `/changes/${id}/deployed`, { as: 'oscar' });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    const deployedAt = Date.parse(deployed.body.deployedAt);
    // the pipeline reports the three intervals, the smoke tests and the change's two written criteria
    const samples = [0, 1, 2].map((i) => ({
      at: new Date(deployedAt + i * 2000 + 1000).toISOString(),
      requests: 900,
      errorRatePercent: 0.2,
      p95LatencyMs: 6,
      databaseErrors: 0,
      criticalAlerts: 0,
    }));
    const confirmed = { 'criterion:error-rate-below-1': 'pass', 'criterion:p95-latency-under-10-ms': 'pass' };
    const pushed = await system.call('POST', `/changes/${id}/metrics`, { as: 'oscar', body: { samples, smokeTests: 'passed', criteria: confirmed } });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(202);
    const name: string = deployed.body.monitoringFlow.executionName;
    await until(async () => (await system.execution('monitoring', name))?.status === 'RUNNING', 'the monitoring execution to run');

    await system.kill();
    await system.start();
    expect(system.log).toMatch(/resumed \d+ workflow execution/);

    // an emergency's passed period waits for its post-incident review
    let last: { state?: string; monitoring?: unknown } = {};
    const cr = await until(
      async () => {
        last = await system.change(id);
        return (last.monitoring as { verdict?: string } | undefined)?.verdict === 'passed' ? (last as Record<string, any>) : undefined;
      },
      () => `the verdict after the restart: ${JSON.stringify({ state: last.state, monitoring: last.monitoring })}\n${system.fullLog}`,
    );
    expect(cr.state).toBe('monitoring');
    expect(cr.audit.filter((a: { action: string }) => a.action === 'monitoring-verdict')).toHaveLength(1);
    const view = (await system.call('GET', `/changes/${id}/monitoring`)).body;
    const errorRate = view.criteria.find((c: { id: string }) => c.id === 'error-rate');
    expect(errorRate.measurements.map((m: { index: number; outcome: string }) => `${m.index}:${m.outcome}`)).toEqual(['0:PASS', '1:PASS', '2:PASS']);
    await system.stop();
  }, 240_000);
});
