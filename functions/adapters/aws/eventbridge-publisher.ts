/** EventPublisher on an EventBridge bus: PutEvents in batches of 10, failed entries retried once. */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type DomainEvent } from '../../core/events.js';
import type { EventPublisher } from '../../ports.js';

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: DomainEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      let entries: PutEventsRequestEntry[] = events.slice(i, i + 10).map((e) => ({
        EventBusName: this.busName,
        Source: EVENT_SOURCE,
        DetailType: e.type,
        Time: new Date(e.time),
        Resources: [],
        Detail: JSON.stringify(e),
      }));
      for (let attempt = 0; attempt < 2 && entries.length; attempt++) {
        const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
        entries = out.FailedEntryCount ? entries.filter((_, j) => out.Entries?.[j]?.ErrorCode) : [];
      }
      if (entries.length) throw new Error(`EventBridge refused ${entries.length} event(s): ${entries.map((e) => e.DetailType).join(', ')}`);
    }
  }
}
