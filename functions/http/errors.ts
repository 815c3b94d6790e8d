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
  logger?.error('unexpected error', err as Error);
  return json(500, { error: 'internal', message: 'Something went wrong on our side.', correlationId });
}
