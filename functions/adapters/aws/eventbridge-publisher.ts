/** EventPublisher on an EventBridge bus: PutEvents in batches of 10, failed entries retried once. */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { requireSettings, type Config } from '../../config.js';
import { EVENT_SOURCE, type BusEvent } from '../../core/events.js';
import type { EventPublisher } from '../../ports.js';

export class EventBridgePublisher implements EventPublisher {
  /** The publisher of the event relay: it needs the bus. */
  static fromConfig(config: Config): EventBridgePublisher {
    return new EventBridgePublisher(
      new EventBridgeClient({}),
      requireSettings(config, ['EVENT_BUS_NAME'], 'the event relay publishes to that bus').EVENT_BUS_NAME,
    );
  }

  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: BusEvent[]): Promise<void> {
    const all: PutEventsRequestEntry[] = events.map((e) => ({
      EventBusName: this.busName,
      Source: EVENT_SOURCE,
      DetailType: e.type,
      Time: new Date(e.time),
      Resources: [],
      Detail: JSON.stringify(e),
    }));
    for (const batch of batches(all)) {
      let entries = batch;
      for (let attempt = 0; attempt < 2 && entries.length; attempt++) {
        const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
        entries = out.FailedEntryCount ? entries.filter((_, j) => out.Entries?.[j]?.ErrorCode) : [];
      }
      if (entries.length) throw new Error(`EventBridge refused ${entries.length} event(s): ${entries.map((e) => e.DetailType).join(', ')}`);
    }
  }
}

/** PutEvents takes at most 10 entries and 256 KB a request; stay under both. */
const MAX_REQUEST_BYTES = 240 * 1024;

function batches(entries: PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const out: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let size = 0;
  for (const entry of entries) {
    const bytes = Buffer.byteLength(entry.Detail ?? '') + Buffer.byteLength(entry.DetailType ?? '') + Buffer.byteLength(entry.Source ?? '');
    if (current.length === 10 || (current.length > 0 && size + bytes > MAX_REQUEST_BYTES)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += bytes;
  }
  if (current.length) out.push(current);
  return out;
}
