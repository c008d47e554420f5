import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect, eventually, labFor, placeOrder, productIds } from './helpers.js';

describe('kill -9 of the fulfillment worker mid-run', () => {
  it('fulfills every order exactly once after the restart', async (t) => {
    const lab = await labFor(t, 'crash', {
      env: {
        fulfillment: {
          FULFILLMENT_PICK_MS: '40', FULFILLMENT_PACK_MS: '40', FULFILLMENT_SHIP_MS: '40',
          FULFILLMENT_CONCURRENCY: '4',
          // Small enough that anything the dead process held is reclaimed within the test.
          FULFILLMENT_CLAIM_IDLE_MS: '3000',
        },
      },
    });
    const ids = await productIds(lab, 5);
    const orders = await connect(lab.databases.orders.url);
    const fulfillment = await connect(lab.databases.fulfillment.url);
    try {

    const count = 40;
    const placed: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await placeOrder(lab, { customerId: `cust-crash-${i % 5}`, items: [{ productId: ids[i % ids.length], quantity: 1 }] });
      assert.equal(res.status, 201, res.text);
      placed.push(String(res.json().id));
    }
    const fulfilledCount = async () => {
      const { rows } = await orders.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'fulfilled'", [placed]);
      return rows[0]?.n ?? 0;
    };
    // Kill while the worker is part-way through the backlog, with work in flight.
    await eventually('some orders to be fulfilled', async () => (await fulfilledCount()) >= 4);
    const before = await fulfilledCount();
    assert.ok(before < count, 'the kill happens mid-run');
    const exit = await lab.kill('fulfillment', 'SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    await lab.restart('fulfillment');

    await eventually('every order to be fulfilled', async () => (await fulfilledCount()) === count, 90_000);

    const shipments = await fulfillment.query<{ n: number; distinct_orders: number; redone: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT order_id)::int AS distinct_orders,
              count(*) FILTER (WHERE attempts > 1)::int AS redone
         FROM shipments WHERE order_id = ANY($1::uuid[])`,
      [placed],
    );
    assert.equal(shipments.rows[0]?.n, count, 'one shipment per order');
    assert.equal(shipments.rows[0]?.distinct_orders, count);
    const events = await orders.query<{ aggregate_id: string; n: number }>(
      `SELECT aggregate_id, count(*)::int AS n FROM outbox
        WHERE type = 'order.fulfilled' AND aggregate_id = ANY($1::uuid[]) GROUP BY aggregate_id`,
      [placed],
    );
    assert.equal(events.rowCount, count, 'every order has its order.fulfilled event');
    assert.ok(events.rows.every((r) => r.n === 1), 'and exactly one');
    t.diagnostic(`fulfilled before the kill: ${before}/${count}; shipments redone after it: ${shipments.rows[0]?.redone}`);
    } finally {
      await orders.end();
      await fulfillment.end();
    }
  });
});
