/**
 * A fixed-size log-scale latency histogram: constant memory however many samples, percentiles
 * within 5 % (each bucket is 5 % wider than the one before), mergeable across seconds.
 */

/** Upper bound of the first bucket, in ms. */
const FIRST_MS = 0.1;
/** Growth of bucket bounds: the relative error of a percentile is below this minus one. */
const GROWTH = 1.05;
/** Latencies above this (10 min) land in the last bucket. */
const LAST_MS = 600_000;
const BUCKETS = Math.ceil(Math.log(LAST_MS / FIRST_MS) / Math.log(GROWTH)) + 1;
const LOG_GROWTH = Math.log(GROWTH);

/** Upper bound, in ms, of bucket i. */
function upperBound(i: number): number {
  return FIRST_MS * GROWTH ** i;
}

/** Counts of latencies per log-scale bucket, plus the exact maximum. */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private n = 0;
  private maxMs = 0;

  /** Number of samples. */
  get count(): number {
    return this.n;
  }

  record(ms: number): void {
    const value = Math.max(ms, 0);
    const i = value <= FIRST_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(value / FIRST_MS) / LOG_GROWTH));
    this.counts[i]! += 1;
    this.n += 1;
    if (value > this.maxMs) this.maxMs = value;
  }

  /** Adds other's samples to this one. */
  merge(other: LatencyHistogram): void {
    if (other.n === 0) return;
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.n += other.n;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.maxMs = 0;
  }

  /** The p-th percentile (0 < p ≤ 100) in ms: the bound of its bucket, never above the maximum; null without samples. */
  percentile(p: number): number | null {
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      // The last bucket is open-ended: its bound would understate.
      if (seen >= rank) return i === BUCKETS - 1 ? this.maxMs : Math.min(upperBound(i), this.maxMs);
    }
    return this.maxMs;
  }
}
