/**
 * The at-least-once consumer loop of the fulfillment stream: reads new entries in the consumer
 * group, recovers this consumer's own pending entries at start, reclaims entries of dead
 * consumers with XAUTOCLAIM, keeps at most `concurrency` entries in flight, acks only after
 * the work is done, and dead-letters entries that cannot or will not succeed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { settleWithin, type Logger } from '@orderlab/platform';
import { secondsSince } from '@orderlab/platform/metrics';
import { withConsumerSpan, type ConsumerSpan } from '@orderlab/platform/tracing';
import { FULFILLMENT_REQUEST_FIELDS } from '@orderlab/contracts/fulfillment-requests';
import { performance } from 'node:perf_hooks';
import { decideAfterFailure, decideBeforeProcessing, readBackoffMs, reclaimIntervalMs } from './delivery-policy.js';
import { parseFulfillmentRequest, type FulfillmentRequest, type StreamEntry } from './fulfillment-request.js';
import { consumerMetrics, DESTINATION, type ConsumerMetrics, type ProcessErrorType } from './fulfillment-metrics.js';
import { isNoGroupError, type FulfillmentStream } from './fulfillment-stream.js';

/** What the consumer does with each request; errors thrown by handle() leave it pending or dead-letter it. */
export interface RequestHandler {
  /** 'ack' once the request needs no more work; 'keep' to leave it pending for a later redelivery. */
  handle(request: FulfillmentRequest, log: Logger): Promise<'ack' | 'keep'>;
  /** Called after a request was moved to the dead-letter stream; must not throw. */
  onDeadLetter(request: FulfillmentRequest, reason: string, log: Logger): Promise<void>;
  /** True when retrying after err cannot help. */
  isPermanentError(err: unknown): boolean;
  /** A one-line description of err for the dead letter's `reason`. */
  describeError(err: unknown): string;
}

export interface StreamConsumerOptions {
  stream: FulfillmentStream;
  handler: RequestHandler;
  logger: Logger;
  /** Entries in flight at most (also the largest XREADGROUP/XAUTOCLAIM COUNT). */
  concurrency: number;
  blockMs: number;
  claimIdleMs: number;
  maxDeliveries: number;
  /** Consumed, processed, redelivered and dead-lettered deliveries (no-ops by default). */
  metrics?: ConsumerMetrics;
  /**
   * How long stop() waits for the entries in flight (default 5 s, half the service's 10 s
   * shutdown). Entries still running then stay pending in the group, unacked, and are
   * reclaimed after a restart: late, never lost.
   */
  drainTimeoutMs?: number;
}

/** The running consumer. */
export interface StreamConsumer {
  /** Starts the read loop in the background. */
  start(): void;
  /** Stops reading, then waits (bounded) for the entries in flight to finish and be acked. */
  stop(): Promise<void>;
  /** Entries being processed right now. */
  inFlight(): number;
}

const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;

// Bounds one reclaim round, so a huge backlog of idle entries cannot starve new reads.
const MAX_RECLAIM_CALLS_PER_ROUND = 10;

/** Builds the consumer; nothing is read until start(). */
export function buildStreamConsumer(options: StreamConsumerOptions): StreamConsumer {
  const { stream, handler, concurrency, maxDeliveries, metrics = consumerMetrics() } = options;
  const log = options.logger.child({ component: 'stream-consumer' });
  const inFlight = new Map<string, Promise<void>>();
  const stopController = new AbortController();
  let loop: Promise<void> | undefined;
  let keepAliveTimer: NodeJS.Timeout | undefined;

  const free = () => concurrency - inFlight.size;

  function dispatch(entry: StreamEntry, deliveries: number): void {
    // Safety net: should an entry of ours be reclaimed while still in flight, never run it twice at once.
    if (inFlight.has(entry.id)) return;
    metrics.consumed(deliveries);
    // Each entry is handled in a consumer span, the child of the relay's producer span its
    // traceparent names: the order's trace goes on through the worker.
    const work = withConsumerSpan(
      { system: 'redis', destination: DESTINATION, messageId: entry.id, traceparent: entry.fields?.[FULFILLMENT_REQUEST_FIELDS.traceparent] },
      (span) => settle(entry, deliveries, span),
    ).finally(() => inFlight.delete(entry.id));
    inFlight.set(entry.id, work);
  }

  /** Processes one entry to a settled state: acked, dead-lettered, or left pending. Never rejects. */
  async function settle(entry: StreamEntry, deliveries: number, span: ConsumerSpan): Promise<void> {
    let entryLog = log.child({ message_id: entry.id, deliveries });
    const started = performance.now();
    let errorType: ProcessErrorType = '';
    try {
      if (entry.fields === null) {
        entryLog.warn('pending entry was trimmed from the stream before it was processed; acking it');
        await stream.ack(entry.id);
        return;
      }
      const parsed = parseFulfillmentRequest(entry.id, entry.fields);
      if (!parsed.ok) {
        entryLog = entryLog.child({ request_id: parsed.requestId });
        errorType = 'invalid';
        await deadLetter(entry.id, entry.fields, deliveries, `malformed request: ${parsed.reason}`, entryLog);
        return;
      }
      const { request } = parsed;
      entryLog = entryLog.child({ request_id: request.requestId, order_id: request.orderId });
      if (decideBeforeProcessing(deliveries, maxDeliveries) === 'dead-letter') {
        const reason = `delivered ${deliveries} times without completing`;
        errorType = 'failed';
        await deadLetter(entry.id, request.fields, deliveries, reason, entryLog);
        await handler.onDeadLetter(request, reason, entryLog);
        return;
      }
      if (!(await attempt(request, deliveries, entryLog))) errorType = 'failed';
    } catch (err) {
      // Only Redis failures of ack/dead-letter get here; the entry simply stays pending.
      errorType = 'failed';
      entryLog.error({ err }, 'could not settle the fulfillment request; it stays pending');
    } finally {
      if (errorType !== '') span.fail(errorType);
      metrics.processed(errorType, secondsSince(started));
    }
  }

  /** False when the handler failed (the request was left for a retry or dead-lettered). */
  async function attempt(request: FulfillmentRequest, deliveries: number, entryLog: Logger): Promise<boolean> {
    try {
      if ((await handler.handle(request, entryLog)) === 'keep') return true;
    } catch (err) {
      const permanent = handler.isPermanentError(err);
      if (decideAfterFailure({ deliveries, maxDeliveries, permanent }) === 'retry') {
        entryLog.warn({ err, max_deliveries: maxDeliveries }, 'fulfillment attempt failed; left pending for redelivery');
        return false;
      }
      const reason = `${permanent ? 'rejected' : `failed ${deliveries} times`}: ${handler.describeError(err)}`;
      await deadLetter(request.messageId, request.fields, deliveries, reason, entryLog);
      await handler.onDeadLetter(request, reason, entryLog);
      return false;
    }
    await stream.ack(request.messageId);
    entryLog.debug('fulfillment request acked');
    return true;
  }

  async function deadLetter(id: string, fields: Record<string, string>, deliveries: number, reason: string, entryLog: Logger) {
    await stream.deadLetter(id, fields, deliveries, reason);
    metrics.deadLettered();
    entryLog.error({ reason, dead_letter_stream: stream.keys.dead }, 'fulfillment request dead-lettered');
  }

  /** Dispatches entries whose delivery counts XPENDING knows; the rest were acked meanwhile. */
  async function dispatchPending(entries: StreamEntry[]): Promise<number> {
    const fresh = entries.filter((e) => !inFlight.has(e.id));
    const counts = await stream.deliveryCounts(fresh.map((e) => e.id));
    let dispatched = 0;
    for (const entry of fresh) {
      const deliveries = counts.get(entry.id);
      if (deliveries === undefined) continue;
      dispatch(entry, deliveries);
      dispatched += 1;
    }
    return dispatched;
  }

  /**
   * XAUTOCLAIM takes any entry idle for claimIdleMs, including one a live worker is still
   * processing (slow orders, long simulated steps). Touching our in-flight entries more often
   * than that keeps them ours and their delivery counts honest.
   */
  function keepInFlightAlive(): void {
    if (inFlight.size === 0) return;
    stream.keepAlive([...inFlight.keys()]).catch((err: unknown) => {
      log.warn({ err }, 'could not renew in-flight fulfillment requests; they may be reclaimed');
    });
  }

  let reclaimCursor = '0-0';
  async function reclaim(): Promise<void> {
    for (let call = 0; call < MAX_RECLAIM_CALLS_PER_ROUND && free() > 0; call += 1) {
      const claimed = await stream.claimIdle(options.claimIdleMs, reclaimCursor, free());
      reclaimCursor = claimed.cursor;
      if (claimed.deletedIds.length > 0) {
        // Trimmed before anyone processed them; orders' reconciler re-queues such orders.
        log.warn({ message_ids: claimed.deletedIds }, 'pending entries were trimmed from the stream; dropped from the group');
      }
      if (claimed.entries.length > 0) {
        const dispatched = await dispatchPending(claimed.entries);
        log.info({ claimed: claimed.entries.length, dispatched }, 'reclaimed idle fulfillment requests');
      }
      if (reclaimCursor === '0-0') return;
    }
  }

  async function run(): Promise<void> {
    const intervalMs = reclaimIntervalMs(options.claimIdleMs);
    let groupReady = false;
    let ownPendingCursor: string | null = '0';
    let nextReclaimAt = 0;
    let failures = 0;
    while (!stopController.signal.aborted) {
      try {
        if (free() <= 0) {
          await Promise.race(inFlight.values());
          continue;
        }
        if (!groupReady) {
          await stream.ensureGroup();
          groupReady = true;
        }
        if (ownPendingCursor !== null) {
          // After a restart under the same CONSUMER_NAME our old entries are still ours: redo them now.
          const entries = await stream.readOwnPending(free(), ownPendingCursor);
          if (entries.length > 0) {
            log.info({ count: entries.length }, 'resuming own pending fulfillment requests');
            await dispatchPending(entries);
          }
          ownPendingCursor = entries.at(-1)?.id ?? null;
        } else if (Date.now() >= nextReclaimAt) {
          await reclaim();
          nextReclaimAt = Date.now() + intervalMs;
        } else {
          const blockMs = Math.max(1, Math.min(options.blockMs, nextReclaimAt - Date.now()));
          for (const entry of await stream.readNew(free(), blockMs)) dispatch(entry, 1);
        }
        failures = 0;
      } catch (err) {
        if (isNoGroupError(err)) groupReady = false;
        failures += 1;
        const retryInMs = readBackoffMs(failures);
        log.error({ err, retry_in_ms: retryInMs }, 'reading the fulfillment stream failed');
        await sleep(retryInMs, undefined, { signal: stopController.signal }).catch(() => {});
      }
    }
  }

  return {
    start() {
      if (loop !== undefined) return;
      log.info({ stream: stream.keys.requests, concurrency }, 'consuming fulfillment requests');
      keepAliveTimer = setInterval(keepInFlightAlive, reclaimIntervalMs(options.claimIdleMs));
      loop = run();
    },
    async stop() {
      stopController.abort();
      await loop;
      clearInterval(keepAliveTimer);
      if (inFlight.size > 0) {
        const drainMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
        log.info({ in_flight: inFlight.size, drain_timeout_ms: drainMs }, 'waiting for in-flight fulfillment requests');
        const drained = await settleWithin(Promise.all(inFlight.values()), drainMs);
        if (!drained) log.warn({ in_flight: inFlight.size }, 'fulfillment requests still in flight at the drain deadline stay pending, to be reclaimed after a restart');
      }
      log.info('fulfillment consumer stopped');
    },
    inFlight: () => inFlight.size,
  };
}
