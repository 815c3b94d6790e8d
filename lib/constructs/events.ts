/** The domain event bus every change-request write publishes to (functions/core/events.ts), and its archive. */
import { Duration, Stack } from 'aws-cdk-lib';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../functions/core/events.js';
import type { ChangeflowFunction } from './function.js';

export interface ChangeflowEventsProps {
  /** The bus's name (EVENT_BUS_NAME), one per copy of the stack in an account and region. */
  readonly busName: string;
}

export class ChangeflowEvents extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;

  constructor(scope: Construct, id: string, props: ChangeflowEventsProps) {
    super(scope, id);
    // Children of the stack, not of this construct: the named bus and the archive keep the logical
    // IDs they had before the constructs (test/infra/logical-ids.test.ts); a new archive starts empty.
    this.bus = new EventBus(Stack.of(this), 'EventBus', { eventBusName: props.busName, description: 'ChangeFlow domain events (functions/core/events.ts)' });
    // Fourteen days of every event, to replay into a consumer (a new one, or one that was broken
    // for longer than its dead-letter queue shows): as long as the notifications' dedupe records
    // live (functions/adapters/dynamodb/once.ts), so a replay inside the archive never emails twice.
    this.archive = new Archive(Stack.of(this), 'EventArchive', {
      sourceEventBus: this.bus,
      description: 'ChangeFlow domain events, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(14),
    });
  }

  /** A function that writes change requests publishes their events: PutEvents on this bus only, named in EVENT_BUS_NAME. */
  grantPublish(fn: ChangeflowFunction): void {
    this.bus.grantPutEventsTo(fn.role);
    fn.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
  }
}
