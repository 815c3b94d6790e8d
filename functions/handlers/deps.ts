/**
 * The composition root: configuration, clients and adapters, built once per process at module
 * scope (no I/O happens here) and reused across invocations.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbChangeStore } from '../adapters/dynamodb/change-store.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import { loadConfig, type Config } from '../config.js';
import { systemClock, type ChangeStore, type Clock } from '../ports.js';

export interface AppDeps {
  config: Config;
  store: ChangeStore;
  clock: Clock;
}

/** `db` may be injected (the benchmark counts round trips on it); by default one is built from the config. */
export function appDeps(config: Config = loadConfig(), db: DynamoDBDocumentClient = documentClient({ endpoint: config.DYNAMODB_ENDPOINT })): AppDeps {
  return { config, store: new DynamoDbChangeStore(db, config.TABLE_NAME), clock: systemClock };
}

export function changeDeps(deps: AppDeps) {
  return { store: deps.store, clock: deps.clock, timeZone: deps.config.ORG_TIMEZONE, rules: deps.config.rules };
}
