/**
 * Counts DynamoDB round trips on the very client the handlers use, by middleware on its stack, so
 * the figure is what the code does rather than what the data model says it should do.
 */
import { performance } from 'node:perf_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface Trips {
  /** Command names in the order they were sent (one entry per `send`). */
  commands: string[];
  /** HTTP requests, retries included: differs from `commands.length` only if the SDK retried. */
  http: number;
  /**
   * Milliseconds with at least one `send` in flight (marshalling, HTTP, DynamoDB Local,
   * unmarshalling). Sends made in parallel (the calendar reads) count once, as wall-clock time.
   */
  sdkMs: number;
}

export class RoundTripCounter {
  private readonly sent: string[] = [];
  private http = 0;
  private sdkMs = 0;
  private inFlight = 0;
  private busySince = 0;

  constructor(client: DynamoDBDocumentClient) {
    // `initialize` runs once per send; the lib-dynamodb commands report the low-level name
    // (QueryCommand, TransactWriteItemsCommand, …), which is what tells a Query from a Scan.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        this.sent.push(String(context.commandName ?? 'unknown'));
        // Timing the whole send here splits an invocation into "in the SDK" and "everything else";
        // the clock runs while any send is in flight, so overlapping sends are not counted twice.
        if (this.inFlight++ === 0) this.busySince = performance.now();
        try {
          return await next(args);
        } finally {
          if (--this.inFlight === 0) this.sdkMs += performance.now() - this.busySince;
        }
      },
      { step: 'initialize', name: 'benchSendCounter' },
    );
    // `deserialize` sits inside the retry middleware, so it runs once per HTTP attempt.
    client.middlewareStack.add(
      (next) => async (args) => {
        this.http++;
        return next(args);
      },
      { step: 'deserialize', name: 'benchHttpCounter' },
    );
  }

  /** Round trips made while `fn` runs. Calls are sequential in the benchmark, so marks nest safely. */
  async during<T>(fn: () => Promise<T>): Promise<{ value: T; trips: Trips }> {
    const mark = this.sent.length;
    const http0 = this.http;
    const sdk0 = this.sdkMs;
    const value = await fn();
    return { value, trips: { commands: this.sent.slice(mark), http: this.http - http0, sdkMs: this.sdkMs - sdk0 } };
  }
}

/** Round trips of one operation across all its invocations. */
export class TripTally {
  private readonly perCall: number[] = [];
  private readonly names = new Set<string>();
  private http = 0;
  /** The commands of the first invocation recorded, in the order sent. */
  sequence: string[] = [];

  record(trips: Trips): void {
    if (this.perCall.length === 0) this.sequence = trips.commands;
    this.perCall.push(trips.commands.length);
    for (const c of trips.commands) this.names.add(c);
    this.http += trips.http;
  }

  get min() {
    return Math.min(...this.perCall);
  }

  get max() {
    return Math.max(...this.perCall);
  }

  get commands(): string[] {
    return [...this.names].sort();
  }

  get retries(): number {
    return this.http - this.perCall.reduce((a, b) => a + b, 0);
  }

  /** "2", or "2–3" when invocations differed. */
  toString(): string {
    if (this.perCall.length === 0) return '–';
    return this.min === this.max ? String(this.min) : `${this.min}–${this.max}`;
  }
}
