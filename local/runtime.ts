/**
 * The whole system on one machine: DynamoDB Local, the table, the seeded directory, and the local
 * API in front of the same handlers. Used by `npm start`, the end-to-end tests and the benchmark.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDbDirectory } from '../functions/adapters/dynamodb/directory.js';
import { documentClient } from '../functions/adapters/dynamodb/client.js';
import { ensureTable } from '../functions/adapters/dynamodb/table.js';
import { loadConfig, type Config } from '../functions/config.js';
import { buildConsole } from './console.js';
import { devKey, signToken } from './dev-auth.js';
import { readDirectory } from './directory-seed.js';
import { startDynamoDbLocal, type RunningDynamoDb } from './dynamodb-local.js';
import { Cron } from 'croner';
import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock, type Mailer, type WorkflowEngine } from '../functions/ports.js';
import { SmtpMailer, startMailCatcher, type RunningMailCatcher } from './mail.js';
import { InProcessEventBus, type DeadLetter } from './event-bus.js';
import { LocalWorkflowEngine } from './workflow-engine.js';
import { workflowDurations } from '../functions/core/durations.js';
import type { BusEvent } from '../functions/core/events.js';
import { NOTIFIED_EVENTS } from '../functions/notifications/notify.js';
import { DRIVEN_EVENTS } from '../functions/use-cases/workflow-driver.js';
import { PROCESSED_EVENTS } from '../functions/webhooks/processor.js';
import { OUTBOUND_EVENTS } from '../functions/core/outbound.js';
import { localWebhookSecrets } from './webhook-secrets.js';
import { composeLocal } from './composition.js';
import { DynamoDbExecutionStore } from './execution-store.js';
import { LocalStreamRelay } from './stream-relay.js';
import { lambdaContext } from './server.js';
import { createLocalApi } from './server.js';

export interface LocalSystemOptions {
  /** Port of the API; 0 picks a free one. */
  port: number;
  /** Folder for data and the development key (git-ignored). */
  dataDir: string;
  /** Keep DynamoDB's data in memory instead of under dataDir. */
  inMemory?: boolean;
  /** Use an already running DynamoDB (tests); otherwise DynamoDB Local is started. */
  dynamoDbEndpoint?: string;
  directoryFile?: string;
  env?: Record<string, string | undefined>;
  onLog?: (line: string) => void;
  /** Ports of the mail catcher (SMTP, web page); 0 picks free ones. Default 1025 and 1080. */
  mail?: { smtpPort?: number; webPort?: number };
  /** Run the scheduled jobs on their schedules (default true; tests run them by hand). */
  scheduler?: boolean;
  /** The clock every handler and job reads (tests move it). */
  clock?: Clock;
  /** Multiplies the workflows' Wait states (tests compress 12 h to milliseconds); 1 by default. */
  workflowWaitScale?: number;
  /**
   * Fault-injection tests wrap the real clients here: the DynamoDB client every handler, job,
   * workflow task and consumer writes with (middleware), and the mailer the notifications send with.
   */
  instrument?: {
    db?: (db: DynamoDBDocumentClient) => void;
    mailer?: (mailer: Mailer) => Mailer;
    /** The workflow engine as the driver and the reconciler call it (Step Functions in AWS). */
    workflows?: (engine: WorkflowEngine) => WorkflowEngine;
  };
  /** Serve the web console at `/` (built first when its sources changed); default true. */
  console?: boolean;
  /** How the bus retries a delivery before dead-lettering it (local/event-bus.ts has the defaults). */
  eventRetries?: { attempts?: number; retryBaseMs?: number; maxDelayMs?: number };
}

export interface LocalSystem {
  url: string;
  config: Config;
  dynamoDb: { endpoint: string; dataPath: string | null };
  jwtKey: Uint8Array;
  mail: RunningMailCatcher;
  /** The scheduled jobs, to run now by hand. */
  jobs: Record<string, () => Promise<unknown>>;
  calendarFeedUrl: string;
  /** Where the local webhook secrets are kept (generated on first start when the environment sets none). */
  webhookSecretsFile: string;
  /** The data folder (the development key, the webhook secrets, the reports/). */
  dataDir: string;
  workflows: LocalWorkflowEngine;
  events: LocalEvents;
  stop(): Promise<void>;
}

/** The events' way locally: the outbox read off the table's stream, onto the in-process bus. */
export interface LocalEvents {
  /** Resolves when every event committed so far was relayed and every consumer took it: for tests and shutdown. */
  idle(): Promise<void>;
  /** Every event the relay published since the start. */
  readonly published: readonly BusEvent[];
  /** Deliveries that failed every attempt. */
  readonly deadLetters: readonly DeadLetter[];
  readonly relay: LocalStreamRelay;
  readonly bus: InProcessEventBus;
}

const CONSUMER_TIMEOUT_MS = 10_000;

/** The bus's consumers in an EventBridge envelope, as the rules hand them to the functions. */
function envelope(event: BusEvent) {
  return { id: event.id, source: 'changeflow', 'detail-type': event.type, detail: event } as never;
}

export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const dataDir = resolve(options.dataDir);
  let ddb: RunningDynamoDb | undefined;
  let endpoint = options.dynamoDbEndpoint;
  const dataPath = options.inMemory || endpoint ? null : resolve(dataDir, 'dynamodb');
  let mail: RunningMailCatcher | undefined;
  let mailer: SmtpMailer | undefined;
  let engine: LocalWorkflowEngine | undefined;
  let bus: InProcessEventBus | undefined;
  let relay: LocalStreamRelay | undefined;
  let reserved: Server | undefined;
  if (!endpoint) {
    if (dataPath) mkdirSync(dataPath, { recursive: true });
    ddb = await startDynamoDbLocal(dataPath ? { path: dataPath } : {});
    endpoint = ddb.endpoint;
  }
  try {
    // the port is known before the config, so the links in emails point at this server; without a
    // port asked for, the listening socket is bound now and kept, so nothing else takes the port
    // while the rest starts (a probed-then-freed port was taken by another test's listener in CI)
    if (!options.port) reserved = await bound();
    const apiPort = options.port || (reserved!.address() as AddressInfo).port;
    const env = options.env ?? process.env;
    const webhookSecrets = localWebhookSecrets(dataDir, env);
    const config = loadConfig({
      ...env,
      ...webhookSecrets.values,
      // a local subscriber (a script, a test receiver) listens on plain http
      OUTBOUND_ALLOW_HTTP: env.OUTBOUND_ALLOW_HTTP ?? 'true',
      DYNAMODB_ENDPOINT: endpoint,
      PUBLIC_BASE_URL: env.PUBLIC_BASE_URL ?? `http://localhost:${apiPort}`,
      // approval links are signed with a key kept beside the development JWT key
      APPROVAL_LINK_KEY:
        env.APPROVAL_LINK_KEY ?? Buffer.from(createHash('sha256').update(devKey(dataDir)).update('approval-links').digest()).toString('base64'),
      CURSOR_KEY: env.CURSOR_KEY ?? Buffer.from(createHash('sha256').update(devKey(dataDir)).update('list-cursors').digest()).toString('base64'),
      // locally the feed key is derived from the development key, so the feed URL stays the same across restarts
      CALENDAR_FEED_KEY: env.CALENDAR_FEED_KEY ?? createHash('sha256').update(devKey(dataDir)).update('calendar-feed').digest('base64url').slice(0, 32),
    });
    const db = documentClient({ endpoint });
    options.instrument?.db?.(db);
    const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(raw, config.TABLE_NAME);
    raw.destroy();
    const directory = new DynamoDbDirectory(db, config.TABLE_NAME);
    const people = readDirectory(options.directoryFile ?? resolve(import.meta.dirname, '../seed/directory.json'));
    for (const person of people) await directory.put(person);
    if (options.console !== false) {
      const built = await buildConsole({ onLog: options.onLog });
      if (built.built) options.onLog?.(`console built in ${built.ms} ms`);
    }
    const jwtKey = devKey(dataDir);
    mail = await startMailCatcher({ smtpPort: options.mail?.smtpPort ?? 1025, webPort: options.mail?.webPort ?? 1080, dataDir: resolve(dataDir, 'mail') });
    mailer = new SmtpMailer({ port: mail.smtpPort, from: config.MAIL_FROM });
    // The workflows run the same ASL in-process; their task states call the same task function the
    // stack deploys, and their executions are kept in the table, so a restart resumes them.
    let tasks: ((payload: Record<string, unknown>) => Promise<unknown>) | undefined;
    engine = new LocalWorkflowEngine({
      tasks: (payload) => tasks!(payload),
      waitTimeScale: options.workflowWaitScale ?? 1,
      clock: options.clock,
      durations: workflowDurations(config.timers, {
        intervalSeconds: config.MONITORING_INTERVAL_SECONDS,
        rollbackReportMinutes: config.ROLLBACK_REPORT_TIMEOUT_MINUTES,
      }),
      store: new DynamoDbExecutionStore(db, config.TABLE_NAME),
      onEvent: (e) => {
        // a failed execution is what Step Functions would alarm on: say so on the console
        if (e.source !== 'engine') return;
        const result = e.detail as { status?: string; error?: string; cause?: string } | undefined;
        if (e.type === 'ExecutionFinished' && result?.status === 'FAILED') {
          options.onLog?.(`workflow ${e.executionId} failed: ${result?.error ?? ''} ${result?.cause ?? JSON.stringify(e.detail)}`);
        }
      },
    });
    const fns = composeLocal({
      config,
      jwtKey,
      reportsDir: resolve(dataDir, 'reports'),
      db,
      clock: options.clock ?? systemClock,
      mailer: options.instrument?.mailer?.(mailer) ?? mailer,
      workflows: options.instrument?.workflows?.(engine) ?? engine,
    });
    tasks = (payload) => fns.workflowTasks(payload, lambdaContext('WorkflowTasks') as never);
    // Domain events reach the same consumers as in AWS: the outbox's items off the table's stream
    // (the relay), then one subscription per rule of the stack.
    bus = new InProcessEventBus({
      ...options.eventRetries,
      onDeadLetter: (l) => options.onLog?.(`event ${l.event.type} ${l.event.id} not taken by ${l.consumer} after ${l.attempts} attempts: ${l.error}`),
      onRetry: (f) => options.onLog?.(`event ${f.event.type} ${f.event.id}: ${f.consumer} failed (attempt ${f.attempts}), retrying: ${f.error}`),
    });
    // Ten seconds per delivery: a dedupe claim left by a killed process stops blocking its event
    // that long after it was taken (the bus retries for longer), not a minute as in AWS.
    const consumerContext = (name: string) => lambdaContext(name, undefined, CONSUMER_TIMEOUT_MS) as never;
    bus.subscribe('Notifications', NOTIFIED_EVENTS, async (event) => {
      await fns.notifications(envelope(event), consumerContext('Notifications'));
    });
    bus.subscribe('WorkflowDriver', DRIVEN_EVENTS, async (event) => {
      await fns.workflowDriver(envelope(event), consumerContext('WorkflowDriver'));
    });
    bus.subscribe('WebhookProcessor', PROCESSED_EVENTS, async (event) => {
      await fns.webhookProcessor(envelope(event), consumerContext('WebhookProcessor'));
    });
    bus.subscribe('Outbound', OUTBOUND_EVENTS, async (event) => {
      await fns.outbound(envelope(event), consumerContext('Outbound'));
    });
    relay = new LocalStreamRelay({
      endpoint,
      tableName: config.TABLE_NAME,
      db,
      publisher: bus,
      onError: (err) => options.onLog?.(`event relay: ${(err as Error).message}`),
    });
    // what was committed before a restart (or a kill) and not yet delivered goes out first, then
    // the executions that were running go on
    await relay.start();
    const caughtUp = relay.counts.delivered + relay.counts.fromFallback;
    if (caughtUp) options.onLog?.(`delivered ${caughtUp} event(s) committed before the restart and not yet delivered`);
    const resumed = await engine.resume();
    if (resumed.length) options.onLog?.(`resumed ${resumed.length} workflow execution(s)`);
    const events: LocalEvents = {
      relay,
      bus,
      published: bus.published,
      deadLetters: bus.deadLetters,
      idle: async () => {
        for (let before = -1; before !== bus!.published.length; ) {
          before = bus!.published.length;
          await relay!.drain();
          await bus!.idle();
        }
      },
    };
    const api = createLocalApi({
      handlers: fns.routes,
      jwtKey,
      onLog: options.onLog,
      console:
        options.console === false
          ? undefined
          : {
              config: { auth: 'local', timeZone: config.ORG_TIMEZONE, components: [...config.rules.components] },
              people,
              mint: (person) => signToken(person, jwtKey, { rolesClaim: config.ROLES_CLAIM, teamClaim: config.TEAM_CLAIM }),
            },
    });
    if (reserved) {
      // the socket bound at the start takes the API's requests from here
      for (const listener of api.listeners('request')) reserved.on('request', listener as (...args: unknown[]) => void);
    } else {
      await new Promise<void>((ok, fail) => {
        api.once('error', fail);
        api.listen(apiPort, '127.0.0.1', () => ok());
      });
    }
    const server = reserved ?? api;
    const { port } = server.address() as AddressInfo;
    const jobs = fns.jobs;
    const runners = Object.fromEntries(Object.entries(jobs).map(([name, job]) => [name, () => job.run({}, lambdaContext(name) as never)]));
    const crons =
      options.scheduler === false
        ? []
        : Object.entries(jobs).map(
            ([name, job]) =>
              new Cron(
                job.every,
                { protect: true, timezone: config.ORG_TIMEZONE, catch: (err) => options.onLog?.(`job ${name} failed: ${(err as Error).message}`) },
                async () => {
                  await runners[name]!();
                },
              ),
          );
    return {
      url: `http://localhost:${port}`,
      config,
      dynamoDb: { endpoint, dataPath },
      jwtKey,
      mail,
      jobs: runners,
      calendarFeedUrl: `http://localhost:${port}/calendar.ics?key=${config.CALENDAR_FEED_KEY}`,
      webhookSecretsFile: webhookSecrets.file,
      dataDir,
      workflows: engine,
      events,
      stop: async () => {
        for (const c of crons) c.stop();
        // what is committed is delivered before the engine stops; an execution still running stays
        // RUNNING in the table and resumes at the next start
        await events.idle().catch((err) => options.onLog?.(`events at stop: ${(err as Error).message}`));
        await relay?.stop();
        await engine?.shutdown('local system stopped');
        await bus?.idle();
        mailer?.close();
        await mail?.stop();
        await new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        });
        db.destroy();
        await ddb?.stop();
      },
    };
  } catch (err) {
    reserved?.close();
    await relay?.stop();
    await engine?.shutdown('start failed');
    mailer?.close();
    await mail?.stop();
    await ddb?.stop();
    throw err;
  }
}

/** A listening socket on a port the kernel picks, on the loopback address, with no handler yet. */
function bound(): Promise<Server> {
  const server = createServer();
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}
