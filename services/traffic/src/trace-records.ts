/**
 * The requests worth opening in the traces view, kept in fixed memory: the slowest responses of
 * the last few minutes and the last failed requests, each with the trace id the target returned
 * in `traceresponse`. Recording is on the generator's hot path (thousands of requests a second
 * under overload), so it allocates nothing for a request that makes neither list: the common case
 * is one comparison with the current bucket's fastest kept entry.
 */
import type { PlannedRequest, RequestKind } from './journeys.js';
import type { RequestOutcome } from './target-client.js';
import type { OutcomeClass } from './window-stats.js';

/** How long a slow request stays in the slowest list. */
export const SLOWEST_WINDOW_MS = 5 * 60_000;
/** Length of each list. */
export const SLOWEST_COUNT = 20;
export const FAILED_COUNT = 20;
/** The slowest window is kept as buckets of this length, each with its own top SLOWEST_COUNT. */
const BUCKET_MS = 30_000;

/** One request as GET /api/traces/recent lists it. */
export interface TracedRequest {
  /** When it was sent (wall clock, ISO 8601). */
  time: string;
  /** The journey step it was. */
  journey: RequestKind;
  method: string;
  /** The route template, e.g. /api/v1/orders/{id} (the path is the request's own). */
  route: string;
  path: string;
  /** The HTTP status; null for a timeout or a connection error. */
  status: number | null;
  outcome: OutcomeClass;
  durationMs: number;
  /** From the response's traceresponse header; null when there was none (or it was malformed). */
  traceId: string | null;
  /** The connection error's code (ECONNREFUSED…), for outcome `error`. */
  errorCode?: string;
}

/** GET /api/traces/recent. */
export interface RecentTraces {
  /** The slowest responses of the last windowSeconds, slowest first. */
  slowest: TracedRequest[];
  /** The last failed requests (5xx, timeouts, connection errors), newest first. */
  failed: TracedRequest[];
  windowSeconds: number;
  /** Responses since start with a valid traceresponse, and without one: says whether the target traces at all. */
  responses: { traced: number; untraced: number };
}

/** What is kept of a request: small fields only, never the body it sent. */
interface Entry {
  /** Monotonic ms when it was sent. */
  at: number;
  journey: RequestKind;
  method: string;
  path: string;
  status: number | undefined;
  outcome: OutcomeClass;
  durationMs: number;
  traceId: string | undefined;
  errorCode: string | undefined;
}

interface Bucket {
  index: number;
  entries: Entry[];
  /** Position and duration of the fastest kept entry: the one a slower request replaces. */
  minAt: number;
  minDurationMs: number;
}

export interface TraceRecordsOptions {
  /** Monotonic ms of the wall clock's epoch (Date.now() - performance.now() in the service). */
  wallOffsetMs: number;
  /** The route template of each journey step. */
  routes: Record<RequestKind, string>;
  slowestCount?: number;
  failedCount?: number;
  windowMs?: number;
}

/** The two bounded lists; `at` and `now` are the generator's monotonic clock in ms. */
export class TraceRecords {
  private readonly slowestCount: number;
  private readonly failedCount: number;
  private readonly windowMs: number;
  private readonly buckets: Bucket[];
  private readonly failedRing: Entry[] = [];
  private failedNext = 0;
  private traced = 0;
  private untraced = 0;

  constructor(private readonly options: TraceRecordsOptions) {
    this.slowestCount = options.slowestCount ?? SLOWEST_COUNT;
    this.failedCount = options.failedCount ?? FAILED_COUNT;
    this.windowMs = options.windowMs ?? SLOWEST_WINDOW_MS;
    const slots = Math.ceil(this.windowMs / BUCKET_MS) + 1;
    this.buckets = Array.from({ length: slots }, () => ({ index: Number.NEGATIVE_INFINITY, entries: [], minAt: 0, minDurationMs: 0 }));
  }

  /** Notes one finished request sent at `at` (monotonic ms). */
  record(at: number, request: PlannedRequest, result: RequestOutcome): void {
    const failed = result.outcome === '5xx' || result.outcome === 'timeout' || result.outcome === 'error';
    if (result.status !== undefined) {
      if (result.traceId === undefined) this.untraced += 1;
      else this.traced += 1;
      const bucket = this.bucket(at);
      // The hot path: a full bucket and a request no slower than its fastest kept one.
      if (bucket.entries.length >= this.slowestCount && result.latencyMs <= bucket.minDurationMs) {
        if (failed) this.pushFailed(entry(at, request, result));
        return;
      }
      const kept = entry(at, request, result);
      this.keepSlow(bucket, kept);
      if (failed) this.pushFailed(kept);
      return;
    }
    if (failed) this.pushFailed(entry(at, request, result));
  }

  /** Both lists as of `now`. */
  recent(now: number): RecentTraces {
    const since = now - this.windowMs;
    const slow: Entry[] = [];
    for (const b of this.buckets) {
      if ((b.index + 1) * BUCKET_MS <= since) continue;
      for (const e of b.entries) if (e.at > since && e.at <= now) slow.push(e);
    }
    slow.sort((a, b) => b.durationMs - a.durationMs);
    const failed: Entry[] = [];
    for (let i = 1; i <= this.failedRing.length; i++) {
      failed.push(this.failedRing[(this.failedNext - i + this.failedCount) % this.failedCount]!);
    }
    return {
      slowest: slow.slice(0, this.slowestCount).map((e) => this.view(e)),
      failed: failed.map((e) => this.view(e)),
      windowSeconds: this.windowMs / 1000,
      responses: { traced: this.traced, untraced: this.untraced },
    };
  }

  private bucket(at: number): Bucket {
    const index = Math.floor(at / BUCKET_MS);
    const bucket = this.buckets[((index % this.buckets.length) + this.buckets.length) % this.buckets.length]!;
    if (bucket.index !== index) {
      bucket.index = index;
      bucket.entries = [];
      bucket.minDurationMs = 0;
    }
    return bucket;
  }

  /** Adds to the bucket's top list, replacing its fastest entry once it is full. */
  private keepSlow(bucket: Bucket, kept: Entry): void {
    if (bucket.entries.length < this.slowestCount) bucket.entries.push(kept);
    else bucket.entries[bucket.minAt] = kept;
    if (bucket.entries.length < this.slowestCount) return;
    // O(count), and rare: the k-th request of a bucket enters its top list with probability count/k.
    let minAt = 0;
    for (let i = 1; i < bucket.entries.length; i++) if (bucket.entries[i]!.durationMs < bucket.entries[minAt]!.durationMs) minAt = i;
    bucket.minAt = minAt;
    bucket.minDurationMs = bucket.entries[minAt]!.durationMs;
  }

  private pushFailed(kept: Entry): void {
    if (this.failedRing.length < this.failedCount) this.failedRing.push(kept);
    else this.failedRing[this.failedNext] = kept;
    this.failedNext = (this.failedNext + 1) % this.failedCount;
  }

  private view(e: Entry): TracedRequest {
    return {
      time: new Date(this.options.wallOffsetMs + e.at).toISOString(),
      journey: e.journey,
      method: e.method,
      route: this.options.routes[e.journey].replace(/^[A-Z]+ /, ''),
      path: e.path,
      status: e.status ?? null,
      outcome: e.outcome,
      durationMs: Math.round(e.durationMs * 10) / 10,
      traceId: e.traceId ?? null,
      ...(e.errorCode === undefined ? {} : { errorCode: e.errorCode }),
    };
  }
}

function entry(at: number, request: PlannedRequest, result: RequestOutcome): Entry {
  return {
    at,
    journey: request.kind,
    method: request.method,
    path: request.path,
    status: result.status,
    outcome: result.outcome,
    durationMs: result.latencyMs,
    traceId: result.traceId,
    errorCode: result.errorCode,
  };
}
