/**
 * The outbox's delivery in AWS: the table's stream (filtered to new outbox items) invokes this
 * function, which publishes each record's event to the bus. Powertools batch processing answers
 * with the records that failed, so the stream retries those and not the batch (then the
 * event source mapping's dead-letter queue).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBRecord, DynamoDBStreamEvent, DynamoDBBatchResponse } from 'aws-lambda';
import { relayRecord } from '../adapters/dynamodb/outbox.js';
import { logger } from '../logger.js';
import type { EventPublisher } from '../ports.js';

export const makeHandler = (deps: { publisher: EventPublisher }) => {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const record = async (r: DynamoDBRecord) => {
    await relayRecord(deps, r as Parameters<typeof relayRecord>[1]);
  };
  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => processPartialResponse(event, record, processor, { context }));
};
