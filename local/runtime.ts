/**
 * The whole system on one machine: DynamoDB Local, the table, the seeded directory, and the local
 * API in front of the same handlers. Used by `npm start`, the end-to-end tests and the benchmark.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { DynamoDbDirectory } from '../functions/adapters/dynamodb/directory.js';
import { documentClient } from '../functions/adapters/dynamodb/client.js';
import { ensureTable } from '../functions/adapters/dynamodb/table.js';
import { loadConfig, type Config } from '../functions/config.js';
import { devKey } from './dev-auth.js';
import { readDirectory } from './directory-seed.js';
import { freePort, startDynamoDbLocal, type RunningDynamoDb } from './dynamodb-local.js';
import { Cron } from 'croner';
import { createHash } from 'node:crypto';
import { appDeps } from '../functions/handlers/deps.js';
import type { Clock } from '../functions/ports.js';
import { localHandlers, localJobs } from './handlers.js';
import { SmtpMailer, startMailCatcher, type RunningMailCatcher } from './mail.js';
import { InProcessEventBus } from './event-bus.js';
import { LocalWorkflowEngine } from './workflow-engine.js';
import { workflowDurations } from '../functions/core/durations.js';
import { makeHandler as makeWorkflowTasks } from '../functions/workflows/tasks.js';
import { makeHandler as makeNotifications } from '../functions/notifications/handler.js';
import { NOTIFIED_EVENTS } from '../functions/use-cases/notifications.js';
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
  workflows: LocalWorkflowEngine;
  events: InProcessEventBus;
  stop(): Promise<void>;
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
  if (!endpoint) {
    if (dataPath) mkdirSync(dataPath, { recursive: true });
    ddb = await startDynamoDbLocal(dataPath ? { path: dataPath } : {});
    endpoint = ddb.endpoint;
  }
  try {
    // the port is known before the config, so the links in emails point at this server
    const apiPort = options.port || (await freePort());
    const env = options.env ?? process.env;
    const config = loadConfig({
      ...env,
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
    const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(raw, config.TABLE_NAME);
    raw.destroy();
    const directory = new DynamoDbDirectory(db, config.TABLE_NAME);
    for (const person of readDirectory(options.directoryFile ?? resolve(import.meta.dirname, '../seed/directory.json'))) {
      await directory.put(person);
    }
    const jwtKey = devKey(dataDir);
    mail = await startMailCatcher({ smtpPort: options.mail?.smtpPort ?? 1025, webPort: options.mail?.webPort ?? 1080, dataDir: resolve(dataDir, 'mail') });
    mailer = new SmtpMailer({ port: mail.smtpPort, from: config.MAIL_FROM });
    // The workflows run the same ASL in-process; their task states call the same task function the
    // stack deploys, and domain events reach the same notification consumer, over an in-process bus.
    let tasks: ((payload: Record<string, unknown>) => Promise<unknown>) | undefined;
    engine = new LocalWorkflowEngine({
      tasks: (payload) => tasks!(payload),
      waitTimeScale: options.workflowWaitScale ?? 1,
      clock: options.clock,
      durations: workflowDurations(config.timers),
      onEvent: (e) => {
        // a failed execution is what Step Functions would alarm on: say so on the console
        if (e.source !== 'engine') return;
        const result = e.detail as { status?: string; error?: string; cause?: string } | undefined;
        if (e.type === 'ExecutionFinished' && result?.status === 'FAILED') {
          options.onLog?.(`workflow ${e.executionId} failed: ${result?.error ?? ''} ${result?.cause ?? JSON.stringify(e.detail)}`);
        }
      },
    });
    bus = new InProcessEventBus((err, event) => options.onLog?.(`notification for ${event.type} ${event.id} failed: ${(err as Error).message}`));
    const deps = appDeps(config, { db, clock: options.clock, mailer, workflows: engine, events: bus });
    const workflowTask = makeWorkflowTasks(deps);
    tasks = (payload) => workflowTask(payload, lambdaContext('WorkflowTasks') as never);
    const notifications = makeNotifications(deps);
    bus.subscribe(NOTIFIED_EVENTS, async (event) => {
      await notifications({ id: event.id, source: 'changeflow', 'detail-type': event.type, detail: event } as never, lambdaContext('Notifications') as never);
    });
    const server = createLocalApi({ handlers: localHandlers(deps), jwtKey, onLog: options.onLog });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(apiPort, '127.0.0.1', () => ok());
    });
    const { port } = server.address() as AddressInfo;
    const jobs = localJobs(deps);
    const runners = Object.fromEntries(Object.entries(jobs).map(([name, job]) => [name, () => job.run({}, lambdaContext(name) as never)]));
    const crons =
      options.scheduler === false
        ? []
        : Object.entries(jobs).map(
            ([name, job]) =>
              new Cron(job.every, { protect: true, catch: (err) => options.onLog?.(`job ${name} failed: ${(err as Error).message}`) }, async () => {
                await runners[name]!();
              }),
          );
    return {
      url: `http://localhost:${port}`,
      config,
      dynamoDb: { endpoint, dataPath },
      jwtKey,
      mail,
      jobs: runners,
      calendarFeedUrl: `http://localhost:${port}/calendar.ics?key=${config.CALENDAR_FEED_KEY}`,
      workflows: engine,
      events: bus,
      stop: async () => {
        for (const c of crons) c.stop();
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
    await engine?.shutdown('start failed');
    mailer?.close();
    await mail?.stop();
    await ddb?.stop();
    throw err;
  }
}
