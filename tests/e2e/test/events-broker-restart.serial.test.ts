// Serial (see tools/lab/README.md): it stops the one RabbitMQ broker every test shares, so the
// runner runs it alone, after all other test files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rabbitmqctl } from '@orderlab/platform/testing';
import {
  eventsLab,
  notificationCounts,
  pipelineDbs,
  placeOrders,
  waitForAllDelivered,
  waitForBroker,
} from './events-helpers.js';
import { eventually, productIds } from './helpers.js';

const RECONNECTED = 'event exchanges declared; publishing with confirms';

describe('a RabbitMQ restart during a burst of orders', () => {
  it('loses no committed event, duplicates none, and the relay recovers without a restart', async (t) => {
    const lab = await eventsLab(t, 'broker_restart');
    const products = await productIds(lab, 10);
    const dbs = await pipelineDbs(lab);
    const ordersPid = lab.services.orders.pid;
    const count = 150;
    let placed: string[] = [];
    let placedWhileDown = 0;
    let unsentAtStart = 0;
    try {
      let brokerDown = false;
      let stopping: Promise<void> | undefined;
      // ~150 orders over about five seconds; a third of the way in the broker stops while
      // orders keep coming: orders accepts them, their events wait in its outbox.
      placed = await placeOrders(lab, products, count, {
        concurrency: 3,
        paceMs: 60,
        onPlaced: (n) => {
          if (brokerDown) placedWhileDown += 1;
          if (n === 50) {
            stopping = rabbitmqctl('stop_app').then(() => {
              brokerDown = true;
            });
          }
        },
      });
      await stopping;
      assert.equal(placed.length, count);
      await eventually(
        'orders to notice the broker is gone',
        async () => lab.logLines('orders').some((l) => l.msg === 'disconnected from RabbitMQ; reconnecting'),
        20_000,
      );
      // Down for a few seconds more: every client is retrying by now.
      await new Promise((r) => setTimeout(r, 3_000));
      unsentAtStart = (await dbs.orders.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE destination = 'events' AND sent_at IS NULL",
      )).rows[0]?.n ?? 0;
    } finally {
      // Whatever happened above, never leave the shared broker down for the tests after this
      // one (start_app on a running broker is a no-op).
      await rabbitmqctl('start_app').catch((err: unknown) => t.diagnostic(`start_app: ${String(err)}`));
      await waitForBroker();
    }
    try {
      assert.ok(unsentAtStart > 0, 'events were committed while the broker was down');

      // Fulfillment (over Redis) went on meanwhile; once it is done, no more events are written.
      await eventually('every order to be fulfilled', async () => {
        const { rows } = await dbs.orders.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'fulfilled'",
          [placed],
        );
        return rows[0]?.n === count;
      }, 90_000);
      const { events, processed } = await waitForAllDelivered(dbs, 120_000);
      assert.equal(events.length, 2 * count, 'order.created and order.fulfilled of every order were committed');
      assert.deepEqual(processed, events, 'notifications processed exactly the committed events, none lost');
      const counts = await notificationCounts(dbs.notifications);
      assert.equal(counts.rows, events.length, 'one notification per event');
      assert.equal(counts.distinctSubjects, counts.rows, 'no order or product notified twice for the same event type');

      assert.equal(lab.services.orders.pid, ordersPid, 'orders was not restarted');
      assert.equal(lab.services.orders.restarts, 0);
      assert.ok(
        lab.logLines('orders').filter((l) => l.msg === RECONNECTED).length >= 2,
        'the relay reconnected by itself and declared its exchanges again',
      );
      t.diagnostic(`${events.length} events; ${placedWhileDown} orders placed while the broker was down; ${unsentAtStart} events waiting in the outbox when it came back`);
    } finally {
      await dbs.close();
    }
  });
});
