/**
 * The local runtime's half of the outbox (docs/events.md): it reads the table's stream on DynamoDB
 * Local, as the EventRelay function's event source mapping does in AWS, and hands each record to
 * the same `relayRecord` that function runs, publishing to the in-process bus.
 *
 * Exactly once after a restart: a record is checkpointed (in the table, `LOCAL#RELAY`) only after
 * every consumer took its event, and at start the relay reads the shard from its first retained
 * record and skips what the checkpoint says was delivered. DynamoDB Local keeps the stream across
 * a kill (with a data folder), but hides records older than 24 h and deletes them after 30 h idle,
 * after which sequence numbers restart: when the newest record is older than the checkpoint, the
 * relay falls back to the outbox items written since the checkpoint (read by day on gsi3).
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { outboxEvents, relayRecord } from '../functions/adapters/dynamodb/outbox.js';
import type { EventPublisher } from '../functions/ports.js';

interface Checkpoint {
  /** Per shard, the sequence number of the last record whose event every consumer took. */
  shards: Record<string, string>;
  /** When the last delivered event happened: the fallback reads the outbox from here. */
  at: string;
}

const CHECKPOINT_KEY = { pk: 'LOCAL#RELAY', sk: 'CHECKPOINT' };
const POLL_MS = 50;

export interface RelayOptions {
  endpoint: string;
  tableName: string;
  db: DynamoDBDocumentClient;
  publisher: EventPublisher;
  onError?: (err: unknown) => void;
}

export class LocalStreamRelay {
  private readonly streams: DynamoDBStreamsClient;
  private readonly raw: DynamoDBClient;
  private iterators = new Map<string, string | undefined>();
  private checkpoint: Checkpoint = { shards: {}, at: new Date(0).toISOString() };
  private timer: NodeJS.Timeout | undefined;
  private cycling: Promise<number> | undefined;
  private stopped = false;
  /** Records delivered since the start, and those found again after a restart. */
  readonly counts = { delivered: 0, skippedAsDelivered: 0, fromFallback: 0 };

  constructor(private readonly options: RelayOptions) {
    const connection = { endpoint: options.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    this.streams = new DynamoDBStreamsClient(connection);
    this.raw = new DynamoDBClient(connection);
  }

  /** Catches up with everything committed before now (a restart included), then follows the stream. */
  async start(): Promise<void> {
    const kept = await this.options.db.send(new GetCommand({ TableName: this.options.tableName, Key: CHECKPOINT_KEY, ConsistentRead: true }));
    if (kept.Item?.checkpoint) this.checkpoint = kept.Item.checkpoint as Checkpoint;
    await this.drain();
    const tick = () => {
      if (this.stopped) return;
      this.cycle()
        .catch((err) => this.options.onError?.(err))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, POLL_MS);
        });
    };
    this.timer = setTimeout(tick, POLL_MS);
  }

  /** Delivers every record committed so far: for tests ("wait until delivered") and a clean stop. */
  async drain(): Promise<void> {
    // A pass the timer started may have read the shards before the caller's write: let it end, then
    // pass again, so what was committed before drain() was called is delivered when it returns.
    await this.cycling?.catch(() => undefined);
    while ((await this.cycle()) > 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.cycling?.catch(() => undefined);
    this.streams.destroy();
    this.raw.destroy();
  }

  /** One pass over every shard; answers how many records it delivered. Never two passes at once. */
  private cycle(): Promise<number> {
    this.cycling ??= this.pass().finally(() => {
      this.cycling = undefined;
    });
    return this.cycling;
  }

  private async pass(): Promise<number> {
    const table = await this.raw.send(new DescribeTableCommand({ TableName: this.options.tableName }));
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) return 0;
    const shards = (await this.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
    let delivered = 0;
    for (const shard of shards) {
      const shardId = shard.ShardId!;
      if (!this.iterators.has(shardId)) await this.openShard(streamArn, shardId);
      delivered += await this.readShard(streamArn, shardId);
    }
    return delivered;
  }

  /**
   * From the shard's first retained record, skipping what the checkpoint says was delivered. If
   * the newest record is older than the checkpoint, the stream was purged and renumbered: the
   * outbox items since the checkpoint are delivered first (the consumers drop what they had).
   */
  private async openShard(streamArn: string, shardId: string): Promise<void> {
    this.iterators.set(shardId, await this.iterator(streamArn, shardId));
    const done = this.checkpoint.shards[shardId];
    if (!done) return;
    const probe = await this.peekNewest(streamArn, shardId);
    if (probe !== undefined && BigInt(probe) < BigInt(done)) {
      await this.fallback();
      delete this.checkpoint.shards[shardId];
    }
  }

  private async iterator(streamArn: string, shardId: string): Promise<string | undefined> {
    const out = await this.streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    return out.ShardIterator;
  }

  private async peekNewest(streamArn: string, shardId: string): Promise<string | undefined> {
    let iterator = await this.iterator(streamArn, shardId);
    let newest: string | undefined;
    while (iterator) {
      const out = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const records = out.Records ?? [];
      if (records.length === 0) break;
      newest = records.at(-1)?.dynamodb?.SequenceNumber ?? newest;
      iterator = out.NextShardIterator;
    }
    return newest;
  }

  private async readShard(streamArn: string, shardId: string): Promise<number> {
    let delivered = 0;
    for (;;) {
      const iterator = this.iterators.get(shardId);
      if (!iterator) return delivered;
      let records: _Record[];
      try {
        const out = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
        records = out.Records ?? [];
        this.iterators.set(shardId, out.NextShardIterator);
      } catch (err) {
        // an iterator lives 15 minutes; a trimmed one is renewed from the start (the checkpoint skips)
        if (err instanceof ExpiredIteratorException || err instanceof TrimmedDataAccessException) {
          this.iterators.set(shardId, await this.iterator(streamArn, shardId));
          return delivered;
        }
        throw err;
      }
      if (records.length === 0) return delivered;
      for (const record of records) {
        const seq = record.dynamodb?.SequenceNumber ?? '0';
        const done = this.checkpoint.shards[shardId];
        if (done && BigInt(seq) <= BigInt(done)) {
          this.counts.skippedAsDelivered++;
          continue;
        }
        const event = await relayRecord({ publisher: this.options.publisher }, record as Parameters<typeof relayRecord>[1]);
        // Saved after each event only: the checkpoint is an item of the table, so its own write is a
        // record of the stream too (skipped, as not an event), and saving on every record would
        // never reach the end of the shard.
        if (event) {
          this.checkpoint = { shards: { ...this.checkpoint.shards, [shardId]: seq }, at: event.time };
          await this.saveCheckpoint();
          this.counts.delivered++;
          delivered++;
        }
      }
    }
  }

  /** The outbox items written since the checkpoint, in order, when the stream lost them. */
  private async fallback(): Promise<void> {
    for (const event of await outboxEvents(this.options.db, this.options.tableName, { since: this.checkpoint.at })) {
      await this.options.publisher.publish([event]);
      this.counts.fromFallback++;
    }
  }

  private async saveCheckpoint(): Promise<void> {
    await this.options.db.send(new PutCommand({ TableName: this.options.tableName, Item: { ...CHECKPOINT_KEY, checkpoint: this.checkpoint } }));
  }
}
