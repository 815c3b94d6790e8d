/**
 * The one place where errors become HTTP answers. Clients get a status, a code, a message and the
 * offending fields; never a stack trace. Anything unexpected is a 500 with a correlation id, and
 * the detail goes to the log only.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  ChangeFlowError,
  ForbiddenError,
  IllegalTransitionError,
  IncompleteError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  VersionConflictError,
} from '../core/errors.js';
import { json, type HttpResult } from './responses.js';

const STATUS: [new (...args: never[]) => ChangeFlowError, number][] = [
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [IllegalTransitionError, 409],
  [VersionConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [IncompleteError, 422],
];

export function errorResponse(err: unknown, correlationId: string | undefined, logger?: Logger): HttpResult {
  if (err instanceof ChangeFlowError) {
    const status = STATUS.find(([cls]) => err instanceof cls)?.[1] ?? 500;
    const body: Record<string, unknown> = { error: err.kind, message: err.message };
    if (err instanceof ValidationError || err instanceof IncompleteError) body.issues = err.issues;
    if (err instanceof VersionConflictError) body.currentVersion = err.currentVersion;
    if (err instanceof IllegalTransitionError) body.state = err.state;
    logger?.info('request refused', { status, error: err.kind, detail: err.message });
    return json(status, body, status === 401 ? { 'www-authenticate': 'Bearer' } : {});
  }
  if (isBackendBusy(err)) {
    // An AWS service was throttling or unreachable after the SDK's own retries: nothing the client
    // did. A write is one transaction, so it took effect whole or not at all (a lost answer may hide
    // which): the client reads, then retries.
    logger?.warn('a service the request needs was unavailable', err as Error);
    return json(
      503,
      {
        error: 'unavailable',
        message:
          'A service this request needs is busy or unreachable right now. A change request is written whole or not at all: read it to see whether this request took effect, then try again in a moment.',
        correlationId,
      },
      { 'retry-after': '2' },
    );
  }
  logger?.error('unexpected error', err as Error);
  return json(500, { error: 'internal', message: 'Something went wrong on our side.', correlationId });
}

/** Throttling and transient errors as the AWS SDK marks them (its retries spent), and timeouts. */
const BUSY_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalServerError',
  'TimeoutError',
  'RequestTimeout',
]);

function isBackendBusy(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: string; $retryable?: unknown; $metadata?: unknown };
  return e.$metadata !== undefined && (BUSY_NAMES.has(e.name ?? '') || e.$retryable !== undefined);
}
