import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeVhostConnections, rabbitmqctl } from '@orderlab/platform/testing';
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
    // Fulfillment requests caught mid-call by a kill are reclaimed after 3 s instead of 30 s.
    const lab = await eventsLab(t, 'orders_crash', { fulfillment: { FULFILLMENT_CLAIM_IDLE_MS: '3000' } });
    const products = await productIds(lab, 10);
    const dbs = await pipelineDbs(lab);
    const vhost = lab.rabbitmq.vhost;
    try {
      // 1. Killed right after the last 201, wherever its relay happens to be.
      const first = await placeOrders(lab, products, 40, { concurrency: 10 });
      assert.equal((await lab.kill('orders', 'SIGKILL')).signal, 'SIGKILL');
      const unsentAtFirstKill = (await outboxEvents(dbs.orders)).filter((e) => !e.sent_at).length;
      await lab.restart('orders');

      // 2. The relay surely behind: the lab's vhost admits no connections, so the events of
      // these orders are committed but cannot have been published when orders dies.
      await rabbitmqctl('set_vhost_limits', '-p', vhost, '{"max-connections": 0}');
      let second: string[] = [];
      let unsentAtSecondKill = 0;
      try {
        const disconnects = () => lab.logLines('orders').filter((l) => l.msg === 'disconnected from RabbitMQ; reconnecting').length;
        const before = disconnects();
        await closeVhostConnections(vhost, 'e2e: orders cut off from the broker');
        await eventually('orders to lose the broker', async () => disconnects() > before, 10_000);
        second = await placeOrders(lab, products, 30, { concurrency: 10, customer: 'cust-cut' });
        assert.equal((await lab.kill('orders', 'SIGKILL')).signal, 'SIGKILL');
        unsentAtSecondKill = (await outboxEvents(dbs.orders)).filter((e) => !e.sent_at && second.includes(e.aggregate_id)).length;
        assert.ok(unsentAtSecondKill >= second.length, 'every order.created of the second burst was unsent at the kill');
      } finally {
        await rabbitmqctl('clear_vhost_limits', '-p', vhost);
      }
      await lab.restart('orders');

      const placed = [...first, ...second];
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
      assert.equal(events.length, 2 * placed.length);
      assert.deepEqual(processed, events, 'every committed event was delivered');
      const counts = await notificationCounts(dbs.notifications);
      assert.equal(counts.rows, events.length, 'and none twice');
      t.diagnostic(`unsent events at the kills: ${unsentAtFirstKill} (relay live), ${unsentAtSecondKill} (relay cut off)`);
    } finally {
      await dbs.close();
    }
  });
});
