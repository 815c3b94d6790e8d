/**
 * Reading the outbox back (the replay tool, the local relay after a restart): one change's events
 * from its partition, or every change's in a time window from the day partitions of gsi3, never a
 * Scan of the table. On the local runtime, with a clock the test moves across midnight.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/adapters/dynamodb/client.js';
import { outboxEvents } from '../../functions/adapters/dynamodb/outbox.js';
import { startApi, type Api } from '../api/harness.js';
import { completeContent } from '../fixtures.js';

let now = Date.parse('2027-03-01T23:59:00.000Z');
let api: Api;
let db: DynamoDBDocumentClient;
const ids: string[] = [];

beforeAll(async () => {
  api = await startApi({}, { clock: { now: () => new Date(now) } });
  db = documentClient({ endpoint: api.system.dynamoDb.endpoint });
  for (const at of ['2027-03-01T23:59:00.000Z', '2027-03-02T00:01:00.000Z']) {
    now = Date.parse(at);
    const res = await api.call('POST', '/changes', { body: completeContent() });
    expect(res.status, res.text).toBe(201);
    ids.push(res.body.id);
  }
});
afterAll(async () => {
  db?.destroy();
  await api?.stop();
});

const created = (events: { type: string; changeId?: string | undefined }[]) => events.filter((e) => e.type === 'ChangeCreated').map((e) => e.changeId);
const read = (query: { since?: string; until?: string; changeId?: string }) => outboxEvents(db, api.system.config.TABLE_NAME, query);

describe('Rule: a time window of the outbox is read day by day, in the order the events happened', () => {
  it('a window across midnight finds both days’ events, oldest first', async () => {
    expect(created(await read({ since: '2027-03-01T23:00:00.000Z', until: '2027-03-02T01:00:00.000Z' }))).toEqual(ids);
  });

  it('since and until bound the window: since is in it, until is not', async () => {
    expect(created(await read({ since: '2027-03-02T00:00:00.000Z', until: '2027-03-02T01:00:00.000Z' }))).toEqual([ids[1]]);
    expect(created(await read({ since: '2027-03-01T23:00:00.000Z', until: '2027-03-02T00:01:00.000Z' }))).toEqual([ids[0]]);
  });

  it('without until, everything from since on', async () => {
    expect(created(await read({ since: '2027-03-01T00:00:00.000Z' }))).toEqual(ids);
  });

  it('one change’s events come from its own partition', async () => {
    expect(created(await read({ changeId: ids[1]! }))).toEqual([ids[1]]);
  });

  it('neither a change nor a start is refused, not read as the whole table', async () => {
    await expect(read({})).rejects.toThrow(/give a change or the instant to read from/);
  });
});
