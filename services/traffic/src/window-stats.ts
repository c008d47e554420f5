/**
 * Counts and latencies over a sliding window of whole seconds: a ring of per-second buckets,
 * so memory is fixed however high the rate.
 */
import { LatencyHistogram } from './latency-histogram.js';

/** How a request ended: the HTTP status class, or no response at all. */
export const OUTCOME_CLASSES = ['2xx', '3xx', '4xx', '5xx', 'timeout', 'error'] as const;
/** One outcome class. */
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];
/** A count per outcome class. */
export type OutcomeCounts = Record<OutcomeClass, number>;

/** The class of an HTTP status. */
export function statusClass(status: number): OutcomeClass {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  return '2xx';
}

/** Classes that count as failures of the target: 5xx, timeouts and connection errors. */
export function isFailure(outcome: OutcomeClass): boolean {
  return outcome === '5xx' || outcome === 'timeout' || outcome === 'error';
}

/** Zero of every class. */
export function zeroCounts(): OutcomeCounts {
  return { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, timeout: 0, error: 0 };
}

interface Bucket {
  second: number;
  sent: number;
  dropped: number;
  outcomes: OutcomeCounts;
  latency: LatencyHistogram;
}

/** What a window says. */
export interface WindowSummary {
  sent: number;
  dropped: number;
  outcomes: OutcomeCounts;
  /** p50/p95/p99 of every completed request (timeouts included, at their timeout), in ms. */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
}

/** The per-second ring; `now` is any monotonic clock in ms. */
export class WindowStats {
  private readonly buckets: Bucket[];

  /** windowSeconds: the longest window summaries may ask for. */
  constructor(private readonly windowSeconds: number) {
    this.buckets = Array.from({ length: windowSeconds + 1 }, () => ({
      second: Number.NEGATIVE_INFINITY,
      sent: 0,
      dropped: 0,
      outcomes: zeroCounts(),
      latency: new LatencyHistogram(),
    }));
  }

  recordSent(now: number): void {
    this.bucket(now).sent += 1;
  }

  recordDropped(now: number): void {
    this.bucket(now).dropped += 1;
  }

  recordOutcome(now: number, outcome: OutcomeClass, latencyMs: number): void {
    const bucket = this.bucket(now);
    bucket.outcomes[outcome] += 1;
    bucket.latency.record(latencyMs);
  }

  /** Everything in the last `windowSeconds` seconds, the current (partial) second included. */
  summary(now: number): WindowSummary {
    const current = Math.floor(now / 1000);
    const latency = new LatencyHistogram();
    const result: WindowSummary = { sent: 0, dropped: 0, outcomes: zeroCounts(), latencyMs: { p50: null, p95: null, p99: null } };
    for (const b of this.buckets) {
      if (b.second <= current - this.windowSeconds || b.second > current) continue;
      result.sent += b.sent;
      result.dropped += b.dropped;
      for (const c of Object.keys(b.outcomes) as OutcomeClass[]) result.outcomes[c] += b.outcomes[c];
      latency.merge(b.latency);
    }
    result.latencyMs = { p50: latency.percentile(50), p95: latency.percentile(95), p99: latency.percentile(99) };
    return result;
  }

  /**
   * Requests sent per second over the whole seconds of the window that began at or after
   * `sinceMs` (the mode's start): a mode switch shows at once instead of blending with the old
   * rate. Null until one whole second has passed.
   */
  sentRate(now: number, sinceMs: number): number | null {
    const current = Math.floor(now / 1000);
    const first = Math.max(current - this.windowSeconds, Math.ceil(sinceMs / 1000));
    if (first >= current) return null;
    let sent = 0;
    for (const b of this.buckets) if (b.second >= first && b.second < current) sent += b.sent;
    return sent / (current - first);
  }

  private bucket(now: number): Bucket {
    const second = Math.floor(now / 1000);
    const bucket = this.buckets[((second % this.buckets.length) + this.buckets.length) % this.buckets.length]!;
    if (bucket.second !== second) {
      bucket.second = second;
      bucket.sent = 0;
      bucket.dropped = 0;
      bucket.outcomes = zeroCounts();
      bucket.latency.reset();
    }
    return bucket;
  }
}
