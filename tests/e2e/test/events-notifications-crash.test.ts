import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rabbitmqctl } from '@orderlab/platform/testing';
import { connect, eventually, productIds } from './helpers.js';
import {
  eventsLab,
  notificationCounts,
  pipelineDbs,
  placeOrders,
  waitForAllDelivered,
} from './events-helpers.js';

/** Messages of the lab's `notifications` queue delivered to a consumer and not yet acked. */
async function unacked(vhost: string): Promise<number> {
  const out = await rabbitmqctl('list_queues', '-p', vhost, '--no-table-headers', 'name', 'messages_unacknowledged');
  const line = out.split('\n').find((l) => l.split('\t')[0] === 'notifications');
  return Number(line?.split('\t')[1] ?? 0);
}

describe('kill -9 of notifications mid-stream', () => {
  it('after the restart notifications = events, with redeliveries and no duplicates', async (t) => {
    const lab = await eventsLab(t, 'notif_crash', { notifications: { NOTIFICATIONS_PREFETCH: '50' } });
    const products = await productIds(lab, 10);
    const dbs = await pipelineDbs(lab);
    // A second session that can hold up the consumer's writes, so the kill surely finds
    // deliveries in flight (delivered, maybe written, not acked).
    const blocker = await connect(lab.databases.notifications.url);
    try {
      const first = await placeOrders(lab, products, 40);
      await eventually('the first orders to be notified', async () => {
        const { rows } = await dbs.notifications.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM notifications WHERE type = 'order.created' AND order_id = ANY($1::uuid[])",
          [first],
        );
        return rows[0]?.n === first.length;
      }).catch(async (err: Error) => {
        // Where the events are stuck, for whoever reads the failure.
        const unsent = await dbs.orders.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE destination = 'events' AND sent_at IS NULL");
        const stored = await dbs.notifications.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications');
        const queues = await rabbitmqctl('list_queues', '-p', lab.rabbitmq.vhost, '--no-table-headers', 'name', 'messages', 'consumers');
        throw new Error(`${err.message}; unsent events in the outbox: ${unsent.rows[0]?.n}; notifications stored: ${stored.rows[0]?.n}; queues: ${queues.trim().replace(/\n/g, ' | ')}`);
      });

      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE processed_messages IN SHARE MODE');
      const burst = await placeOrders(lab, products, 80);
      await eventually('deliveries in flight at the consumer', async () => (await unacked(lab.rabbitmq.vhost)) >= 10, 20_000);
      const inFlight = await unacked(lab.rabbitmq.vhost);
      const exit = await lab.kill('notifications', 'SIGKILL');
      assert.equal(exit.signal, 'SIGKILL');
      await blocker.query('ROLLBACK');
      await lab.restart('notifications');

      await eventually('every order to be fulfilled', async () => {
        const { rows } = await dbs.orders.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'fulfilled'",
          [[...first, ...burst]],
        );
        return rows[0]?.n === first.length + burst.length;
      }, 90_000);
      const { events, processed } = await waitForAllDelivered(dbs);
      assert.equal(events.length, 2 * (first.length + burst.length));
      assert.deepEqual(processed, events, 'notifications = events');
      const counts = await notificationCounts(dbs.notifications);
      assert.equal(counts.rows, events.length, 'one notification per event: zero duplicates');
      assert.equal(counts.distinctSubjects, counts.rows);

      const skipped = lab.logLines('notifications').filter((l) => l.msg === 'duplicate message skipped').length;
      assert.ok(counts.redelivered + skipped >= 1, 'messages in flight at the kill were delivered again');
      t.diagnostic(`${inFlight} unacked at the kill; afterwards ${counts.redelivered} notifications from redeliveries, ${skipped} duplicates skipped`);
    } finally {
      await blocker.end().catch(() => {});
      await dbs.close();
    }
  });
});
