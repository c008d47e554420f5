import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, productIds } from './helpers.js';
import {
  eventsLab,
  notificationCounts,
  outboxEvents,
  pipelineDbs,
  placeOrders,
  waitForAllDelivered,
} from './events-helpers.js';

describe('kill -9 of orders right after its commits', () => {
  it('loses no event: every order gets its order.created notification', async (t) => {
    // Fulfillment requests caught mid-call by the kill are reclaimed after 3 s instead of 30 s.
    const lab = await eventsLab(t, 'orders_crash', { fulfillment: { FULFILLMENT_CLAIM_IDLE_MS: '3000' } });
    const products = await productIds(lab, 10);
    const dbs = await pipelineDbs(lab);
    try {
      const placed = await placeOrders(lab, products, 40, { concurrency: 10 });
      // Right after the last 201: the relay has had no time to publish all of them.
      const exit = await lab.kill('orders', 'SIGKILL');
      assert.equal(exit.signal, 'SIGKILL');
      const unsentAtKill = (await outboxEvents(dbs.orders)).filter((e) => !e.sent_at).length;
      await lab.restart('orders');

      await eventually('an order.created notification for every order', async () => {
        const { rows } = await dbs.notifications.query<{ n: number }>(
          "SELECT count(DISTINCT order_id)::int AS n FROM notifications WHERE type = 'order.created' AND order_id = ANY($1::uuid[])",
          [placed],
        );
        return rows[0]?.n === placed.length;
      }, 60_000);
      await eventually('every order to be fulfilled', async () => {
        const { rows } = await dbs.orders.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'fulfilled'",
          [placed],
        );
        return rows[0]?.n === placed.length;
      }, 90_000);
      const { events, processed } = await waitForAllDelivered(dbs);
      assert.deepEqual(processed, events, 'every committed event was delivered');
      const counts = await notificationCounts(dbs.notifications);
      assert.equal(counts.rows, events.length, 'and none twice');
      t.diagnostic(`${unsentAtKill} events of ${placed.length} orders were still in the outbox at the kill`);
    } finally {
      await dbs.close();
    }
  });
});
