/**
 * The one DynamoDB table (docs/data-model.md) and who may do what with it. Every grant names the
 * exact actions the stores make: the table's own grantReadData would also allow Scan, which no
 * request path may use.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type CfnTable, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { COMMUNICATION_KEY_PREFIX } from '../../functions/adapters/dynamodb/communication-log.js';
import { TABLE_KEYS } from '../../functions/adapters/dynamodb/table.js';
import type { ChangeflowFunction } from './function.js';
import { acknowledge } from './nag.js';

/** The global secondary indexes of docs/data-model.md (all projected in full), from TABLE_KEYS. */
export const GSI_NAMES = TABLE_KEYS.indexes.map((i) => i.name);

/** DynamoDB actions per tableAccess of a route group: no Scan, no deletes (see TABLE_DELETE_ACTIONS). */
export const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'],
  'read-write': [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
} as const;

/** Added for a route group with `tableDelete` only: deleting items is not part of read-write. */
export const TABLE_DELETE_ACTIONS = ['dynamodb:DeleteItem'] as const;

/** Partition keys of the idempotency records `Once` writes (functions/adapters/dynamodb/once.ts). */
export const IDEMPOTENCY_KEY_PREFIX = 'IDEMPOTENCY#';

/** Partition keys of the people directory (functions/adapters/dynamodb/directory.ts): `USER#<id>`, `ROLE#<role>`, `EMAIL#<email>` (who a Slack user is). */
export const DIRECTORY_KEY_PREFIXES = ['USER#', 'ROLE#', 'EMAIL#'] as const;

/** What a role that may write the table is refused on the directory's items; a transaction is checked item by item as these. */
export const DIRECTORY_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;

/** What Once does with its records: claim (Put), mark done (Update), release a claim whose effect failed (Delete). */
const IDEMPOTENCY_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

export interface ChangeflowDataProps {
  /**
   * What happens to the table when it leaves the stack (or the stack is deleted).
   *
   * @default RemovalPolicy.RETAIN - change requests and their audit trails outlive the stack
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class ChangeflowData extends Construct {
  readonly table: Table;
  /** How cdk-nag names the index wildcard that a grant on the table adds. */
  private readonly indexWildcardFinding: string;
  /** The functions already refused the directory's items. */
  private readonly directoryDenied = new Set<ChangeflowFunction>();

  constructor(scope: Construct, id: string, props: ChangeflowDataProps = {}) {
    super(scope, id);
    // A child of the stack, not of this construct: the table keeps the logical ID it had before the
    // constructs (test/infra/logical-ids.test.ts); a new one would make CloudFormation replace it.
    this.table = new Table(Stack.of(this), 'Table', {
      // the same key schema DynamoDB Local gets from ensureTable(): one definition for both runtimes
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      // the outbox's delivery (lib/constructs/outbox-relay.ts): the same view ensureTable gives DynamoDB Local
      stream: StreamViewType[TABLE_KEYS.streamView],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    for (const gsi of TABLE_KEYS.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    this.indexWildcardFinding = `Resource::<${Stack.of(this).getLogicalId(this.table.node.defaultChild as CfnTable)}.Arn>/index/*`;
  }

  /**
   * Change requests, their audit trails and the calendar: read (Get, Query, transactions' condition
   * checks), or read and write (Put, Update); deletes only when asked for (the calendar's events).
   */
  grantChanges(fn: ChangeflowFunction, access: 'read' | 'read-write', options: { readonly deleteItems?: boolean } = {}): void {
    this.grantOnTableAndIndexes(fn, [...TABLE_ACTIONS[access], ...(options.deleteItems ? TABLE_DELETE_ACTIONS : [])]);
    if (access === 'read-write') this.denyDirectoryWrites(fn);
  }

  /** The people directory, by id and by role: GetItem and Query, nothing else. */
  grantReadDirectory(fn: ChangeflowFunction): void {
    this.grantOnTableAndIndexes(fn, ['dynamodb:GetItem', 'dynamodb:Query']);
  }

  /** The records of Once (Powertools idempotency), and no other item: their partition keys start with IDEMPOTENCY#. */
  grantIdempotencyRecords(fn: ChangeflowFunction): void {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...IDEMPOTENCY_ACTIONS],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${IDEMPOTENCY_KEY_PREFIX}*`] } },
      }),
    );
    this.denyDirectoryWrites(fn);
  }

  /** The communication log's entries (PutItem), and no other item: their partition keys start with COMM#. */
  grantWriteCommunicationLog(fn: ChangeflowFunction): void {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${COMMUNICATION_KEY_PREFIX}*`] } },
      }),
    );
    this.denyDirectoryWrites(fn);
  }

  /**
   * No function writes the people directory: it is seeded by hand (docs/deploy.md, section 5). A
   * role that may write the table is refused its items explicitly, which no Allow added later overrides.
   */
  private denyDirectoryWrites(fn: ChangeflowFunction): void {
    if (this.directoryDenied.has(fn)) return;
    this.directoryDenied.add(fn);
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: [...DIRECTORY_WRITE_ACTIONS],
        resources: [this.table.tableArn],
        // ForAnyValue: a batch is refused if any of its items is the directory's
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': DIRECTORY_KEY_PREFIXES.map((p) => `${p}*`) } },
      }),
    );
  }

  /** Exactly these actions on the table and its indexes (the list queries read the indexes). */
  private grantOnTableAndIndexes(fn: ChangeflowFunction, actions: readonly string[]): void {
    this.table.grant(fn.role, ...actions);
    acknowledge(
      fn.role,
      `IAM5[${this.indexWildcardFinding}]`,
      `The wildcard is limited to the indexes of this one table, which the list queries read (${GSI_NAMES.join(', ')} of docs/data-model.md).`,
    );
  }
}
