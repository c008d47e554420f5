import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENTS_EXCHANGE } from '@orderlab/contracts';
import { eventually, productIds } from './helpers.js';
import { eventsLab, labChannel, notificationsOf, outboxEvents, pipelineDbs, placeOrders } from './events-helpers.js';

describe('an event nobody is bound to receive', () => {
  it('is not marked sent while unroutable, and is delivered once the binding returns', async (t) => {
    const lab = await eventsLab(t, 'unroutable');
    const products = await productIds(lab, 3);
    const dbs = await pipelineDbs(lab);
    const amqp = await labChannel(lab);
    try {
      await amqp.channel.unbindQueue('notifications', EVENTS_EXCHANGE, 'order.*');
      const [orderId] = await placeOrders(lab, products, 1);

      const created = async () => (await outboxEvents(dbs.orders)).find((e) => e.aggregate_id === orderId && e.type === 'order.created');
      // Published with `mandatory`, returned by the broker, so not sent: retried with backoff.
      const retried = await eventually('the order.created row to be retried', async () => {
        const row = await created();
        return row && row.attempts >= 2 ? row : undefined;
      }, 30_000);
      assert.equal(retried.sent_at, null, 'an unroutable event is not marked sent');
      assert.match(retried.last_error ?? '', /unroutable|NO_ROUTE|312/i);
      assert.deepEqual(await notificationsOf(lab, orderId!), []);

      await amqp.channel.bindQueue('notifications', EVENTS_EXCHANGE, 'order.*');
      const sent = await eventually('the row to be sent after the binding returned', async () => {
        const row = await created();
        return row?.sent_at ? row : undefined;
      }, 30_000);
      assert.ok(sent.attempts > retried.attempts);
      const items = await eventually('the order.created notification', async () => {
        const found = (await notificationsOf(lab, orderId!)).filter((n) => n.type === 'order.created');
        return found.length > 0 ? found : undefined;
      });
      assert.equal(items.length, 1);
    } finally {
      await amqp.close();
      await dbs.close();
    }
  });
});
