import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insertProducts, rejection, startOrders, withKey } from './helpers.js';

describe('CompleteFulfillment', () => {
  it('fulfils the order once: a repeat returns it unchanged and writes no second event', async (t) => {
    const orders = await startOrders(t, 'complete_twice');
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 100 }]);
    const { order } = await orders.client.createOrder({ customerId: 'c', items: [{ productId: product, quantity: 1 }] }, withKey('k1'));
    assert.ok(order);
    const report = { orderId: order.id, outcome: 'FULFILLMENT_OUTCOME_SHIPPED' as const, shipmentId: 'ship-1', trackingNumber: 'TRK1' };

    const first = await orders.client.completeFulfillment(report);
    const second = await orders.client.completeFulfillment(report);

    assert.equal(first.status, 'ORDER_STATUS_FULFILLED');
    assert.deepEqual(second, first);
    const { rows } = await orders.pool.query<{ type: string; payload: Record<string, unknown> }>(
      "SELECT type, payload FROM outbox WHERE aggregate_id = $1 AND destination = 'events' ORDER BY seq",
      [order.id],
    );
    assert.deepEqual(rows.map((r) => r.type), ['order.created', 'order.fulfilled']);
    assert.equal(rows[1]?.payload.trackingNumber, 'TRK1');
    assert.equal(rows[1]?.payload.status, 'fulfilled');
    const { rows: stored } = await orders.pool.query<{ done: boolean }>('SELECT fulfilled_at IS NOT NULL AS done FROM orders WHERE id = $1', [order.id]);
    assert.equal(stored[0]?.done, true);
  });

  it('records a failure with its reason, and a late success does not overturn it', async (t) => {
    const orders = await startOrders(t, 'complete_failed');
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 100 }]);
    const { order } = await orders.client.createOrder({ customerId: 'c', items: [{ productId: product, quantity: 1 }] }, withKey('k1'));
    assert.ok(order);

    const failed = await orders.client.completeFulfillment({ orderId: order.id, outcome: 'FULFILLMENT_OUTCOME_FAILED', failureReason: 'dead-lettered after 5 deliveries' });
    const late = await orders.client.completeFulfillment({ orderId: order.id, outcome: 'FULFILLMENT_OUTCOME_SHIPPED' });

    assert.equal(failed.status, 'ORDER_STATUS_FAILED');
    assert.equal(late.status, 'ORDER_STATUS_FAILED');
    const { rows } = await orders.pool.query<{ failure_reason: string | null }>('SELECT failure_reason FROM orders WHERE id = $1', [order.id]);
    assert.equal(rows[0]?.failure_reason, 'dead-lettered after 5 deliveries');
    const { rows: events } = await orders.pool.query<{ type: string }>("SELECT type FROM outbox WHERE aggregate_id = $1 AND destination = 'events' ORDER BY seq", [order.id]);
    assert.deepEqual(events.map((r) => r.type), ['order.created', 'order.failed']);
  });

  it('answers NOT_FOUND for an unknown order and INVALID_ARGUMENT for a bad id or outcome', async (t) => {
    const orders = await startOrders(t, 'complete_errors');
    const unknown = await rejection(orders.client.completeFulfillment({ orderId: '7a1d3c1e-5f7b-4c59-a7e2-1b6c1f0f9a00', outcome: 'FULFILLMENT_OUTCOME_SHIPPED' }));
    assert.deepEqual([unknown.status, unknown.code], ['NOT_FOUND', 'ORDER_NOT_FOUND']);
    const badId = await rejection(orders.client.completeFulfillment({ orderId: 'nope', outcome: 'FULFILLMENT_OUTCOME_SHIPPED' }));
    assert.equal(badId.status, 'INVALID_ARGUMENT');
    assert.match(badId.message, /order_id/);
    const noOutcome = await rejection(orders.client.completeFulfillment({ orderId: '7a1d3c1e-5f7b-4c59-a7e2-1b6c1f0f9a00' }));
    assert.equal(noOutcome.status, 'INVALID_ARGUMENT');
    assert.match(noOutcome.message, /outcome/);
  });
});
