import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { connect, http, labFor, placeOrder, productIds } from './helpers.js';

describe('POST /api/v1/orders with an Idempotency-Key', () => {
  it('creates exactly one order from 50 concurrent identical requests', async (t) => {
    const lab = await labFor(t, 'idempotency');
    const [productId] = await productIds(lab, 1);
    const body = { customerId: 'cust-idem', items: [{ productId, quantity: 2 }] };
    const key = randomUUID();

    const responses = await Promise.all(Array.from({ length: 50 }, () => placeOrder(lab, body, key)));
    const created = responses.filter((r) => r.status === 201);
    const conflicts = responses.filter((r) => r.status === 409);
    assert.equal(created.length + conflicts.length, 50, `statuses: ${responses.map((r) => r.status).join(',')}`);
    assert.ok(created.length >= 1);
    const original = created.find((r) => r.headers.get('idempotent-replayed') === null) ?? created[0]!;
    for (const r of created) assert.equal(r.text, original.text, 'every 201 is byte-identical');
    for (const r of conflicts) {
      assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(r.json().code, 'IDEMPOTENCY_KEY_IN_USE');
      assert.ok(r.headers.get('retry-after'));
    }

    // A later retry is a replay of the same 201.
    const replay = await placeOrder(lab, body, key);
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(replay.text, original.text);

    const db = await connect(lab.databases.orders.url);
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE customer_id = 'cust-idem'");
    await db.end();
    assert.equal(rows[0]?.n, 1, 'exactly one order exists');
    const listed = await http(lab.urls.gateway, 'GET', '/api/v1/orders?customerId=cust-idem');
    assert.equal((listed.json().items as unknown[]).length, 1);

    // The same key with another body is refused; no key at all is refused.
    const mismatch = await placeOrder(lab, { ...body, items: [{ productId, quantity: 3 }] }, key);
    assert.equal(mismatch.status, 422);
    assert.equal(mismatch.json().code, 'IDEMPOTENCY_KEY_MISMATCH');
    const missing = await placeOrder(lab, body, null);
    assert.equal(missing.status, 400);
    assert.equal(missing.json().code, 'IDEMPOTENCY_KEY_REQUIRED');

    // Keys are scoped per customer: the same key for another customer is a new order.
    const other = await placeOrder(lab, { ...body, customerId: 'cust-idem-2' }, key);
    assert.equal(other.status, 201);
    assert.notEqual(other.json().id, original.json().id);
  });
});
