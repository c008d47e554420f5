import { TEST_REDIS_URL, waitFor } from '@orderlab/platform/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type pg from 'pg';
import { buildOutboxRelay, type OutboxRelayOptions } from '../src/outbox-relay.js';
import { buildOrdersCache } from '../src/redis-cache.js';
import { createStores, insertProducts, startOrders, type TestStores } from './helpers.js';

/** Stream entries as objects of their fields. */
async function streamEntries(redis: Redis, key: string): Promise<Record<string, string>[]> {
  const entries = await redis.xrange(key, '-', '+');
  return entries.map(([, fields]) => {
    const record: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) record[fields[i] as string] = fields[i + 1] as string;
    return record;
  });
}

/** Inserts `count` pending orders, each with an unsent fulfillment outbox row, without the service. */
async function insertPendingOrders(pool: pg.Pool, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await pool.query(
    `WITH o AS (
       INSERT INTO orders (id, customer_id, status, total_cents, currency)
       SELECT id, 'cust-relay', 'pending', 100, 'USD' FROM unnest($1::uuid[]) AS id
     )
     INSERT INTO outbox (destination, type, aggregate_id, payload, request_id)
     SELECT 'fulfillment', 'fulfillment.requested', id, jsonb_build_object('orderId', id), 'req-' || id FROM unnest($1::uuid[]) AS id`,
    [ids],
  );
  return ids;
}

function relayFor(stores: TestStores, redis: Redis, overrides: Partial<OutboxRelayOptions> = {}) {
  return buildOutboxRelay({
    pool: stores.pool,
    redis,
    cache: buildOrdersCache({ redis, keyPrefix: stores.prefix, productTtlS: 60, orderTtlS: 30, logger: stores.logger }),
    logger: stores.logger,
    keyPrefix: stores.prefix,
    batchSize: 50,
    pollIntervalMs: 50,
    maxBackoffMs: 100,
    streamMaxLen: 100_000,
    ...overrides,
  });
}

describe('outbox relay', () => {
  it('delivers a new order to the fulfillment stream at once, marks the row sent and the order fulfilling', async (t) => {
    // With the fallback poll a minute away, delivery within the wait proves the relay is woken by the commit.
    const orders = await startOrders(t, 'relay_deliver', { OUTBOX_POLL_INTERVAL_MS: '60000' });
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 100 }]);
    const { order } = await orders.client.createOrder(
      { customerId: 'cust-1', items: [{ productId: product, quantity: 1 }] },
      { metadata: { 'idempotency-key': 'k1', 'x-request-id': 'req-relay-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
    );
    assert.ok(order);
    const stream = `${orders.prefix}fulfillment:requests`;

    const [entry] = await waitFor('the stream entry', async () => {
      const entries = await streamEntries(orders.redis, stream);
      return entries.length > 0 && entries;
    });

    assert.ok(entry);
    assert.equal(entry.order_id, order.id);
    assert.equal(entry.request_id, 'req-relay-1');
    assert.equal(entry.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    assert.ok(!Number.isNaN(Date.parse(entry.enqueued_at ?? '')));
    // The XADD happens inside the relay's transaction, so the row is marked sent at its commit.
    const sent = await waitFor('the row to be marked sent', async () => {
      const { rows } = await orders.pool.query<{ id: string }>(
        "SELECT id FROM outbox WHERE aggregate_id = $1 AND destination = 'fulfillment' AND sent_at IS NOT NULL",
        [order.id],
      );
      return rows.length > 0 && rows;
    });
    assert.deepEqual(sent.map((r) => r.id), [entry.outbox_id]);
    const current = await waitFor('the order to be fulfilling', async () => {
      const o = await orders.client.getOrder({ id: order.id });
      return o.status === 'ORDER_STATUS_FULFILLING' && o;
    });
    assert.equal(current.id, order.id);
    // Event rows are left for the events relay.
    const { rows: events } = await orders.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE destination = 'events' AND sent_at IS NULL");
    assert.equal(events[0]?.n, 1);
  });

  it('is woken by NOTIFY orderlab_outbox for rows written by other processes', async (t) => {
    const orders = await startOrders(t, 'relay_notify', { OUTBOX_POLL_INTERVAL_MS: '60000' });
    // The first round runs at start; wait for the listener to be connected before writing.
    await waitFor('the listener', () => orders.logs().some((line) => line.msg === 'outbox listener connected'));

    const [orderId] = await insertPendingOrders(orders.pool, 1);
    await orders.pool.query('NOTIFY orderlab_outbox');

    const entries = await waitFor('the stream entry', async () => {
      const found = await streamEntries(orders.redis, `${orders.prefix}fulfillment:requests`);
      return found.length > 0 && found;
    });
    assert.deepEqual(entries.map((e) => e.order_id), [orderId]);
  });

  it('delivers every row exactly once with two relays running at the same time', async (t) => {
    const stores = await createStores(t, 'relay_two');
    const ids = await insertPendingOrders(stores.pool, 400);
    const relays = [relayFor(stores, stores.redis), relayFor(stores, stores.redis)];
    for (const relay of relays) {
      relay.start();
      stores.onCleanup(() => relay.stop());
    }

    await waitFor('every row to be sent', async () => {
      const { rows } = await stores.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL');
      return rows[0]?.n === 0;
    });

    const entries = await streamEntries(stores.redis, `${stores.prefix}fulfillment:requests`);
    assert.equal(entries.length, 400);
    assert.equal(new Set(entries.map((e) => e.outbox_id)).size, 400);
    assert.deepEqual(new Set(entries.map((e) => e.order_id)), new Set(ids));
    const { rows } = await stores.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE status = 'fulfilling'");
    assert.equal(rows[0]?.n, 400);
  });

  it('keeps rows while Redis is unreachable, backs off, and delivers them once it is back', async (t) => {
    const stores = await createStores(t, 'relay_outage');
    const [orderId] = await insertPendingOrders(stores.pool, 1);
    // The relay's own client, cut off: commands fail at once until it connects again.
    const redis = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false, commandTimeout: 200, maxRetriesPerRequest: 1 });
    stores.onCleanup(() => redis.disconnect());
    await waitFor('the relay client to connect', () => redis.status === 'ready');
    redis.disconnect();
    const relay = relayFor(stores, redis);
    relay.start();
    stores.onCleanup(() => relay.stop());

    const failed = await waitFor('failed delivery attempts', async () => {
      const { rows } = await stores.pool.query<{ attempts: number; last_error: string | null; sent_at: Date | null; backed_off: boolean }>(
        'SELECT attempts, last_error, sent_at, next_attempt_at > created_at AS backed_off FROM outbox',
      );
      return rows[0]!.attempts >= 2 && rows[0];
    });
    assert.equal(failed.sent_at, null);
    assert.ok(failed.last_error);
    assert.equal(failed.backed_off, true);
    const { rows: still } = await stores.pool.query<{ status: string }>('SELECT status FROM orders');
    assert.equal(still[0]?.status, 'pending');

    await redis.connect();
    await waitFor('delivery after recovery', async () => {
      const { rows } = await stores.pool.query<{ sent_at: Date | null }>('SELECT sent_at FROM outbox');
      return rows[0]!.sent_at !== null;
    });
    const entries = await streamEntries(stores.redis, `${stores.prefix}fulfillment:requests`);
    assert.deepEqual(entries.map((e) => e.order_id), [orderId]);
  });

  it('ignores rows whose backoff has not elapsed and finishes its batch on stop()', async (t) => {
    const stores = await createStores(t, 'relay_backoff');
    await insertPendingOrders(stores.pool, 3);
    await stores.pool.query("UPDATE outbox SET next_attempt_at = now() + interval '1 hour' WHERE seq = (SELECT min(seq) FROM outbox)");
    const relay = relayFor(stores, stores.redis);

    const round = await relay.relayOnce();
    await relay.stop();

    assert.deepEqual(round, { claimed: 2, delivered: 2, failed: 0 });
    const { rows } = await stores.pool.query<{ unsent: number }>('SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent FROM outbox');
    assert.equal(rows[0]?.unsent, 1);
  });
});
