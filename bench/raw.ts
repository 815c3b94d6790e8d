/**
 * The DynamoDB calls the store makes for each operation (docs/data-model.md), made directly with
 * the same DocumentClient and with items of the same size: the floor the handlers are compared to.
 *
 * Items are copies of ones the real handlers wrote (captured by `snapshot`), re-keyed to their own
 * partitions. Their index partition keys get a prefix, so the copies cost the same index writes
 * but never show up in the lists (or on the change calendar) the handlers are measured on.
 *
 * Filing and submitting a change with a planned window also read the change calendar (declared
 * events, and committed changes around the window: functions/use-cases/changes.ts
 * `scheduleFindings`), two Queries in parallel; `{ calendar: true }` makes the same two reads.
 */
import { QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/** A change request's partition as stored: the CR item and its audit items. */
export interface Partition {
  cr: Item;
  audit: Item[];
}

/** What one step wrote: the CR item after it, and the audit items it added. */
export interface Step {
  cr: Item;
  newAudit: Item[];
}

const INDEX_PARTITION_KEYS = ['gsi1pk', 'gsi2pk', 'gsi3pk', 'gsi4pk'] as const;
/** The calendar store's look-back for windows that started before a range (calendar-store.ts MAX_WINDOW_DAYS). */
const MAX_WINDOW_DAYS = 31;

export class RawCalls {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Reads a partition the way the store's `get` does; also what captures the templates. */
  async snapshot(id: string): Promise<Partition> {
    const items = await this.queryPartition(id);
    const cr = items.find((i) => i.sk === 'CR');
    if (!cr) throw new Error(`no CR item in partition ${id}`);
    return { cr, audit: items.filter((i) => String(i.sk).startsWith('AUDIT#')) };
  }

  /** What a step added between two snapshots of the same partition. */
  static step(before: Partition, after: Partition): Step {
    const seen = new Set(before.audit.map((a) => a.sk));
    return { cr: after.cr, newAudit: after.audit.filter((a) => !seen.has(a.sk)) };
  }

  /** create: [the calendar reads,] UpdateItem ADD on a sequence item, then TransactWriteItems Put CR + Put audit. */
  async create(id: string, template: Partition, options: { calendar?: boolean } = {}): Promise<void> {
    if (options.calendar) await this.calendarReads(template.cr);
    // Its own sequence item: the handlers' day sequence is left alone.
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: 'SEQ#bench-raw', sk: 'SEQ' },
        UpdateExpression: 'ADD #last :one',
        ExpressionAttributeNames: { '#last': 'last' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: this.rekey(template.cr, id), ConditionExpression: 'attribute_not_exists(pk)' } },
          ...this.auditPuts(template.audit, id),
        ],
      }),
    );
  }

  /** get: one Query on the partition, strongly consistent as the store reads. */
  async get(id: string): Promise<void> {
    await this.queryPartition(id);
  }

  /** Any state change: Query, [the calendar reads,] then Put CR conditioned on the version read + Put each new audit entry. */
  async transition(id: string, step: Step, options: { calendar?: boolean } = {}): Promise<void> {
    const items = await this.queryPartition(id);
    if (options.calendar) await this.calendarReads(step.cr);
    const version = Number(items.find((i) => i.sk === 'CR')?.version);
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...this.rekey(step.cr, id), version: version + 1 },
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': version },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          ...this.auditPuts(step.newAudit, id),
        ],
      }),
    );
  }

  /** list all, first page: Query gsi3 newest first with a Limit, as the store builds it. */
  async list(limit: number): Promise<number> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': 'gsi3pk', '#sk': 'gsi3sk' },
        ExpressionAttributeValues: { ':pk': 'CHANGES', ':from': '0000', ':to': '9999' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return out.Items?.length ?? 0;
  }

  /** The change calendar around the CR's planned window, as the calendar store reads it: two Queries, in parallel. */
  private async calendarReads(crItem: Item): Promise<void> {
    const window = (crItem.cr as { content?: { plannedWindow?: { start: string; end: string } } } | undefined)?.content?.plannedWindow;
    if (!window) throw new Error('the template CR has no planned window');
    const earliest = new Date(Date.parse(window.start) - MAX_WINDOW_DAYS * 86_400_000).toISOString();
    await Promise.all([
      this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'CALENDAR' } })),
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi4',
          KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk BETWEEN :earliest AND :to',
          FilterExpression: '#cr.#content.#window.#end > :from',
          ExpressionAttributeNames: { '#cr': 'cr', '#content': 'content', '#window': 'plannedWindow', '#end': 'end' },
          ExpressionAttributeValues: { ':pk': 'ONCALENDAR', ':earliest': earliest, ':to': window.end, ':from': window.start },
        }),
      ),
    ]);
  }

  private async queryPartition(id: string): Promise<Item[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CR#${id}` },
        ConsistentRead: true,
      }),
    );
    return out.Items ?? [];
  }

  private rekey(cr: Item, id: string): Item {
    const item: Item = { ...cr, pk: `CR#${id}` };
    for (const k of INDEX_PARTITION_KEYS) if (cr[k] !== undefined) item[k] = `BENCH#${String(cr[k])}`;
    return item;
  }

  private auditPuts(audit: Item[], id: string) {
    return audit.map((a) => ({
      Put: { TableName: this.tableName, Item: { ...a, pk: `CR#${id}` }, ConditionExpression: 'attribute_not_exists(pk)' },
    }));
  }
}
