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
import { startDynamoDbLocal, type RunningDynamoDb } from './dynamodb-local.js';
import { localHandlers } from './handlers.js';
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
}

export interface LocalSystem {
  url: string;
  config: Config;
  dynamoDb: { endpoint: string; dataPath: string | null };
  jwtKey: Uint8Array;
  stop(): Promise<void>;
}

export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const dataDir = resolve(options.dataDir);
  let ddb: RunningDynamoDb | undefined;
  let endpoint = options.dynamoDbEndpoint;
  const dataPath = options.inMemory || endpoint ? null : resolve(dataDir, 'dynamodb');
  if (!endpoint) {
    if (dataPath) mkdirSync(dataPath, { recursive: true });
    ddb = await startDynamoDbLocal(dataPath ? { path: dataPath } : {});
    endpoint = ddb.endpoint;
  }
  try {
    const config = loadConfig({ ...(options.env ?? process.env), DYNAMODB_ENDPOINT: endpoint });
    const db = documentClient({ endpoint });
    const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(raw, config.TABLE_NAME);
    raw.destroy();
    const directory = new DynamoDbDirectory(db, config.TABLE_NAME);
    for (const person of readDirectory(options.directoryFile ?? resolve(import.meta.dirname, '../seed/directory.json'))) {
      await directory.put(person);
    }
    const jwtKey = devKey(dataDir);
    const server = createLocalApi({ handlers: localHandlers(config), jwtKey, onLog: options.onLog });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(options.port, '127.0.0.1', () => ok());
    });
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://localhost:${port}`,
      config,
      dynamoDb: { endpoint, dataPath },
      jwtKey,
      stop: async () => {
        await new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        });
        db.destroy();
        await ddb?.stop();
      },
    };
  } catch (err) {
    await ddb?.stop();
    throw err;
  }
}
