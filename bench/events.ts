/**
 * API Gateway v2 events and Lambda contexts built in process, in the shape local/server.ts builds
 * after verifying a token: the measured path has no HTTP server and no JWT check in it.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { Person } from '../functions/core/change-request.js';

export interface EventOptions {
  as?: Person;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

export function apiEvent(routeKey: string, options: EventOptions = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method, pathTemplate] = routeKey.split(' ') as [string, string];
  const path = pathTemplate.replace(/\{(\w+)\}/g, (_, p: string) => options.pathParameters?.[p] ?? p);
  const requestId = randomUUID();
  const now = new Date();
  const headers: Record<string, string> = { host: 'localhost', 'user-agent': 'changeflow-bench' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  // API Gateway flattens array claims to "[a b]"; the handlers parse that form.
  const claims = options.as
    ? { sub: options.as.id, name: options.as.name, email: options.as.email, team: options.as.team ?? '', roles: `[${options.as.roles.join(' ')}]` }
    : undefined;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers,
    queryStringParameters: options.query,
    pathParameters: options.pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'changeflow-bench' },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: claims ? { jwt: { claims, scopes: null }, principalId: '', integrationLatency: 0 } : undefined,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
