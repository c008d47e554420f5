import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failure, insertProducts, rejection, startOrders, withKey } from './helpers.js';

describe('CreateOrder', () => {
  it('prices the order from the catalog and writes order, items, two outbox rows and the key in one go', async (t) => {
    const orders = await startOrders(t, 'create_happy');
    const [beans, filter] = await insertProducts(orders.pool, [
      { sku: 'BEANS-1', priceCents: 1450 },
      { sku: 'FILTER-1', priceCents: 690 },
    ]);

    const { order, replayed } = await orders.client.createOrder(
      { customerId: 'cust-0001', items: [{ productId: beans, quantity: 2 }, { productId: filter, quantity: 1 }] },
      { metadata: { 'idempotency-key': 'k-happy', 'x-request-id': 'req-happy', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
    );

    assert.equal(replayed, false);
    assert.ok(order);
    assert.equal(order.customerId, 'cust-0001');
    assert.equal(order.status, 'ORDER_STATUS_PENDING');
    assert.deepEqual(order.items, [
      { productId: beans, quantity: 2, unitPriceCents: 1450 },
      { productId: filter, quantity: 1, unitPriceCents: 690 },
    ]);
    assert.equal(order.totalCents, 2 * 1450 + 690);
    assert.equal(order.currency, 'USD');
    assert.equal(order.createdAt, order.updatedAt);

    const { rows: outbox } = await orders.pool.query<{
      destination: string;
      type: string;
      payload: Record<string, unknown>;
      request_id: string | null;
      traceparent: string | null;
      idempotency_key: string | null;
    }>(
      'SELECT destination, type, payload, request_id, traceparent, idempotency_key FROM outbox WHERE aggregate_id = $1 ORDER BY seq',
      [order.id],
    );
    assert.deepEqual(
      outbox.map((row) => [row.destination, row.type, row.request_id, row.idempotency_key]),
      [
        ['fulfillment', 'fulfillment.requested', 'req-happy', 'k-happy'],
        ['events', 'order.created', 'req-happy', 'k-happy'],
      ],
    );
    assert.equal(outbox[1]?.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    assert.equal(outbox[1]?.payload.id, order.id);
    assert.equal(outbox[1]?.payload.totalCents, order.totalCents);
    const { rows: keys } = await orders.pool.query<{ scope: string; ttl_s: number }>(
      "SELECT scope, extract(epoch FROM expires_at - created_at)::int AS ttl_s FROM idempotency_keys WHERE key = 'k-happy'",
    );
    assert.deepEqual(keys.map((k) => k.scope), ['order:cust-0001']);
    assert.equal(keys[0]?.ttl_s, 24 * 3600);
  });

  it('leaves no order, outbox row or key behind when a product is unknown', async (t) => {
    const orders = await startOrders(t, 'create_unknown');
    const [known] = await insertProducts(orders.pool, [{ sku: 'KNOWN-1', priceCents: 100 }]);
    const ghost = '7a1d3c1e-5f7b-4c59-a7e2-1b6c1f0f9a00';

    const err = await rejection(
      orders.client.createOrder({ customerId: 'cust-1', items: [{ productId: known, quantity: 1 }, { productId: ghost, quantity: 1 }] }, withKey('k-ghost')),
    );

    assert.equal(err.status, 'FAILED_PRECONDITION');
    assert.equal(err.code, 'PRODUCT_NOT_FOUND');
    assert.match(err.message, new RegExp(ghost));
    const { rows } = await orders.pool.query(
      'SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM outbox)::int AS outbox, (SELECT count(*) FROM idempotency_keys)::int AS keys',
    );
    assert.deepEqual(rows[0], { orders: 0, outbox: 0, keys: 0 });
  });

  it('requires an idempotency key', async (t) => {
    const orders = await startOrders(t, 'create_nokey');
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 100 }]);
    const missing: Record<string, string>[] = [{}, { 'idempotency-key': '   ' }];
    for (const metadata of missing) {
      const err = await rejection(orders.client.createOrder({ customerId: 'c', items: [{ productId: product, quantity: 1 }] }, { metadata }));
      assert.equal(err.status, 'INVALID_ARGUMENT');
      assert.equal(err.code, 'IDEMPOTENCY_KEY_REQUIRED');
    }
  });

  it('rejects invalid input with INVALID_ARGUMENT naming the field', async (t) => {
    const orders = await startOrders(t, 'create_invalid');
    const cases: [object, RegExp][] = [
      [{ customerId: 'bad id!', items: [] }, /customer_id/],
      [{ customerId: 'c', items: [] }, /items/],
      [{ customerId: 'c', items: [{ productId: 'nope', quantity: 1 }] }, /items\[0\]\.product_id/],
      [{ customerId: 'c', items: [{ productId: '7a1d3c1e-5f7b-4c59-a7e2-1b6c1f0f9a00', quantity: 0 }] }, /items\[0\]\.quantity/],
    ];
    for (const [request, field] of cases) {
      const err = await rejection(orders.client.createOrder(request, withKey('k-invalid')));
      assert.equal(err.status, 'INVALID_ARGUMENT');
      assert.match(err.message, field);
    }
  });

  it('does nothing when the deadline has already passed', async (t) => {
    const orders = await startOrders(t, 'create_deadline');
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 100 }]);

    const err = await rejection(
      orders.client.createOrder({ customerId: 'c', items: [{ productId: product, quantity: 1 }] }, { ...withKey('k-late'), deadline: new Date(Date.now() - 1) }),
    );

    assert.equal(err.status, 'DEADLINE_EXCEEDED');
    const { rows } = await orders.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    assert.equal(rows[0]?.n, 0);
  });
});

describe('CreateOrder idempotency', () => {
  it('replays the first response, even after the order moved on', async (t) => {
    const orders = await startOrders(t, 'idem_replay');
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 250 }]);
    const request = { customerId: 'cust-7', items: [{ productId: product, quantity: 3 }] };

    const first = await orders.client.createOrder(request, withKey('k-replay'));
    assert.ok(first.order);
    await orders.client.completeFulfillment({ orderId: first.order.id, outcome: 'FULFILLMENT_OUTCOME_SHIPPED' });
    const second = await orders.client.createOrder(request, withKey('k-replay'));

    assert.equal(second.replayed, true);
    assert.deepEqual(second.order, first.order);
    const { rows } = await orders.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    assert.equal(rows[0]?.n, 1);
  });

  it('refuses the same key with a different request', async (t) => {
    const orders = await startOrders(t, 'idem_mismatch');
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 250 }]);
    await orders.client.createOrder({ customerId: 'cust-7', items: [{ productId: product, quantity: 1 }] }, withKey('k-mismatch'));

    const err = await rejection(orders.client.createOrder({ customerId: 'cust-7', items: [{ productId: product, quantity: 2 }] }, withKey('k-mismatch')));

    assert.equal(err.status, 'FAILED_PRECONDITION');
    assert.equal(err.code, 'IDEMPOTENCY_KEY_MISMATCH');
  });

  it('creates exactly one order for many concurrent calls with one key', async (t) => {
    const orders = await startOrders(t, 'idem_concurrent');
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 999 }]);
    const request = { customerId: 'cust-9', items: [{ productId: product, quantity: 1 }] };

    const results = await Promise.allSettled(Array.from({ length: 25 }, () => orders.client.createOrder(request, withKey('k-race'))));

    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = results.flatMap((r): unknown[] => (r.status === 'rejected' ? [r.reason] : []));
    assert.ok(ok.length >= 1);
    assert.equal(new Set(ok.map((r) => r.order?.id)).size, 1, 'every success returns the same order');
    assert.equal(ok.filter((r) => !r.replayed).length, 1, 'exactly one call created it');
    for (const reason of failed) {
      const err = failure(reason);
      assert.deepEqual([err.status, err.code], ['ABORTED', 'IDEMPOTENCY_KEY_IN_USE']);
    }
    const { rows } = await orders.pool.query('SELECT count(*)::int AS orders, (SELECT count(*) FROM outbox)::int AS outbox FROM orders');
    assert.deepEqual(rows[0], { orders: 1, outbox: 2 });
  });

  it('treats an expired key as new', async (t) => {
    const orders = await startOrders(t, 'idem_expired');
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 100 }]);
    const request = { customerId: 'cust-1', items: [{ productId: product, quantity: 1 }] };
    const first = await orders.client.createOrder(request, withKey('k-old'));
    await orders.pool.query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'");

    const second = await orders.client.createOrder(request, withKey('k-old'));

    assert.equal(second.replayed, false);
    assert.notEqual(second.order?.id, first.order?.id);
    const { rows } = await orders.pool.query('SELECT count(*)::int AS n, bool_and(expires_at > now()) AS fresh FROM idempotency_keys');
    assert.deepEqual(rows[0], { n: 1, fresh: true });
  });

  it('scopes keys per customer', async (t) => {
    const orders = await startOrders(t, 'idem_scope');
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 100 }]);

    const a = await orders.client.createOrder({ customerId: 'alice', items: [{ productId: product, quantity: 1 }] }, withKey('shared-key'));
    const b = await orders.client.createOrder({ customerId: 'bob', items: [{ productId: product, quantity: 1 }] }, withKey('shared-key'));

    assert.equal(b.replayed, false);
    assert.notEqual(a.order?.id, b.order?.id);
    assert.equal(b.order?.customerId, 'bob');
  });
});
