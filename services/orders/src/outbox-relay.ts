/**
 * The fulfillment outbox relay: moves `fulfillment` outbox rows to the Redis stream
 * `fulfillment:requests` and marks them sent.
 *
 * One round, in one transaction: claim a batch with FOR UPDATE SKIP LOCKED (so several relays
 * share the work and never send a row twice), XADD the batch in one pipeline, then mark the
 * delivered rows sent, move their orders from pending to fulfilling, and give the failed rows an
 * exponential backoff. Delivery is at least once: if the process dies after XADD and before
 * COMMIT the rows are sent again, and the worker deduplicates by order.
 *
 * Event rows (`destination = 'events'`) belong to event-relay.ts; the index on (destination, seq)
 * keeps a backlog of them from slowing this relay down. Claiming, backoff and scheduling are
 * shared with that relay (outbox-store.ts, relay-loop.ts).
 */
import { encodeFulfillmentRequest, FULFILLMENT_STREAMS } from '@orderlab/contracts/fulfillment-requests';
import { NO_METRICS, secondsSince } from '@orderlab/platform/metrics';
import { inSpan, startProducerSpan } from '@orderlab/platform/tracing';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { inTransaction } from './database.js';
import { claimOutboxRows, retryParams, retrySql, type ClaimedOutboxRow, type FailedDelivery } from './outbox-store.js';
import { sendRecorder } from './orders-metrics.js';
import type { OrdersCache } from './redis-cache.js';
import { buildRelayLoop, type Relay, type RelayOptions, type RelayRound } from './relay-loop.js';
import { throttledWarn } from './throttled-log.js';

export type { RelayRound } from './relay-loop.js';

export interface OutboxRelayOptions extends RelayOptions {
  redis: Redis;
  cache: OrdersCache;
  keyPrefix: string;
  streamMaxLen: number;
}

/** The running fulfillment relay. */
export type OutboxRelay = Relay;

interface ClaimedRow extends ClaimedOutboxRow {
  aggregate_id: string;
  request_id: string | null;
  traceparent: string | null;
}

// Delivered rows are marked sent and their orders advance; failed rows wait for their backoff.
const SETTLE_SQL = `
  WITH sent AS (
    UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL
     WHERE id = ANY($1::uuid[])
    RETURNING aggregate_id
  ), retry AS (
    ${retrySql('$2', '$3', '$4')}
  )
  UPDATE orders SET status = 'fulfilling', updated_at = now()
   WHERE id IN (SELECT aggregate_id FROM sent) AND status = 'pending'
  RETURNING id`;

/** Builds the relay; nothing runs until start(). */
export function buildOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { pool, redis, cache, batchSize, maxBackoffMs, streamMaxLen, random = Math.random } = options;
  const log = options.logger.child({ component: 'outbox-relay' });
  const warn = throttledWarn(log);
  const streamKey = `${options.keyPrefix}${FULFILLMENT_STREAMS.requests}`;
  // The destination is named without the key prefix, so every lab and test reads alike.
  const recordSend = sendRecorder(options.metrics ?? NO_METRICS, 'redis', FULFILLMENT_STREAMS.requests);

  /**
   * XADDs every row in one pipeline; the result holds each row's error, or null when delivered.
   * Each entry gets a producer span in the trace of the request that wrote its row, and carries
   * that span's traceparent to the worker.
   */
  async function publish(rows: ClaimedRow[]): Promise<(Error | null)[]> {
    const enqueuedAt = new Date().toISOString();
    const pipeline = redis.pipeline();
    const spans = rows.map((row) => startProducerSpan({
      system: 'redis',
      destination: FULFILLMENT_STREAMS.requests,
      parentTraceparent: row.traceparent,
      attributes: { 'orderlab.order.id': row.aggregate_id },
    }));
    for (const [i, row] of rows.entries()) {
      const fields = encodeFulfillmentRequest({
        orderId: row.aggregate_id,
        requestId: row.request_id,
        traceparent: spans[i]?.traceparent ?? row.traceparent,
        enqueuedAt,
        outboxId: row.id,
      });
      pipeline.xadd(streamKey, 'MAXLEN', '~', streamMaxLen, '*', ...fields);
    }
    let errors: (Error | null)[];
    try {
      const replies = (await pipeline.exec()) ?? [];
      errors = rows.map((_, i) => {
        const reply = replies[i];
        return reply ? reply[0] : new Error('no reply from redis');
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      errors = rows.map(() => error);
    }
    spans.forEach((span, i) => span.end(errors[i]));
    return errors;
  }

  async function round(): Promise<RelayRound> {
    const { claimed, delivered, failed, advanced } = await inTransaction(pool, async (client) => {
      const rows = await claimOutboxRows<ClaimedRow>(client, 'fulfillment', batchSize, 'id, aggregate_id, request_id, traceparent, attempts');
      if (rows.length === 0) return { claimed: 0, delivered: 0, failed: 0, advanced: [] as string[] };
      return inSpan('outbox relay round', { 'orderlab.outbox.claimed': rows.length }, () => deliver(client, rows));
    });
    await cache.invalidateOrders(advanced);
    if (claimed > 0) log.debug({ claimed, delivered, failed }, 'outbox round');
    return { claimed, delivered, failed };
  }

  /** Delivers claimed rows and settles them in the round's transaction (the round's span is active). */
  async function deliver(client: pg.PoolClient, rows: ClaimedRow[]): Promise<RelayRound & { advanced: string[] }> {
    const started = performance.now();
    const errors = await publish(rows);
    recordSend(errors, secondsSince(started));
    const sent = rows.filter((_, i) => !errors[i]);
    const retry: FailedDelivery[] = rows.flatMap((row, i) => (errors[i] ? [{ row, error: errors[i] }] : []));
    const { rows: moved } = await client.query<{ id: string }>(SETTLE_SQL, [
      sent.map((row) => row.id),
      ...retryParams(retry, maxBackoffMs, random),
    ]);
    if (retry[0]) warn(retry[0].error, 'fulfillment requests not delivered; will retry with backoff');
    return { claimed: rows.length, delivered: sent.length, failed: retry.length, advanced: moved.map((row) => row.id) };
  }

  return buildRelayLoop({
    name: 'outbox relay',
    logger: log,
    batchSize,
    pollIntervalMs: options.pollIntervalMs,
    round,
    startedFields: { stream: streamKey },
  });
}
