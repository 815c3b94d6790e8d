/**
 * ChangeStore on one DynamoDB table (docs/data-model.md). Every state change is one transaction:
 * the CR conditioned on the version that was read, plus its new audit entries, each put only if
 * absent. No Scan anywhere.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { lastMeetingDecision } from '../../core/decisions.js';
import type { AuditEntry, ChangeRequest } from '../../core/change-request.js';
import { toDomainEvents } from '../../core/events.js';
import { OUTBOX_DAYS, outboxKey, outboxTimeKey } from './outbox.js';
import { ValidationError, VersionConflictError } from '../../core/errors.js';
import type { ChangeStore, ChangeWithAudit, ListPage, ListQuery } from '../../ports.js';
import { queryAll } from './query.js';

/** States in which a change holds its slot on the calendar. */
const ON_CALENDAR: readonly string[] = ['approved', 'scheduled', 'in_progress', 'monitoring'];

const crKey = (id: string) => ({ pk: `CR#${id}`, sk: 'CR' });
const auditKey = (id: string, seq: number) => ({ pk: `CR#${id}`, sk: `AUDIT#${String(seq).padStart(6, '0')}` });

/** Which index serves a list query, and the names of its keys (a cursor must carry exactly these). */
const INDEXES = {
  state: { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk' },
  category: { name: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk' },
  all: { name: 'gsi3', pk: 'gsi3pk', sk: 'gsi3sk' },
  deployed: { name: 'gsi5', pk: 'gsi5pk', sk: 'gsi5sk' },
} as const;

export class DynamoDbChangeStore implements ChangeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async nextSequence(day: string): Promise<number> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `SEQ#${day}`, sk: 'SEQ' },
        UpdateExpression: 'ADD #last :one',
        ExpressionAttributeNames: { '#last': 'last' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.last);
  }

  async create(cr: ChangeRequest, audit: AuditEntry[]): Promise<void> {
    await this.transact(
      [
        { Put: { TableName: this.tableName, Item: changeItem(cr), ConditionExpression: 'attribute_not_exists(pk)' } },
        ...this.auditPuts(cr.id, audit),
        ...this.outboxPuts(cr, audit),
      ],
      cr,
    );
  }

  async save(expectedVersion: number, next: ChangeRequest, audit: AuditEntry[]): Promise<void> {
    await this.transact(
      [
        {
          Put: {
            TableName: this.tableName,
            Item: changeItem(next),
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        ...this.auditPuts(next.id, audit),
        ...this.outboxPuts(next, audit),
      ],
      next,
    );
  }

  async get(id: string): Promise<ChangeWithAudit | null> {
    let cr: ChangeRequest | undefined;
    const audit: AuditEntry[] = [];
    // One Query returns the CR and its trail (audit entries sort before `CR`).
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CR#${id}` },
      ConsistentRead: true,
    });
    for (const item of items) {
      if (item.sk === 'CR') cr = item.cr as ChangeRequest;
      else if (typeof item.sk === 'string' && item.sk.startsWith('AUDIT#')) audit.push(item.entry as AuditEntry);
    }
    return cr ? { cr, audit } : null;
  }

  async list(query: ListQuery): Promise<ListPage> {
    const index = query.state ? INDEXES.state : query.category ? INDEXES.category : INDEXES.all;
    const partition = query.state ? `STATE#${query.state}` : query.category ? `CATEGORY#${query.category}` : 'CHANGES';
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: index.name,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': index.pk, '#sk': index.sk },
      // `createdAt#id` sorts after `to` exactly when createdAt >= to: BETWEEN gives [from, to).
      ExpressionAttributeValues: { ':pk': partition, ':from': query.from ?? '0000', ':to': query.to ?? '9999' },
      ScanIndexForward: false,
      Limit: query.limit,
      ExclusiveStartKey: query.after ? startKey(query.after, index, partition) : undefined,
    };
    const filter = listFilter(query);
    if (filter) {
      input.FilterExpression = filter.expression;
      Object.assign(input.ExpressionAttributeNames!, filter.names);
      Object.assign(input.ExpressionAttributeValues!, filter.values);
    }
    // A filter drops items after DynamoDB reads `Limit` of them: read on (a few pages at most) so a
    // filtered page is not needlessly empty; the cursor is where the last read stopped.
    const items: ChangeRequest[] = [];
    let next: Record<string, string> | undefined;
    for (let reads = 0; reads < (filter ? FILTERED_READS : 1); reads++) {
      const out = await this.db.send(new QueryCommand({ ...input, Limit: query.limit - items.length, ExclusiveStartKey: next ?? input.ExclusiveStartKey }));
      items.push(...(out.Items ?? []).map((i) => i.cr as ChangeRequest));
      next = out.LastEvaluatedKey ? (out.LastEvaluatedKey as Record<string, string>) : undefined;
      if (!next || items.length >= query.limit) break;
    }
    return { items, next };
  }

  async listDeployed(query: Pick<ListQuery, 'from' | 'to' | 'limit' | 'after'>): Promise<ListPage> {
    const index = INDEXES.deployed;
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': index.pk, '#sk': index.sk },
        ExpressionAttributeValues: { ':pk': 'DEPLOYED', ':from': query.from ?? '0000', ':to': query.to ?? '9999' },
        Limit: query.limit,
        ExclusiveStartKey: query.after ? startKey(query.after, index, 'DEPLOYED') : undefined,
      }),
    );
    return {
      items: (out.Items ?? []).map((i) => i.cr as ChangeRequest),
      next: out.LastEvaluatedKey ? (out.LastEvaluatedKey as Record<string, string>) : undefined,
    };
  }

  async decidedInMeeting(meeting: string): Promise<ChangeRequest[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi6',
      KeyConditionExpression: 'gsi6pk = :pk',
      ExpressionAttributeValues: { ':pk': meetingKey(meeting) },
    });
    return items.map((i) => i.cr as ChangeRequest);
  }

  private auditPuts(id: string, audit: AuditEntry[]) {
    return audit.map((entry) => ({
      Put: {
        TableName: this.tableName,
        Item: { ...auditKey(id, entry.seq), entry },
        // The trail is append-only: an entry is never overwritten.
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }));
  }

  /**
   * The outbox (docs/events.md): each entry's domain event, written in the same transaction as the
   * change, in a partition of its own so that reading a change never reads them. The table's
   * stream delivers them to the bus; they expire after OUTBOX_DAYS.
   */
  private outboxPuts(cr: ChangeRequest, audit: AuditEntry[]) {
    const expiresAt = Math.floor(Date.parse(cr.updatedAt) / 1000) + OUTBOX_DAYS * 86_400;
    return toDomainEvents(cr, audit).map((event, i) => ({
      Put: {
        TableName: this.tableName,
        Item: { ...outboxKey(cr.id, audit[i]!.seq), ...outboxTimeKey(event), type: event.type, event, expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }));
  }

  private async transact(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>, cr: ChangeRequest) {
    try {
      // the SDK retries a call whose answer was lost with the same token: DynamoDB then answers
      // the first outcome instead of failing the condition the first attempt already changed
      await this.db.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: randomUUID() }));
    } catch (err) {
      if (err instanceof TransactionCanceledException) {
        const first = err.CancellationReasons?.[0];
        const current = first?.Item?.version;
        const version = current && 'N' in current && current.N !== undefined ? Number(current.N) : undefined;
        // Lost the race: the condition failed, or DynamoDB cancelled a concurrent transaction on the item.
        throw new VersionConflictError(version, `change request ${cr.id} was changed by someone else; re-read it and try again`);
      }
      throw err;
    }
  }
}

/**
 * A position to start a query after, checked against the index and partition it is for: a
 * position from another list would reach DynamoDB as a bad ExclusiveStartKey (a 500).
 */
const meetingKey = (meeting: string) => `MEETING#${meeting}`;

/** The item a change is kept as, with the keys of every index it is on (the bench writes the same items). */
export function changeItem(cr: ChangeRequest) {
  const order = `${cr.createdAt}#${cr.id}`;
  const meeting = lastMeetingDecision(cr);
  return {
    ...crKey(cr.id),
    version: cr.version,
    gsi1pk: `STATE#${cr.state}`,
    gsi1sk: order,
    gsi2pk: `CATEGORY#${cr.content.category}`,
    gsi2sk: order,
    gsi3pk: 'CHANGES',
    gsi3sk: order,
    // sparse: only committed changes with a planned window are on the calendar index
    ...(ON_CALENDAR.includes(cr.state) && cr.content.plannedWindow
      ? { gsi4pk: 'ONCALENDAR', gsi4sk: `${new Date(cr.content.plannedWindow.start).toISOString()}#${cr.id}` }
      : {}),
    // sparse: deployed changes by the time of their deployment (DORA's figures read them here)
    ...(cr.deployedAt ? { gsi5pk: 'DEPLOYED', gsi5sk: `${cr.deployedAt}#${cr.id}` } : {}),
    // sparse: the change-board meeting it was last decided in (the minutes read it)
    ...(meeting ? { gsi6pk: meetingKey(meeting.meeting), gsi6sk: `${meeting.at}#${cr.id}` } : {}),
    // what `q` searches: the id and the title, lower-cased
    search: `${cr.id} ${cr.content.title}`.toLowerCase(),
    cr,
  };
}

/** Reads of the index one filtered page may take before it answers with what it found and a cursor. */
const FILTERED_READS = 8;

/** The list's filters that no index serves, as one DynamoDB filter expression. */
function listFilter(query: ListQuery) {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  const on = (path: string[]) =>
    path
      .map((p) => {
        names[`#${p}`] = p;
        return `#${p}`;
      })
      .join('.');
  // a state list is read off the state index; its category is then a filter
  if (query.state && query.category) {
    parts.push(`${on(['cr', 'content', 'category'])} = :category`);
    values[':category'] = query.category;
  }
  if (query.risk) {
    parts.push(`${on(['cr', 'riskLevel'])} = :risk`);
    values[':risk'] = query.risk;
  }
  if (query.team) {
    parts.push(`${on(['cr', 'requestor', 'team'])} = :team`);
    values[':team'] = query.team;
  }
  if (query.requestor) {
    parts.push(`${on(['cr', 'requestor', 'id'])} = :requestor`);
    values[':requestor'] = query.requestor;
  }
  if (query.component) {
    parts.push(
      `(contains(${on(['cr', 'content', 'description', 'components'])}, :component) OR contains(${on(['cr', 'content', 'description', 'otherComponents'])}, :component))`,
    );
    values[':component'] = query.component;
  }
  if (query.q) {
    parts.push(`contains(${on(['search'])}, :q)`);
    values[':q'] = query.q;
  }
  return parts.length ? { expression: parts.join(' AND '), names, values } : undefined;
}

function startKey(after: Record<string, string>, index: { pk: string; sk: string }, partition: string): Record<string, string> {
  const bad = () => new ValidationError([{ path: 'query.cursor', message: 'belongs to another list: ask again without the cursor' }]);
  const expected = ['pk', 'sk', index.pk, index.sk].sort();
  if (JSON.stringify(Object.keys(after).sort()) !== JSON.stringify(expected)) throw bad();
  if (!Object.values(after).every((v) => typeof v === 'string' && v.length > 0 && v.length < 300)) throw bad();
  if (after[index.pk] !== partition || !after.pk!.startsWith('CR#') || after.sk !== 'CR') throw bad();
  return after;
}
