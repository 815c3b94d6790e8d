/** The people directory on the same table: a profile item per person, one item per role held. */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Person, Role } from '../../core/change-request.js';
import { normaliseId } from '../../core/identity.js';
import type { Directory } from '../../ports.js';
import { queryAll } from './query.js';

export class DynamoDbDirectory implements Directory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<Person | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `USER#${normaliseId(id)}`, sk: 'PROFILE' } }));
    return (out.Item?.person as Person | undefined) ?? null;
  }

  async byEmail(email: string): Promise<Person | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: emailKey(email) }));
    const id = out.Item?.id as string | undefined;
    if (!id) return null;
    // the person as they are now: an email they no longer have finds nobody
    const person = await this.get(id);
    return person && person.email.trim().toLowerCase() === email.trim().toLowerCase() ? person : null;
  }

  async withRole(role: Role): Promise<Person[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ROLE#${role}` },
    });
    return items.map((i) => i.person as Person);
  }

  /** Writes a person and their role memberships together, dropping roles they no longer hold. */
  async put(person: Person): Promise<void> {
    const before = await this.get(person.id);
    const dropped = (before?.roles ?? []).filter((r) => !person.roles.includes(r));
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { pk: `USER#${normaliseId(person.id)}`, sk: 'PROFILE', person } } },
          ...(person.email ? [{ Put: { TableName: this.tableName, Item: { ...emailKey(person.email), id: person.id } } }] : []),
          ...person.roles.map((role) => ({ Put: { TableName: this.tableName, Item: { pk: `ROLE#${role}`, sk: `USER#${normaliseId(person.id)}`, person } } })),
          ...dropped.map((role) => ({ Delete: { TableName: this.tableName, Key: { pk: `ROLE#${role}`, sk: `USER#${normaliseId(person.id)}` } } })),
        ],
      }),
    );
  }
}

/** The item that finds a person by their email (lower case). */
const emailKey = (email: string) => ({ pk: `EMAIL#${email.trim().toLowerCase()}`, sk: 'USER' });
