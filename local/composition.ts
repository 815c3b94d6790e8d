/**
 * The local runtime's composition root: every function of the stack built from the same
 * `makeHandler` as its Lambda entry (functions/lambda/), with the local adapters in place of AWS.
 * Each swap is here and nowhere else:
 *
 * | in AWS                                  | locally                                                   |
 * | --------------------------------------- | --------------------------------------------------------- |
 * | DynamoDB                                | DynamoDB Local (the same table, stream and items)         |
 * | the table's stream → EventRelay         | LocalStreamRelay (local/stream-relay.ts) → `relayRecord`  |
 * | EventBridge bus and its rules           | InProcessEventBus (local/event-bus.ts), subscriptions below |
 * | Step Functions                          | LocalWorkflowEngine: the same ASL, in-process            |
 * | SES                                     | SMTP to the local mail catcher                            |
 * | Secrets Manager                         | keys in the configuration (derived from the dev key)      |
 * | EventBridge Scheduler                   | croner, on each job's `localCron`                         |
 * | S3 (the monthly reports)                | files under the data folder's reports/                    |
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreCalendarService } from '../functions/adapters/calendar-service.js';
import { DynamoDbCalendarStore } from '../functions/adapters/dynamodb/calendar-store.js';
import { DynamoDbChangeStore } from '../functions/adapters/dynamodb/change-store.js';
import { clientConfig } from '../functions/adapters/dynamodb/client.js';
import { DynamoDbCommunicationLog } from '../functions/adapters/dynamodb/communication-log.js';
import { DynamoDbDirectory } from '../functions/adapters/dynamodb/directory.js';
import { DynamoDbFreezeStore } from '../functions/adapters/dynamodb/freeze-store.js';
import { DynamoDbMirrorStore } from '../functions/adapters/dynamodb/mirror-store.js';
import { slackApp } from '../functions/lambda/slack-app.js';
import { trackerMirror } from '../functions/lambda/tracker-mirror.js';
import { metricsSources } from '../functions/adapters/metrics-sources.js';
import { DynamoDbMonitoringStore } from '../functions/adapters/dynamodb/monitoring-store.js';
import { DynamoDbOnce } from '../functions/adapters/dynamodb/once.js';
import type { Config } from '../functions/config.js';
import { makeHandler as approvalLinks } from '../functions/handlers/approval-links.js';
import { makeHandler as calendar } from '../functions/handlers/calendar.js';
import { makeHandler as changesRead } from '../functions/handlers/changes-read.js';
import { makeHandler as changesTransition } from '../functions/handlers/changes-transition.js';
import { makeHandler as changesWrite } from '../functions/handlers/changes-write.js';
import { makeHandler as deployGate } from '../functions/handlers/deploy-gate.js';
import { makeHandler as freezes } from '../functions/handlers/freezes.js';
import { makeHandler as meta } from '../functions/handlers/meta.js';
import { makeHandler as approvalSweep } from '../functions/jobs/approval-sweep.js';
import { makeHandler as blackoutCheck } from '../functions/jobs/blackout-check.js';
import { SCHEDULED_JOBS } from '../functions/jobs/schedules.js';
import { makeHandler as timelineNotifications } from '../functions/jobs/timeline-notifications.js';
import { makeHandler as workflowReconcile } from '../functions/jobs/workflow-reconcile.js';
import { makeHandler as monthlyReport } from '../functions/jobs/monthly-report.js';
import { verifyBearer } from './dev-auth.js';
import { cursorKey, feedKey, githubApp, linkKey, outboundTargets, webhookSecrets } from '../functions/lambda/keys.js';
import { FetchPoster } from '../functions/adapters/http/poster.js';
import { DynamoDbSubscriptionStore } from '../functions/adapters/dynamodb/subscription-store.js';
import { OUTBOUND_EVENTS } from '../functions/core/outbound.js';
import { makeHandler as subscriptionsHandler } from '../functions/handlers/subscriptions.js';
import { makeHandler as reportsHandler } from '../functions/handlers/reports.js';
import { FileReportStore } from '../functions/adapters/files/report-store.js';
import { makeHandler as outbound } from '../functions/outbound/handler.js';
import { signalSettings } from '../functions/lambda/webhook-settings.js';
import { DynamoDbDeliveryStore } from '../functions/adapters/dynamodb/delivery-store.js';
import { makeHandler as webhooks } from '../functions/handlers/webhooks.js';
import { makeHandler as webhookProcessor } from '../functions/webhooks/processor.js';
import { makeHandler as notifications } from '../functions/notifications/handler.js';
import type { Clock, Mailer, WorkflowEngine } from '../functions/ports.js';
import { ROUTE_GROUPS } from '../functions/routes.js';
import type { ChangeDeps } from '../functions/use-cases/changes.js';
import { makeHandler as workflowDriver } from '../functions/workflows/driver.js';
import { makeHandler as workflowTasks } from '../functions/workflows/tasks.js';
import type { LocalHandler } from './server.js';

export interface LocalAdapters {
  config: Config;
  /** Where the monthly reports are written (the data folder's reports/). */
  reportsDir: string;
  db: DynamoDBDocumentClient;
  clock: Clock;
  mailer: Mailer;
  workflows: WorkflowEngine;
  /** The development key the local server's tokens are signed with (the email-link route checks a signed-in approver with it). */
  jwtKey?: Uint8Array | undefined;
}

type Invoke = (event: unknown, context: never) => Promise<unknown>;

export interface LocalFunctions {
  /** The route groups' handlers, by group name (functions/routes.ts). */
  routes: Record<string, LocalHandler>;
  /** The scheduled jobs, by name, with their local cadence (functions/jobs/schedules.ts). */
  jobs: Record<string, { every: string; run: Invoke }>;
  /** What the workflows' task states invoke. */
  workflowTasks: Invoke;
  /** The bus's consumers: invoked with an EventBridge event. */
  notifications: Invoke;
  workflowDriver: Invoke;
  webhookProcessor: Invoke;
  outbound: Invoke;
}

export function composeLocal({ config, db, clock, mailer, workflows, reportsDir, jwtKey }: LocalAdapters): LocalFunctions {
  const table = config.TABLE_NAME;
  const store = new DynamoDbChangeStore(db, table);
  const calendarStore = new DynamoDbCalendarStore(db, table);
  const freezeStore = new DynamoDbFreezeStore(db, table);
  const directory = new DynamoDbDirectory(db, table);
  const once = new DynamoDbOnce(table, clientConfig({ endpoint: config.DYNAMODB_ENDPOINT }));
  const changes = (withCalendar: boolean): ChangeDeps => ({
    store,
    clock,
    timeZone: config.ORG_TIMEZONE,
    rules: config.rules,
    calendar: withCalendar ? new StoreCalendarService(calendarStore, config.calendar, freezeStore) : undefined,
  });
  const calendarDeps = { store, calendarStore, clock, config: config.calendar };
  const calendarJobDeps = { ...calendarDeps, freezes: freezeStore, stakeholderEmails: config.STAKEHOLDER_EMAILS };
  const flowDeps = { store, clock, timers: config.timers, callbacks: workflows };
  const monitoring = new DynamoDbMonitoringStore(db, table);
  const deliveries = new DynamoDbDeliveryStore(db, table);
  const subscriptions = new DynamoDbSubscriptionStore(db, table);
  const communications = new DynamoDbCommunicationLog(db, table);
  const reportDeps = { store, deliveries, communications, reports: new FileReportStore(reportsDir, () => clock.now()), clock, timeZone: config.ORG_TIMEZONE };
  const poster = new FetchPoster();
  const slack = slackApp(config);
  const monitoringDeps = { store, monitoring, clock, rollbackReportMinutes: config.ROLLBACK_REPORT_TIMEOUT_MINUTES, sources: metricsSources(config) };

  const routes: Record<string, unknown> = {
    Meta: meta(config),
    ChangesRead: changesRead({
      config,
      store,
      directory,
      cursorKey: cursorKey(config),
      monitoring,
      communications,
      mirrors: config.TRACKER_MIRRORS ? new DynamoDbMirrorStore(db, table) : undefined,
    }),
    ChangesWrite: changesWrite({ config, changes: changes(true), directory }),
    ChangesTransition: changesTransition({ config, changes: changes(true), directory, monitoring }),
    Calendar: calendar({ config, calendar: calendarDeps, directory, feedKey: feedKey(config) }),
    DeployGate: deployGate({ config, calendar: { ...calendarDeps, freezes: freezeStore } }),
    Freezes: freezes({ config, calendar: { ...calendarDeps, freezes: freezeStore }, directory }),
    ApprovalLinks: approvalLinks({
      config,
      links: { changes: changes(false), directory, linkKey: linkKey(config), signIn: config.LINK_SIGN_IN, consoleUrl: config.PUBLIC_BASE_URL },
      // the local server's development tokens, as its gateway checks them
      signedIn: async (authorization) => (jwtKey ? ((await verifyBearer(authorization, jwtKey))?.sub ?? null) : null),
    }),
    Reports: reportsHandler({ config, directory, reports: reportDeps, linkKey: linkKey(config) }),
    Subscriptions: subscriptionsHandler({
      config,
      directory,
      subscriptions: { subscriptions, poster, clock, eventTypes: OUTBOUND_EVENTS, allowHttp: config.OUTBOUND_ALLOW_HTTP },
    }),
    Webhooks: webhooks({ config, directory, intake: { deliveries, clock, secrets: webhookSecrets(config), signals: signalSettings(config), slack } }),
  };
  const missing = ROUTE_GROUPS.filter((g) => !routes[g.name]).map((g) => g.name);
  if (missing.length) throw new Error(`no local handler for route group(s) ${missing.join(', ')}`);

  const jobHandlers: Record<string, unknown> = {
    ApprovalSweep: approvalSweep(flowDeps),
    BlackoutCheck: blackoutCheck(calendarJobDeps),
    TimelineNotifications: timelineNotifications(calendarJobDeps),
    WorkflowReconcile: workflowReconcile({ store, workflows, clock }),
    MonthlyReport: monthlyReport({ ...reportDeps, events: deliveries }),
  };
  const jobs = Object.fromEntries(
    SCHEDULED_JOBS.map((job) => {
      const run = jobHandlers[job.name];
      if (!run) throw new Error(`no local handler for scheduled job ${job.name}`);
      return [job.name, { every: job.localCron, run: run as Invoke }];
    }),
  );

  return {
    routes: routes as Record<string, LocalHandler>,
    jobs,
    workflowTasks: workflowTasks({ ...flowDeps, ...monitoringDeps }) as Invoke,
    notifications: notifications({
      directory,
      mailer,
      once,
      linkKey: linkKey(config),
      baseUrl: config.PUBLIC_BASE_URL.replace(/\/$/, ''),
      timeZone: config.ORG_TIMEZONE,
      timers: config.timers,
      stakeholderEmails: config.STAKEHOLDER_EMAILS,
      reportRecipients: config.REPORT_RECIPIENTS,
      monitoring,
      log: communications,
      clock,
      slack,
    }) as Invoke,
    workflowDriver: workflowDriver({ store, workflows }) as Invoke,
    webhookProcessor: webhookProcessor({
      changes: changes(true),
      deliveries,
      gates: deliveries,
      github: githubApp(config),
      baseUrl: config.PUBLIC_BASE_URL.replace(/\/$/, ''),
      monitoring,
      directory,
      once,
      pagerDutyServices: config.PAGERDUTY_SERVICES,
      slack,
    }) as Invoke,
    outbound: outbound({
      poster,
      once,
      subscriptions,
      clock,
      baseUrl: config.PUBLIC_BASE_URL.replace(/\/$/, ''),
      targets: outboundTargets(config),
      pagerDutyEventsUrl: config.PAGERDUTY_EVENTS_URL,
      log: communications,
      mirror: trackerMirror(config, outboundTargets(config), new DynamoDbMirrorStore(db, table), clock),
    }) as Invoke,
  };
}
