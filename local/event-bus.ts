/**
 * The in-process event bus of the local runtime: the same events EventBridge carries in AWS,
 * delivered to the same consumer functions, with what EventBridge's rule targets do for them —
 * retries with backoff, then a dead letter (kept and reported). `publish` answers when every
 * consumer has taken the events (or dead-lettered them), so the stream relay checkpoints only
 * what was handled: nothing is lost when the process dies.
 */
import type { BusEvent } from '../functions/core/events.js';
import type { EventPublisher } from '../functions/ports.js';

export type Subscriber = (event: BusEvent) => Promise<void>;

export interface DeadLetter {
  event: BusEvent;
  consumer: string;
  error: string;
  attempts: number;
}

export interface BusOptions {
  /** Attempts per delivery before it is dead-lettered (EventBridge: up to 185 over 24 h). Default 12. */
  attempts?: number;
  /** First retry's delay; each next one doubles, up to maxDelayMs, half of it random. Default 250 ms. */
  retryBaseMs?: number;
  /** The longest wait between two attempts. Default 15 s. */
  maxDelayMs?: number;
  onDeadLetter?: (letter: DeadLetter) => void;
  /** A delivery that failed and will be tried again. */
  onRetry?: (failure: DeadLetter) => void;
}

/**
 * By default a delivery is retried for at least 52 s (at most about 105 s) before it is dead-lettered:
 * longer than a consumer's claim on an event lives when the process that took it died (a Lambda
 * context's remaining time, 29 s locally), so an event taken by a killed process is delivered
 * again after the restart instead of being dead-lettered as "in progress".
 */
const DEFAULTS = { attempts: 12, retryBaseMs: 250, maxDelayMs: 15_000 };

export class InProcessEventBus implements EventPublisher {
  private readonly subscribers: { name: string; types: readonly string[] | '*'; deliver: Subscriber }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  readonly published: BusEvent[] = [];
  readonly deadLetters: DeadLetter[] = [];

  constructor(private readonly options: BusOptions = {}) {}

  /** Like an EventBridge rule: `types` are the detail-types it matches. */
  subscribe(name: string, types: readonly string[] | '*', deliver: Subscriber): void {
    this.subscribers.push({ name, types, deliver });
  }

  async publish(events: BusEvent[]): Promise<void> {
    for (const event of events) {
      this.published.push(event);
      const deliveries = this.subscribers.filter((s) => s.types === '*' || s.types.includes(event.type)).map((s) => this.deliver(s, event));
      const all = Promise.all(deliveries).then(() => undefined);
      this.inFlight.add(all);
      try {
        await all;
      } finally {
        this.inFlight.delete(all);
      }
    }
  }

  /** Resolves when every delivery so far has finished: for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async deliver(s: { name: string; deliver: Subscriber }, event: BusEvent): Promise<void> {
    const attempts = this.options.attempts ?? DEFAULTS.attempts;
    for (let attempt = 1; ; attempt++) {
      try {
        await s.deliver(event);
        return;
      } catch (err) {
        if (attempt >= attempts) {
          const letter = { event, consumer: s.name, error: (err as Error).message ?? String(err), attempts };
          this.deadLetters.push(letter);
          this.options.onDeadLetter?.(letter);
          return;
        }
        this.options.onRetry?.({ event, consumer: s.name, error: (err as Error).message ?? String(err), attempts: attempt });
        const delay = Math.min(this.options.maxDelayMs ?? DEFAULTS.maxDelayMs, (this.options.retryBaseMs ?? DEFAULTS.retryBaseMs) * 2 ** attempt);
        // equal jitter: never less than half the delay, so the retries outlast what they wait for
        await new Promise((r) => setTimeout(r, delay / 2 + (Math.random() * delay) / 2));
      }
    }
  }
}
