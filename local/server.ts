/**
 * The local API Gateway: turns each HTTP request into an API Gateway v2 (HTTP API) event, checks
 * the bearer token as the JWT authorizer would, and invokes the same handler the stack deploys for
 * that route. Routes come from the one route table.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { ROUTE_GROUPS } from '../functions/routes.js';
import type { Person } from '../functions/core/change-request.js';
import { consoleFile, consoleHeaders } from './console.js';
import { verifyBearer } from './dev-auth.js';

export type LocalHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<unknown>;

interface CompiledRoute {
  method: string;
  routeKey: string;
  pattern: RegExp;
  params: string[];
  public: boolean;
  group: string;
}

/** API Gateway's own payload limit. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** Every route, the ones with fewer path parameters first: a literal segment wins, as on API Gateway (`/changes/{id}/metrics` before `/changes/{id}/{action}`). */
export function compileRoutes(): CompiledRoute[] {
  return compileAll().sort((a, b) => a.params.length - b.params.length);
}

function compileAll(): CompiledRoute[] {
  return ROUTE_GROUPS.flatMap((g) =>
    g.routes.map((r) => {
      const params: string[] = [];
      const source = r.path
        .split('/')
        .map((seg) => {
          const m = /^\{(\w+)\}$/.exec(seg);
          if (m) {
            params.push(m[1]!);
            return '([^/]+)';
          }
          return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
      return {
        method: r.method,
        routeKey: `${r.method} ${r.path}`,
        pattern: new RegExp(`^${source}$`),
        params,
        public: Boolean(r.public),
        group: g.name,
      };
    }),
  );
}

export interface LocalApiOptions {
  handlers: Record<string, LocalHandler>;
  jwtKey: Uint8Array;
  onLog?: (line: string) => void;
  /** The web console at `/`, and the local sign-in it uses. */
  console?: LocalConsole | undefined;
}

export interface LocalConsole {
  /** What console-config.json says: local sign-in, the organisation's time zone, the components. */
  config: Record<string, unknown>;
  /** The directory the local sign-in page lists. */
  people: Person[];
  /** A development token for a person, as `npm run token` mints it. */
  mint: (person: Person) => Promise<string>;
}

export function createLocalApi(options: LocalApiOptions): Server {
  const routes = compileRoutes();
  return createServer((req, res) => {
    handle(req, res, routes, options).catch((err: unknown) => {
      options.onLog?.(`local server error: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Internal Server Error' }));
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, routes: CompiledRoute[], options: LocalApiOptions) {
  const started = Date.now();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  if (options.console && (await serveConsole(req, res, url, method, options.console))) return;
  let matched: { route: CompiledRoute; values: string[] } | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(url.pathname);
    if (m) {
      matched = { route, values: m.slice(1) };
      break;
    }
  }
  if (!matched) return send(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Not Found' }));

  // what API Gateway refuses before any integration: a path that is not valid percent-encoding
  let pathValues: string[];
  try {
    pathValues = matched.values.map((v) => decodeURIComponent(v));
  } catch {
    return send(res, 400, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Bad Request: the path is not valid percent-encoding' }));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return send(res, 413, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Request Entity Too Large' }));
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;

  let claims: Record<string, string> | null = null;
  if (!matched.route.public) {
    claims = await verifyBearer(headers.authorization, options.jwtKey);
    if (!claims) {
      return send(res, 401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }, JSON.stringify({ message: 'Unauthorized' }));
    }
  }

  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const requestId = randomUUID();
  const now = new Date();
  const event = {
    version: '2.0',
    routeKey: matched.route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: matched.route.params.length ? Object.fromEntries(matched.route.params.map((p, i) => [p, pathValues[i]!])) : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId,
      routeKey: matched.route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: claims ? { jwt: { claims, scopes: null }, principalId: '', integrationLatency: 0 } : undefined,
    },
    body: body.length ? body.toString('utf8') : undefined,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

  const handler = options.handlers[matched.route.group];
  if (!handler) throw new Error(`no handler for ${matched.route.group}`);
  const result = (await handler(event, lambdaContext(matched.route.group, requestId))) as {
    statusCode?: number;
    headers?: Record<string, string>;
    body?: string;
    isBase64Encoded?: boolean;
  };
  const payload = result.body === undefined ? Buffer.alloc(0) : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  send(res, result.statusCode ?? 200, result.headers ?? {}, payload);
  options.onLog?.(`${method} ${url.pathname} → ${result.statusCode ?? 200} (${Date.now() - started} ms)`);
}

/**
 * The console's files and the local-only sign-in: `GET /local/people` lists the directory and
 * `POST /local/token {"person": id}` mints that person's development token. Local only: this server
 * listens on 127.0.0.1, where anyone can already run `npm run token`; the stack has no such routes.
 */
async function serveConsole(req: IncomingMessage, res: ServerResponse, url: URL, method: string, c: LocalConsole): Promise<boolean> {
  const jsonHeaders = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (method === 'GET') {
    const file = consoleFile(url.pathname);
    if (file) {
      send(res, 200, file.headers, file.body);
      return true;
    }
    if (url.pathname === '/console-config.json') {
      send(res, 200, { ...jsonHeaders, ...consoleHeaders() }, JSON.stringify(c.config));
      return true;
    }
    if (url.pathname === '/local/people') {
      const people = c.people.map(({ id, name, team, roles }) => ({ id, name, team, roles }));
      send(res, 200, jsonHeaders, JSON.stringify({ people }));
      return true;
    }
    return false;
  }
  if (method === 'POST' && url.pathname === '/local/token') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 4096) {
        send(res, 413, jsonHeaders, JSON.stringify({ message: 'Request Entity Too Large' }));
        return true;
      }
      chunks.push(chunk as Buffer);
    }
    let id: unknown;
    try {
      id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { person?: unknown })?.person;
    } catch {
      id = undefined;
    }
    const person = c.people.find((p) => p.id === id);
    if (!person) {
      const issues = [{ path: 'body.person', message: `must be the id of a person in the directory (${c.people.map((p) => p.id).join(', ')})` }];
      send(res, 400, jsonHeaders, JSON.stringify({ error: 'validation', message: 'Unknown person', issues }));
      return true;
    }
    send(res, 200, jsonHeaders, JSON.stringify({ token: await c.mint(person) }));
    return true;
  }
  return false;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer) {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A Lambda context for a local invocation. `timeoutMs` is what `getRemainingTimeInMillis` counts
 * down from: an API function's 29 s (API Gateway's limit) by default. The bus's consumers get less
 * (local/runtime.ts): an idempotency claim taken by a process that was killed holds until then.
 */
export function lambdaContext(name: string, requestId: string = randomUUID(), timeoutMs = 29_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `changeflow-local-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:changeflow-local-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/changeflow-local-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
