/**
 * Bounded capture of a process stream. Past the budget the middle is dropped: the head and the
 * tail are kept (the first lines often say what ran, the last ones why it stopped) with a
 * `…[truncated N bytes]…` marker between them, so outputs stay within a Step Functions payload.
 */
import { truncationMarker } from './trim-middle.ts';

/** Default budget per captured stream, in bytes. */
export const DEFAULT_OUTPUT_BYTES = 64 * 1024;

/** Collects a stream's bytes within a budget, keeping its head and tail. */
export class OutputBuffer {
  private readonly half: number;
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  /** @param budget bytes kept at most (plus the marker) @default DEFAULT_OUTPUT_BYTES */
  constructor(private readonly budget: number = DEFAULT_OUTPUT_BYTES) {
    this.half = Math.floor(budget / 2);
  }

  /** Adds a chunk. */
  push(chunk: Buffer | string): void {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.total += buf.length;
    if (this.headBytes < this.half) {
      const take = Math.min(this.half - this.headBytes, buf.length);
      this.head.push(buf.subarray(0, take));
      this.headBytes += take;
      buf = buf.subarray(take);
    }
    if (buf.length === 0) return;
    this.tail.push(buf);
    this.tailBytes += buf.length;
    if (this.tailBytes > 2 * (this.budget - this.half)) this.compactTail();
  }

  private compactTail(): void {
    const keep = this.budget - this.half;
    const joined = Buffer.concat(this.tail);
    this.tail = [joined.subarray(joined.length - keep)];
    this.tailBytes = keep;
  }

  /** The captured text, with the marker when bytes were dropped. */
  text(): string {
    const head = Buffer.concat(this.head);
    if (this.total <= this.budget) return Buffer.concat([head, ...this.tail]).toString('utf8');
    this.compactTail();
    const dropped = this.total - head.length - this.tailBytes;
    return `${head.toString('utf8')}${truncationMarker(dropped)}${Buffer.concat(this.tail).toString('utf8')}`;
  }
}
