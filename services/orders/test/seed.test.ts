import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seedDatabase, seededRandom } from '../src/seed.js';
import { createStores } from './helpers.js';

describe('seedDatabase', () => {
  it('loads ~50 products and a few hundred consistent past orders, then is a no-op', async (t) => {
    const { pool } = await createStores(t, 'seed');
    const now = new Date('2026-11-23T12:00:00Z');

    const first = await seedDatabase(pool, { now, random: seededRandom(1) });
    const second = await seedDatabase(pool, { now, random: seededRandom(1) });

    assert.equal(first.skipped, false);
    assert.ok(first.products >= 45 && first.products <= 60);
    assert.equal(first.orders, 300);
    assert.deepEqual(second, { skipped: true, products: 0, orders: 0 });

    const { rows } = await pool.query<{
      products: number;
      orders: number;
      customers: number;
      fulfilled: number;
      failed: number;
      inconsistent: number;
      mispriced: number;
      unsent: number;
      in_window: boolean;
    }>(`
      SELECT (SELECT count(*) FROM products)::int AS products,
             (SELECT count(*) FROM orders)::int AS orders,
             (SELECT count(DISTINCT customer_id) FROM orders)::int AS customers,
             (SELECT count(*) FROM orders WHERE status = 'fulfilled')::int AS fulfilled,
             (SELECT count(*) FROM orders WHERE status = 'failed')::int AS failed,
             (SELECT count(*) FROM orders o
               WHERE o.total_cents <> (SELECT sum(i.quantity * i.unit_price_cents) FROM order_items i WHERE i.order_id = o.id))::int AS inconsistent,
             (SELECT count(*) FROM order_items i JOIN products p ON p.id = i.product_id
               WHERE i.unit_price_cents <> p.price_cents)::int AS mispriced,
             (SELECT count(*) FROM outbox WHERE sent_at IS NULL)::int AS unsent,
             (SELECT min(created_at) >= $1::timestamptz - interval '7 days' AND max(created_at) < $1::timestamptz FROM orders) AS in_window
    `, [now]);
    const stats = rows[0]!;
    assert.equal(stats.products, first.products);
    assert.equal(stats.orders, 300);
    assert.ok(stats.customers >= 30 && stats.customers <= 40, `customers: ${stats.customers}`);
    assert.ok(stats.fulfilled > 250, 'mostly fulfilled');
    assert.ok(stats.failed > 0, 'a few failed');
    assert.equal(stats.inconsistent, 0);
    assert.equal(stats.mispriced, 0);
    assert.equal(stats.unsent, 0);
    assert.equal(stats.in_window, true);
    const { rows: skus } = await pool.query<{ bad: number }>("SELECT count(*)::int AS bad FROM products WHERE sku !~ '^[A-Z0-9-]{3,32}$' OR currency <> 'USD'");
    assert.equal(skus[0]?.bad, 0);
  });
});
