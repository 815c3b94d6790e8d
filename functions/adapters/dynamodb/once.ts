/**
 * `Once` on Powertools idempotency with the DynamoDB persistence layer, in the same table
 * (pk `IDEMPOTENCY#<scope>`, sk the hash of the key). A claim is one conditional put; a completed
 * key is never run again until its record expires; a concurrent claim is told it is in progress.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { ClaimHeldError, type Once } from '../../ports.js';

export class DynamoDbOnce implements Once {
  private readonly layers = new Map<string, DynamoDBPersistenceLayer>();
  private readonly config: IdempotencyConfig;

  constructor(
    private readonly tableName: string,
    private readonly clientConfig: DynamoDBClientConfig,
    /** How long a done key stays done: longer than any window in which the effect could be asked for again. */
    expiresAfterSeconds = 14 * 24 * 3600,
  ) {
    this.config = new IdempotencyConfig({ expiresAfterSeconds });
  }

  /** In Lambda: a claim held by an invocation that died is released when its time would have run out. */
  registerLambdaContext(context: Context): void {
    this.config.registerLambdaContext(context);
  }

  async run(scope: string, key: Record<string, unknown>, effect: () => Promise<void>): Promise<{ ran: boolean }> {
    let ran = false;
    const once = makeIdempotent(
      async (_key: Record<string, unknown>) => {
        ran = true;
        await effect();
        return { done: true };
      },
      { persistenceStore: this.layer(scope), config: this.config },
    );
    try {
      await once(key);
    } catch (err) {
      // Held by another run: it may still fail, or its process may have died holding it (the claim
      // then lapses when that run's time is up). Dropping this delivery could lose the effect for
      // good; failing it makes the bus retry, and the retry finds the effect done or the claim free.
      if (err instanceof IdempotencyAlreadyInProgressError)
        throw new ClaimHeldError(`${scope} ${JSON.stringify(key)} is being handled by another run; retry later`, { cause: err });
      throw err;
    }
    return { ran };
  }

  private layer(scope: string): DynamoDBPersistenceLayer {
    let layer = this.layers.get(scope);
    if (!layer) {
      layer = new DynamoDBPersistenceLayer({
        tableName: this.tableName,
        keyAttr: 'pk',
        sortKeyAttr: 'sk',
        staticPkValue: `IDEMPOTENCY#${scope}`,
        expiryAttr: 'expiresAt',
        clientConfig: this.clientConfig,
      });
      this.layers.set(scope, layer);
    }
    return layer;
  }
}
