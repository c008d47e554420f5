import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildPruner } from '@orderlab/platform/postgres';
import { sampleValue, waitFor } from '@orderlab/platform/testing';
import type pg from 'pg';
import { ordersPruneTables } from '../src/retention.js';
import { createStores, insertProducts, startOrdersWith, testConfig } from './helpers.js';

/** An order in `status`, placed `age` ago (a Postgres interval), with one item. */
async function insertOrder(pool: pg.Pool, productId: string, status: string, age: string): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `WITH o AS (
       INSERT INTO orders (id, customer_id, status, total_cents, currency, created_at)
       VALUES ($1, 'cust-retention', $2, 100, 'USD', now() - $3::interval) RETURNING id)
     INSERT INTO order_items (order_id, line, product_id, quantity, unit_price_cents) SELECT id, 1, $4, 1, 100 FROM o`,
    [id, status, age, productId],
  );
  return id;
}

/** An outbox row of `destination`, created two weeks ago and sent `sentAgo` ago (null: never sent). */
async function insertOutboxRow(pool: pg.Pool, destination: string, label: string, sentAgo: string | null): Promise<void> {
  await pool.query(
    `INSERT INTO outbox (destination, type, aggregate_id, payload, created_at, sent_at)
     VALUES ($1, 't', $2, jsonb_build_object('label', $3::text), now() - interval '14 days', now() - $4::interval)`,
    [destination, randomUUID(), label, sentAgo],
  );
}

describe('orders retention', () => {
  it('prunes expired keys, sent outbox rows past their hour and finished orders past their week; keeps the rest', async (t) => {
    const stores = await createStores(t, 'retention');
    const { pool } = stores;
    await pool.query(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, response, created_at, expires_at) VALUES
         ('order:c', 'expired', 'f', '{}', now() - interval '25 hours', now() - interval '1 hour'),
         ('order:c', 'live', 'f', '{}', now() - interval '23 hours', now() + interval '1 hour')`,
    );
    await insertOutboxRow(pool, 'events', 'event sent 2 h ago', '2 hours');
    await insertOutboxRow(pool, 'fulfillment', 'request sent 2 h ago', '2 hours');
    await insertOutboxRow(pool, 'events', 'event sent 30 min ago', '30 minutes');
    await insertOutboxRow(pool, 'events', 'event never sent', null);
    await insertOutboxRow(pool, 'fulfillment', 'request never sent', null);
    const [productId] = await insertProducts(pool, [{ sku: 'RET-1', priceCents: 100 }]);
    const oldFulfilled = await insertOrder(pool, productId!, 'fulfilled', '8 days');
    const oldFailed = await insertOrder(pool, productId!, 'failed', '8 days');
    const oldOpen = await insertOrder(pool, productId!, 'fulfilling', '8 days');
    const recent = await insertOrder(pool, productId!, 'fulfilled', '6 days');
    const config = testConfig(stores);
    const pruner = buildPruner({ pool, logger: stores.logger, tables: ordersPruneTables(config), intervalMs: config.PRUNE_INTERVAL_MS });
    t.after(() => pruner.stop());

    const result = await pruner.runOnce();

    assert.deepEqual(result, { idempotency_keys: 1, outbox: 2, orders: 2 });
    const { rows: keys } = await pool.query<{ key: string }>('SELECT key FROM idempotency_keys');
    assert.deepEqual(keys, [{ key: 'live' }]);
    const { rows: outbox } = await pool.query<{ label: string }>("SELECT payload->>'label' AS label FROM outbox ORDER BY seq");
    assert.deepEqual(outbox.map((row) => row.label), ['event sent 30 min ago', 'event never sent', 'request never sent']);
    const { rows: orders } = await pool.query<{ id: string }>('SELECT id FROM orders ORDER BY created_at, id');
    assert.deepEqual(new Set(orders.map((row) => row.id)), new Set([oldOpen, recent]));
    const { rows: items } = await pool.query<{ order_id: string }>('SELECT order_id FROM order_items WHERE order_id = ANY($1)', [[oldFulfilled, oldFailed]]);
    assert.deepEqual(items, [], 'the items of pruned orders go with them');
  });

  it('runs in the service on PRUNE_INTERVAL_MS and counts orderlab_pruned_rows_total per table', async (t) => {
    const stores = await createStores(t, 'retention_service');
    await stores.pool.query(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, response, expires_at)
       VALUES ('order:c', 'expired', 'f', '{}', now() - interval '1 hour')`,
    );
    await insertOutboxRow(stores.pool, 'events', 'old sent event', '2 hours');

    const orders = await startOrdersWith(stores, { PRUNE_INTERVAL_MS: '100' });

    const text = await waitFor('the service to prune the expired key and the sent row', async () => {
      const body = await (await fetch(`http://127.0.0.1:${orders.opsPort}/metrics`)).text();
      const pruned = (table: string) => sampleValue(body, 'orderlab_pruned_rows_total', { db_collection_name: table });
      return pruned('idempotency_keys') === 1 && pruned('outbox') === 1 ? body : undefined;
    });
    assert.equal(sampleValue(text, 'orderlab_pruned_rows_total', { db_collection_name: 'orders' }), 0);
    const { rows } = await stores.pool.query<{ n: number }>('SELECT (SELECT count(*) FROM idempotency_keys) + (SELECT count(*) FROM outbox) AS n');
    assert.equal(Number(rows[0]?.n), 0);
    const line = stores.logs().find((l) => l.msg === 'old rows pruned');
    assert.deepEqual(line?.pruned, { idempotency_keys: 1, outbox: 1, orders: 0 });
  });
});
