/**
 * The fulfillment outbox relay: moves `fulfillment` outbox rows to the Redis stream
 * `fulfillment:requests` and marks them sent (reliability.md §3.1, the job drain).
 *
 * One round, in one transaction: claim a batch with FOR UPDATE SKIP LOCKED (so several relays
 * share the work and never send a row twice), XADD the batch in one pipeline, then mark the
 * delivered rows sent, move their orders from pending to fulfilling, and give the failed rows an
 * exponential backoff. Delivery is at least once: if the process dies after XADD and before
 * COMMIT the rows are sent again, and the worker deduplicates by order.
 *
 * Event rows (`destination = 'events'`) are not touched here; the index on (destination, seq)
 * keeps a backlog of them from slowing this relay down.
 */
import type { Logger } from '@orderlab/platform';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { inTransaction } from './database.js';
import { backoffMs } from './domain/backoff.js';
import { buildOutboxListener } from './outbox-listener.js';
import type { OrdersCache } from './redis-cache.js';
import { throttledWarn } from './throttled-log.js';

export interface OutboxRelayOptions {
  pool: pg.Pool;
  redis: Redis;
  cache: OrdersCache;
  logger: Logger;
  /** For the LISTEN connection (a pooled connection cannot hold a LISTEN). */
  databaseUrl: string;
  keyPrefix: string;
  batchSize: number;
  pollIntervalMs: number;
  maxBackoffMs: number;
  streamMaxLen: number;
  /** Randomness of the backoff jitter (tests pin it). */
  random?: () => number;
}

/** What one round did. */
export interface RelayRound {
  claimed: number;
  delivered: number;
  failed: number;
}

/** The running relay. */
export interface OutboxRelay {
  start(): void;
  /** Asks for a round now (coalesced with one in progress); a no-op unless started. */
  wake(): void;
  /** Stops waking up, lets the current batch finish, closes the LISTEN connection. */
  stop(): Promise<void>;
  /** Runs one round now (tests and tools); rounds never overlap within one relay. */
  relayOnce(): Promise<RelayRound>;
}

interface ClaimedRow {
  id: string;
  aggregate_id: string;
  request_id: string | null;
  traceparent: string | null;
  attempts: number;
}

const CLAIM_SQL = `
  SELECT id, aggregate_id, request_id, traceparent, attempts
    FROM outbox
   WHERE sent_at IS NULL AND destination = 'fulfillment' AND next_attempt_at <= now()
   ORDER BY seq
   LIMIT $1
     FOR UPDATE SKIP LOCKED`;

// Delivered rows are marked sent and their orders advance; failed rows wait for their backoff.
const SETTLE_SQL = `
  WITH sent AS (
    UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL
     WHERE id = ANY($1::uuid[])
    RETURNING aggregate_id
  ), retry AS (
    UPDATE outbox o
       SET attempts = o.attempts + 1,
           next_attempt_at = now() + r.delay_ms * interval '1 millisecond',
           last_error = r.error
      FROM unnest($2::uuid[], $3::int[], $4::text[]) AS r(id, delay_ms, error)
     WHERE o.id = r.id
  )
  UPDATE orders SET status = 'fulfilling', updated_at = now()
   WHERE id IN (SELECT aggregate_id FROM sent) AND status = 'pending'
  RETURNING id`;

const MAX_ERROR_LENGTH = 500;

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);
}

/** Builds the relay; nothing runs until start(). */
export function buildOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { pool, redis, cache, batchSize, maxBackoffMs, streamMaxLen, random = Math.random } = options;
  const log = options.logger.child({ component: 'outbox-relay' });
  const warn = throttledWarn(log);
  const streamKey = `${options.keyPrefix}fulfillment:requests`;
  const listener = buildOutboxListener({ databaseUrl: options.databaseUrl, logger: log, onNotify: () => wake() });

  let running = false;
  let current: Promise<unknown> | undefined;
  let wakeAgain = false;
  let pollTimer: NodeJS.Timeout | undefined;

  /** XADDs every row in one pipeline; the result holds each row's error, or null when delivered. */
  async function publish(rows: ClaimedRow[]): Promise<(Error | null)[]> {
    const enqueuedAt = new Date().toISOString();
    const pipeline = redis.pipeline();
    for (const row of rows) {
      pipeline.xadd(
        streamKey, 'MAXLEN', '~', streamMaxLen, '*',
        'order_id', row.aggregate_id,
        'request_id', row.request_id ?? '',
        'traceparent', row.traceparent ?? '',
        'enqueued_at', enqueuedAt,
        'outbox_id', row.id,
      );
    }
    try {
      const replies = (await pipeline.exec()) ?? [];
      return rows.map((_, i) => {
        const reply = replies[i];
        return reply ? reply[0] : new Error('no reply from redis');
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return rows.map(() => error);
    }
  }

  async function round(): Promise<RelayRound> {
    const { claimed, delivered, failed, advanced } = await inTransaction(pool, async (client) => {
      const { rows } = await client.query<ClaimedRow>(CLAIM_SQL, [batchSize]);
      if (rows.length === 0) return { claimed: 0, delivered: 0, failed: 0, advanced: [] as string[] };
      const errors = await publish(rows);
      const sent = rows.filter((_, i) => !errors[i]);
      const retry = rows.flatMap((row, i) => (errors[i] ? [{ row, error: errors[i] }] : []));
      const { rows: moved } = await client.query<{ id: string }>(SETTLE_SQL, [
        sent.map((row) => row.id),
        retry.map(({ row }) => row.id),
        retry.map(({ row }) => backoffMs(row.attempts + 1, maxBackoffMs, random)),
        retry.map(({ error }) => errorText(error)),
      ]);
      if (retry[0]) warn(retry[0].error, 'fulfillment requests not delivered; will retry with backoff');
      return { claimed: rows.length, delivered: sent.length, failed: retry.length, advanced: moved.map((row) => row.id) };
    });
    await cache.invalidateOrders(advanced);
    if (claimed > 0) log.debug({ claimed, delivered, failed }, 'outbox round');
    return { claimed, delivered, failed };
  }

  /** Rounds until a batch comes back short or fails; failures wait for the next poll. */
  async function drain(): Promise<void> {
    while (running) {
      let result: RelayRound;
      try {
        result = await round();
      } catch (err) {
        warn(err, 'outbox relay round failed; retrying at the next poll');
        return;
      }
      if (result.claimed < batchSize || result.failed > 0) return;
    }
  }

  /** Runs work as the relay's only activity; a wake-up that arrived meanwhile runs right after. */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const promise = work();
    current = promise
      .catch(() => undefined)
      .finally(() => {
        current = undefined;
        if (wakeAgain) {
          wakeAgain = false;
          wake();
        }
      });
    return promise;
  }

  function wake(): void {
    if (!running) return;
    if (current) {
      wakeAgain = true;
      return;
    }
    void exclusive(drain);
  }

  return {
    start() {
      if (running) return;
      running = true;
      listener.start();
      pollTimer = setInterval(wake, options.pollIntervalMs);
      pollTimer.unref();
      wake();
      log.info({ stream: streamKey, batchSize }, 'outbox relay started');
    },
    async stop() {
      running = false;
      clearInterval(pollTimer);
      await current;
      await listener.stop();
    },
    wake,
    async relayOnce() {
      while (current) await current;
      return exclusive(round);
    },
  };
}
