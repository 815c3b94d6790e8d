/**
 * The in-process event bus of the local runtime: the same events EventBridge carries in AWS,
 * delivered to the same consumer functions, after the publishing request has answered.
 */
import type { DomainEvent } from '../functions/core/events.js';
import type { EventPublisher } from '../functions/ports.js';

export type Subscriber = (event: DomainEvent) => Promise<void>;

export class InProcessEventBus implements EventPublisher {
  private readonly subscribers: { types: readonly string[] | '*'; deliver: Subscriber }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  readonly published: DomainEvent[] = [];

  constructor(private readonly onError: (err: unknown, event: DomainEvent) => void) {}

  /** Like an EventBridge rule: `types` are the detail-types it matches. */
  subscribe(types: readonly string[] | '*', deliver: Subscriber): void {
    this.subscribers.push({ types, deliver });
  }

  async publish(events: DomainEvent[]): Promise<void> {
    for (const event of events) {
      this.published.push(event);
      for (const s of this.subscribers) {
        if (s.types !== '*' && !s.types.includes(event.type)) continue;
        const delivery = new Promise<void>((resolve) => setImmediate(resolve))
          .then(() => s.deliver(event))
          .catch((err) => this.onError(err, event))
          .finally(() => this.inFlight.delete(delivery));
        this.inFlight.add(delivery);
      }
    }
  }

  /** Resolves when every delivery so far (and those they caused) has finished: for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
}
