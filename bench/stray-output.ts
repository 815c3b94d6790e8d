/**
 * Output the handlers write to stderr while being measured (Powertools Metrics warns through its
 * own Console, whatever POWERTOOLS_LOG_LEVEL says). In Lambda each such line is a synchronous write
 * that ends up in CloudWatch, so it stays in the measured path: it is written to /dev/null instead
 * of the terminal (still one write syscall) and counted, so the report can say how often it happens.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export class StrayOutput {
  private readonly counts = new Map<string, number>();
  private readonly sink = openSync('/dev/null', 'w');
  private readonly original = process.stderr.write.bind(process.stderr);

  constructor() {
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const key = text.trim().split('\n')[0]!.slice(0, 60);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      writeSync(this.sink, text);
      // Honour a write callback, as a real stream would.
      const callback = rest.find((r): r is () => void => typeof r === 'function');
      callback?.();
      return true;
    }) as typeof process.stderr.write;
  }

  /** Lines written so far: a mark to count what one invocation wrote. */
  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** Distinct first lines (up to 60 characters) and how many times each was written. */
  summary(): { line: string; count: number }[] {
    return [...this.counts].map(([line, count]) => ({ line, count })).sort((a, b) => b.count - a.count);
  }

  restore(): void {
    process.stderr.write = this.original as typeof process.stderr.write;
    closeSync(this.sink);
  }
}
