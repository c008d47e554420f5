import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createLogger } from '@orderlab/platform';
import { waitForRedis } from '@orderlab/platform/redis';
import { createRedisClient } from '../src/redis-client.js';
import { closedPort, insertProducts, startOrders, withKey } from './helpers.js';

describe('Redis cache', () => {
  it('serves GetOrder from the cache after the first read, and shows the new status after CompleteFulfillment', async (t) => {
    const orders = await startOrders(t, 'cache_order');
    // An order already being fulfilled (inserted directly, so no relay changes it during the test).
    const order = { id: randomUUID() };
    await orders.pool.query(
      "INSERT INTO orders (id, customer_id, status, total_cents, currency) VALUES ($1, 'c', 'fulfilling', 100, 'USD')",
      [order.id],
    );
    const first = await orders.client.getOrder({ id: order.id });
    assert.equal(first.status, 'ORDER_STATUS_FULFILLING');

    // Change the row behind the cache's back: a cached read still shows the old total.
    await orders.pool.query('UPDATE orders SET total_cents = 1 WHERE id = $1', [order.id]);
    const second = await orders.client.getOrder({ id: order.id });
    assert.equal(second.totalCents, first.totalCents);
    assert.ok(await orders.redis.exists(`${orders.prefix}cache:order:${order.id}`));

    await orders.client.completeFulfillment({ orderId: order.id, outcome: 'FULFILLMENT_OUTCOME_SHIPPED', shipmentId: 's-1' });
    const third = await orders.client.getOrder({ id: order.id });
    assert.equal(third.status, 'ORDER_STATUS_FULFILLED');
    assert.equal(third.totalCents, 1);
  });

  it('serves GetProduct from the cache and drops catalog pages when a product is created', async (t) => {
    const orders = await startOrders(t, 'cache_products');
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 100, name: 'Alpha' }]);
    assert.ok(product);

    const fresh = await orders.client.getProduct({ id: product });
    await orders.pool.query("UPDATE products SET name = 'Renamed' WHERE id = $1", [product]);
    const cached = await orders.client.getProduct({ id: product });
    assert.equal(cached.name, fresh.name);

    await orders.client.listProducts({ pageSize: 10 });
    await orders.pool.query("UPDATE products SET name = 'Renamed again' WHERE id = $1", [product]);
    const before = await orders.client.listProducts({ pageSize: 10 });
    assert.deepEqual(before.products.map((p) => p.name), ['Renamed'], 'the page comes from the cache');
    await orders.client.createProduct({ sku: 'P-2', name: 'Beta', priceCents: 200, currency: 'USD' }, withKey('k-product'));
    const after = await orders.client.listProducts({ pageSize: 10 });
    assert.deepEqual(after.products.map((p) => p.name), ['Beta', 'Renamed again']);
  });

  it('keeps answering from Postgres when Redis is unreachable', async (t) => {
    const port = await closedPort();
    const orders = await startOrders(t, 'cache_down', { REDIS_URL: `redis://127.0.0.1:${port}` });
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 100, name: 'Alpha' }]);
    assert.ok(product);

    for (let i = 0; i < 3; i += 1) {
      const got = await orders.client.getProduct({ id: product });
      assert.equal(got.name, 'Alpha');
    }
    const page = await orders.client.listProducts({});
    assert.equal(page.products.length, 1);
    const { order } = await orders.client.createOrder({ customerId: 'c', items: [{ productId: product, quantity: 2 }] }, withKey('k-down'));
    assert.ok(order);
    const read = await orders.client.getOrder({ id: order.id });
    assert.equal(read.totalCents, 200);
    // The relay cannot deliver, so the order waits as pending with its request kept in the outbox.
    assert.equal(read.status, 'ORDER_STATUS_PENDING');
    const warnings = orders.logs().filter((line) => line.level === 'warn' && /cache read failed/.test(String(line.msg)));
    assert.ok(warnings.length <= 1, 'cache failures are logged at most once per interval');
    assert.ok(orders.logs().some((line) => line.level === 'warn' && /without the cache/.test(String(line.msg))), 'start-up says it serves without the cache');
  });
});

describe('waitForRedis (start-up)', () => {
  it('answers true once the client is ready, and false when Redis never answers', async () => {
    const logger = createLogger({ service: 'test', level: 'silent' });
    const up = createRedisClient('redis://127.0.0.1:6379', logger);
    const down = createRedisClient(`redis://127.0.0.1:${await closedPort()}`, logger);
    try {
      assert.equal(await waitForRedis(up, 5_000), true);
      assert.equal(up.status, 'ready');
      assert.equal(await waitForRedis(down, 300), false);
    } finally {
      up.disconnect();
      down.disconnect();
    }
  });
});
