import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { EVENT_ENVELOPES, EVENTS_EXCHANGE } from '@orderlab/contracts';
import type { GetMessage } from 'amqplib';
import { Compile } from 'typebox/compile';
import { eventually, productIds } from './helpers.js';
import { eventsLab, labChannel, notificationsOf, orderCreatedEnvelope, pipelineDbs, processedIds } from './events-helpers.js';

const DEAD_LETTER_QUEUE = 'notifications.dead';
const DELIVERY_LIMIT = 3;
const orderCreated = Compile(EVENT_ENVELOPES['order.created']);

describe('poison messages on orderlab.events', () => {
  it('are dead-lettered within the delivery limit while the valid messages around them are processed', async (t) => {
    const lab = await eventsLab(t, 'poison', { notifications: { NOTIFICATIONS_DELIVERY_LIMIT: String(DELIVERY_LIMIT) } });
    const [productId] = await productIds(lab, 1);
    const dbs = await pipelineDbs(lab);
    const amqp = await labChannel(lab);
    try {
      const valid = [orderCreatedEnvelope(productId!), orderCreatedEnvelope(productId!), orderCreatedEnvelope(productId!)];
      for (const v of valid) assert.ok(orderCreated.Check(JSON.parse(v.body.toString())), 'the valid messages match the contract');
      const invalidSchema = orderCreatedEnvelope(productId!);
      const broken = JSON.parse(invalidSchema.body.toString()) as { data: Record<string, unknown> };
      delete broken.data.items;
      broken.data.totalCents = -5;
      assert.equal(orderCreated.Check(broken), false);
      const unknownType = { id: randomUUID(), orderId: randomUUID() };
      const poison = [
        { id: invalidSchema.id, routingKey: 'order.created', body: Buffer.from(JSON.stringify(broken)) },
        {
          id: unknownType.id,
          routingKey: 'order.refunded',
          body: Buffer.from(JSON.stringify({ id: unknownType.id, type: 'order.refunded', timestamp: new Date().toISOString(), source_service: 'orders', data: { id: unknownType.orderId } })),
        },
        { id: randomUUID(), routingKey: 'item.created', body: Buffer.from('{"id": "not json') },
      ];

      // valid, poison, valid, poison, valid, poison — as a publisher would (persistent, with ids).
      const confirm = await amqp.connection.createConfirmChannel();
      const sequence = [valid[0]!, poison[0]!, valid[1]!, poison[1]!, valid[2]!, poison[2]!].map((m) => ({
        id: m.id,
        routingKey: 'routingKey' in m ? m.routingKey : 'order.created',
        body: m.body,
      }));
      for (const m of sequence) {
        confirm.publish(EVENTS_EXCHANGE, m.routingKey, m.body, {
          messageId: m.id,
          correlationId: `poison-test-${m.id.slice(0, 8)}`,
          persistent: true,
          contentType: 'application/json',
          mandatory: true,
        });
      }
      await confirm.waitForConfirms();

      for (const v of valid) {
        const items = await eventually(`the notification of valid order ${v.orderId}`, async () => {
          const found = await notificationsOf(lab, v.orderId);
          return found.length > 0 ? found : undefined;
        });
        assert.equal(items.length, 1);
        assert.equal(items[0]?.type, 'order.created');
      }

      const dead = new Map<string, GetMessage>();
      await eventually('every poison message in notifications.dead', async () => {
        for (;;) {
          const message = await amqp.channel.get(DEAD_LETTER_QUEUE, { noAck: true });
          if (!message) break;
          dead.set(String(message.properties.messageId), message);
        }
        return poison.every((p) => dead.has(p.id));
      }, 30_000);
      assert.equal(dead.size, poison.length, 'only the poison messages are dead-lettered');
      for (const p of poison) {
        const message = dead.get(p.id)!;
        assert.equal(message.content.toString(), p.body.toString(), 'dead-lettered unchanged, for inspection');
        const headers = message.properties.headers ?? {};
        const deaths = headers['x-death'] as { queue: string; reason: string; count: number }[] | undefined;
        assert.equal(deaths?.[0]?.queue, 'notifications');
        assert.ok(Number(headers['x-delivery-count'] ?? 0) <= DELIVERY_LIMIT, `dead-lettered within the delivery limit (x-delivery-count ${String(headers['x-delivery-count'])})`);
        assert.ok(['rejected', 'delivery_limit'].includes(String(deaths?.[0]?.reason)), `reason ${String(deaths?.[0]?.reason)}`);
      }

      const processed = await processedIds(dbs.notifications);
      for (const p of poison) assert.ok(!processed.includes(p.id), 'a poison message is not recorded as processed');
      assert.equal(lab.services.notifications.restarts, 0, 'the consumer never crashed');
      assert.equal((await fetch(`${lab.urls.notifications}/readyz`)).status, 200);
    } finally {
      await amqp.close();
      await dbs.close();
    }
  });
});
