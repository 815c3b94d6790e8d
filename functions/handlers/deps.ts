/**
 * The composition root: configuration, clients and adapters, built once per process at module
 * scope (no I/O happens here) and reused across invocations.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher.js';
import { SesMailer } from '../adapters/aws/ses-mailer.js';
import { StepFunctionsEngine } from '../adapters/aws/step-functions.js';
import { DynamoDbCalendarStore } from '../adapters/dynamodb/calendar-store.js';
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import { clientConfig, documentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.js';
import { DynamoDbOnce } from '../adapters/dynamodb/once.js';
import { PublishingChangeStore } from '../adapters/publishing-store.js';
import { loadConfig, type Config } from '../config.js';
import { logger } from '../http/api.js';
import {
  systemClock,
  type CalendarStore,
  type ChangeStore,
  type Clock,
  type Directory,
  type EventPublisher,
  type Mailer,
  type WorkflowEngine,
} from '../ports.js';
import type { CalendarJobDeps } from '../use-cases/calendar-jobs.js';
import type { CalendarDeps } from '../use-cases/calendar.js';
import type { ChangeDeps } from '../use-cases/changes.js';
import type { FlowDeps } from '../use-cases/approval-flow.js';
import type { LinkDeps } from '../use-cases/approval-links.js';
import type { NotificationDeps } from '../use-cases/notifications.js';

export interface AppDeps {
  config: Config;
  db: DynamoDBDocumentClient;
  store: ChangeStore;
  calendarStore: CalendarStore;
  directory: Directory;
  /** Built on first use: only functions that send email need (and may) reach SES. */
  mailer: () => Mailer;
  once: DynamoDbOnce;
  clock: Clock;
  workflows: WorkflowEngine | undefined;
  /** The key that signs approval links; read on first use (Secrets Manager in AWS). */
  linkKey: () => Promise<Uint8Array>;
  /** The key that seals list cursors; read on first use (Secrets Manager in AWS). */
  cursorKey: () => Promise<Uint8Array>;
}

/** What the local runtime (or a test) puts in place of the AWS services. */
export interface Overrides {
  db?: DynamoDBDocumentClient;
  clock?: Clock;
  mailer?: Mailer;
  workflows?: WorkflowEngine;
  events?: EventPublisher;
}

/**
 * By default every adapter comes from the configuration: DynamoDB always; Step Functions,
 * EventBridge and the link secret when their settings are present (they are in the stack).
 */
export function appDeps(config: Config = loadConfig(), overrides: Overrides = {}): AppDeps {
  const db = overrides.db ?? documentClient({ endpoint: config.DYNAMODB_ENDPOINT });
  const events = overrides.events ?? (config.EVENT_BUS_NAME ? new EventBridgePublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME) : undefined);
  const inner = new DynamoDbChangeStore(db, config.TABLE_NAME);
  const store = events
    ? new PublishingChangeStore(inner, events, (err, published) =>
        logger.error('events not published after a committed write', { err: err as Error, events: published }),
      )
    : inner;
  const workflows =
    overrides.workflows ??
    (config.APPROVAL_STATE_MACHINE_ARN && config.EMERGENCY_STATE_MACHINE_ARN
      ? new StepFunctionsEngine(new SFNClient({}), { approval: config.APPROVAL_STATE_MACHINE_ARN, emergency: config.EMERGENCY_STATE_MACHINE_ARN })
      : undefined);
  let ses: Mailer | undefined;
  return {
    config,
    db,
    store,
    calendarStore: new DynamoDbCalendarStore(db, config.TABLE_NAME),
    directory: new DynamoDbDirectory(db, config.TABLE_NAME),
    mailer: () => {
      if (overrides.mailer) return overrides.mailer;
      ses ??= new SesMailer({ from: config.MAIL_FROM, configurationSetName: config.SES_CONFIGURATION_SET });
      return ses;
    },
    once: new DynamoDbOnce(config.TABLE_NAME, clientConfig({ endpoint: config.DYNAMODB_ENDPOINT })),
    clock: overrides.clock ?? systemClock,
    workflows,
    linkKey: keyLoader('approval link', config.APPROVAL_LINK_KEY, config.APPROVAL_LINK_SECRET_ID, 'APPROVAL_LINK_KEY or APPROVAL_LINK_SECRET_ID'),
    cursorKey: keyLoader('list cursor', config.CURSOR_KEY, config.CURSOR_SECRET_ID, 'CURSOR_KEY or CURSOR_SECRET_ID'),
  };
}

/** A key given in the environment (locally) or kept in Secrets Manager (AWS, cached for 5 minutes by Powertools). */
function keyLoader(what: string, value: string | undefined, secretId: string | undefined, settings: string): () => Promise<Uint8Array> {
  return async () => {
    const encoded = value ?? (secretId ? await getSecret(secretId, { maxAge: 300 }) : undefined);
    if (typeof encoded !== 'string') throw new Error(`no ${what} key: set ${settings}`);
    return Buffer.from(encoded, 'base64');
  };
}

export function changeDeps(deps: AppDeps): ChangeDeps {
  return {
    store: deps.store,
    clock: deps.clock,
    timeZone: deps.config.ORG_TIMEZONE,
    rules: deps.config.rules,
    calendar: { store: deps.calendarStore, config: deps.config.calendar },
    workflows: deps.workflows,
    warn: (message, err) => logger.error(message, err as Error),
  };
}

export function calendarDeps(deps: AppDeps): CalendarDeps {
  return { store: deps.store, calendarStore: deps.calendarStore, clock: deps.clock, config: deps.config.calendar };
}

export function calendarJobDeps(deps: AppDeps): CalendarJobDeps {
  return {
    store: deps.store,
    calendarStore: deps.calendarStore,
    directory: deps.directory,
    mailer: deps.mailer(),
    once: deps.once,
    clock: deps.clock,
    config: deps.config.calendar,
    stakeholderEmails: deps.config.STAKEHOLDER_EMAILS,
  };
}

export function flowDeps(deps: AppDeps): FlowDeps {
  return { store: deps.store, clock: deps.clock, timers: deps.config.timers, workflows: deps.workflows };
}

export function linkDeps(deps: AppDeps): LinkDeps {
  return { changes: changeDeps(deps), directory: deps.directory, linkKey: deps.linkKey };
}

export function notificationDeps(deps: AppDeps): NotificationDeps {
  return {
    directory: deps.directory,
    mailer: deps.mailer(),
    once: deps.once,
    linkKey: deps.linkKey,
    baseUrl: deps.config.PUBLIC_BASE_URL.replace(/\/$/, ''),
    timeZone: deps.config.ORG_TIMEZONE,
    timers: deps.config.timers,
    stakeholderEmails: deps.config.STAKEHOLDER_EMAILS,
  };
}
