/**
 * One middy handler per route group: Powertools logging and metrics, a correlation id on every
 * log line and response, dispatch on API Gateway's route key, and the one error mapper.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { NotFoundError } from '../core/errors.js';
import { logger } from '../logger.js';
import { errorResponse } from './errors.js';
import type { HttpResult } from './responses.js';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type Route = (event: ApiEvent) => Promise<HttpResult>;

export { logger };
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ChangeFlow',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'changeflow',
  // its warnings (an empty flush after a refused request) obey the log level like every other line
  logger,
});

const correlation = (): MiddlewareObj<ApiEvent, HttpResult> => {
  const id = (event: ApiEvent) => event.headers?.['x-correlation-id'] ?? event.requestContext?.requestId;
  const stamp = (request: { event: ApiEvent; response: HttpResult | undefined | null }) => {
    if (request.response) request.response.headers = { ...request.response.headers, 'x-correlation-id': id(request.event) ?? '' };
  };
  return {
    before: (request) => {
      logger.appendKeys({ correlationId: id(request.event), route: request.event.routeKey });
    },
    after: stamp,
    onError: (request) => {
      request.response = errorResponse(request.error, id(request.event), logger);
      stamp(request);
    },
  };
};

/**
 * Publishes the metrics a request recorded, and only then: a refused request records none, and an
 * empty flush would log a warning for an ordinary 4xx (Powertools' `logMetrics` warns on it).
 */
const publishRecordedMetrics = (): MiddlewareObj<ApiEvent, HttpResult> => {
  const flush = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    else metrics.clearDimensions();
  };
  return { after: flush, onError: flush };
};

/** `emitsMetrics`: route groups that record business metrics publish them after each request. */
export function httpApi(routes: Record<string, Route>, options: { emitsMetrics?: boolean } = {}) {
  const handler = middy<ApiEvent, HttpResult>({ timeoutEarlyInMillis: 0 }).use(injectLambdaContext(logger, { resetKeys: true }));
  if (options.emitsMetrics) handler.use(publishRecordedMetrics());
  return handler.use(correlation()).handler(async (event) => {
    const route = routes[event.routeKey];
    if (!route) throw new NotFoundError(`no route ${event.routeKey}`);
    return route(event);
  });
}
