import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { closeVhostConnections, waitFor } from '@orderlab/platform/testing';
import { itemCreated, orderCreated, orderFailed, orderFulfilled } from './support/events.js';
import { createTestEnvironment } from './support/test-environment.js';

interface Page {
  items: { id: string; type: string; orderId: string | null; customerId: string | null; productId: string | null; message: string; requestId: string | null; createdAt: string }[];
  nextCursor: string | null;
}

async function list(url: string, query = ''): Promise<Page> {
  const res = await fetch(`${url}/api/v1/notifications${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Page;
}

/** Waits until the list for this order has `count` notifications. */
function waitForOrder(url: string, orderId: string, count = 1): Promise<Page> {
  return waitFor(`${count} notification(s) of order ${orderId}`, async () => {
    const page = await list(url, `?orderId=${orderId}`);
    return page.items.length >= count ? page : undefined;
  });
}

describe('consuming events', () => {
  it('turns a valid order.created into a notification, with the correlation id as requestId', async (t) => {
    const env = await createTestEnvironment(t, 'valid');
    const { url } = await env.startService();
    const event = orderCreated();

    await env.publish(event, { correlationId: 'req-4f2c9d0e' });

    const page = await waitForOrder(url, event.data.id);
    assert.equal(page.items.length, 1);
    const [notification] = page.items;
    assert.deepEqual({ ...notification, id: undefined, createdAt: undefined }, {
      id: undefined,
      type: 'order.created',
      orderId: event.data.id,
      customerId: 'cust-0001',
      productId: null,
      message: `Order ${event.data.id} for cust-0001 was placed: 3 items, $12.34`,
      requestId: 'req-4f2c9d0e',
      createdAt: undefined,
    });
    // The message's log line joins the request's lines across services.
    const [stored] = env.logLines('notification stored', event.id);
    assert.equal(stored?.request_id, 'req-4f2c9d0e');
    assert.equal(stored?.type, 'order.created');
    assert.equal(await env.queueDepth(), 0);
  });

  it('stores a message id once, however often it is delivered, and says so in the log', async (t) => {
    const env = await createTestEnvironment(t, 'duplicate');
    const { url } = await env.startService();
    const event = orderCreated();

    await env.publish(event);
    await env.publish(event);
    await waitFor('the duplicate to be skipped', () => env.logLines('duplicate message skipped', event.id).length === 1);

    const page = await list(url, `?orderId=${event.data.id}`);
    assert.equal(page.items.length, 1);
    const { rows } = await env.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM processed_messages WHERE message_id = $1', [event.id]);
    assert.equal(rows[0]?.n, 1);
    const [skipped] = env.logLines('duplicate message skipped', event.id);
    assert.equal(skipped?.level, 'info');
    assert.equal(await env.queueDepth(), 0, 'the duplicate was acked too');
  });

  it('dead-letters poison at once while the valid messages around it are processed', async (t) => {
    const env = await createTestEnvironment(t, 'poison');
    const { url } = await env.startService();
    const before = orderCreated();
    const after = itemCreated();
    const badSchema = orderCreated();
    badSchema.data.items[0]!.quantity = 0;
    const unknownType = { ...orderCreated(), type: 'order.shipped' };
    const notJsonId = randomUUID();

    await env.publish(before);
    await env.publish(badSchema);
    await env.publish(unknownType, { routingKey: 'order.shipped' });
    await env.publish('{"id": "not even JSON', { routingKey: 'order.created', messageId: notJsonId });
    await env.publish(after);

    await waitForOrder(url, before.data.id);
    await waitFor('the item notification', async () => (await list(url)).items.some((n) => n.productId === after.data.id));
    const dead = await waitFor('three dead letters', async () => {
      const letters = await env.deadLetters();
      return letters.length >= 3 ? letters : undefined;
    });
    assert.deepEqual(dead.map((d) => d.messageId).sort(), [badSchema.id, unknownType.id, notJsonId].sort());
    for (const letter of dead) {
      // `rejected`, not `delivery_limit`: dead-lettered on the first delivery, never retried.
      assert.equal(letter.reason, 'rejected', letter.messageId);
      assert.equal(letter.queue, 'notifications');
    }
    assert.equal(dead.find((d) => d.messageId === notJsonId)?.body, '{"id": "not even JSON');

    const reasons = new Map(env.logLines('invalid message dead-lettered').map((l) => [l.message_id, l.reason]));
    assert.match(String(reasons.get(badSchema.id)), /^invalid order\.created: \/data\/items\/0\/quantity/);
    assert.equal(reasons.get(unknownType.id), 'unknown event type "order.shipped"');
    assert.equal(reasons.get(notJsonId), 'body is not JSON');
    assert.equal(env.logLines('message processing failed; requeueing').length, 0);
    assert.equal((await list(url)).items.length, 2);
    assert.equal(await env.queueDepth(), 0);
  });

  it('dead-letters a message that keeps failing after the delivery limit instead of looping', async (t) => {
    const env = await createTestEnvironment(t, 'keeps_failing');
    const { url } = await env.startService({ NOTIFICATIONS_DELIVERY_LIMIT: '2' });
    // Valid by the contract (a failure reason is free text), but Postgres cannot store a NUL
    // character in text: every attempt fails.
    const unstorable = orderFailed(orderCreated());
    unstorable.data.failureReason = 'carrier said \u0000';
    const valid = orderCreated();

    await env.publish(unstorable);
    await env.publish(valid);

    const [dead] = await waitFor('the dead letter', async () => {
      const letters = await env.deadLetters();
      return letters.length > 0 ? letters : undefined;
    });
    assert.equal(dead?.messageId, unstorable.id);
    assert.equal(dead?.reason, 'delivery_limit');
    // The first delivery and two redeliveries (x-delivery-limit 2), then the broker gave up.
    assert.equal(env.logLines('message processing failed; requeueing', unstorable.id).length, 2);
    const [last] = env.logLines('message processing failed at the delivery limit; dead-lettering', unstorable.id);
    assert.equal(last?.delivery_count, 2);
    assert.equal(last?.level, 'error');

    await waitForOrder(url, valid.data.id);
    assert.equal((await list(url, `?orderId=${unstorable.data.id}`)).items.length, 0);
    assert.equal(await env.queueDepth(), 0);
  });

  it('comes back by itself after the broker closes its connection, and consumes what was published meanwhile', async (t) => {
    const env = await createTestEnvironment(t, 'reconnect');
    const { url } = await env.startService();
    const first = orderCreated();
    await env.publish(first);
    await waitForOrder(url, first.data.id);

    assert.ok((await closeVhostConnections(env.vhost.name)) >= 1);
    const meanwhile = orderCreated();
    await env.publish(meanwhile);
    await env.publish(orderFulfilled(meanwhile));

    await waitForOrder(url, meanwhile.data.id, 2);
    assert.ok(env.logLines('disconnected from RabbitMQ; reconnecting').length >= 1);
    assert.ok(env.logLines('consuming').length >= 2, 'the consumer was registered again');
    await waitFor('readiness after the reconnect', async () => (await fetch(`${url}/readyz`)).status === 200);
    assert.equal(await env.consumerCount(), 1);
  });

  it('stores a message once when its connection dies mid-processing and the broker redelivers it', async (t) => {
    const env = await createTestEnvironment(t, 'redelivery');
    const { url } = await env.startService();
    const event = orderCreated();
    const lockWaiters = async () =>
      (
        await env.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'notifications' AND wait_event_type = 'Lock'`,
        )
      ).rows.length;

    const blocker = await env.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('INSERT INTO processed_messages (message_id) VALUES ($1)', [event.id]);
      await env.publish(event);
      await waitFor('the first delivery to wait on the lock', async () => (await lockWaiters()) === 1);
      // Its channel dies under it; the broker requeues the message and redelivers it on the new
      // connection. (Not asserted: that both deliveries wait on the lock at the same moment —
      // under load the first one can reach its statement timeout before the redelivery arrives.)
      await closeVhostConnections(env.vhost.name);
      await waitFor('the consumer to be back', () => env.logLines('consuming').length === 2, { timeoutMs: 30_000 });
      await blocker.query('ROLLBACK');
    } finally {
      blocker.release();
    }

    const page = await waitForOrder(url, event.data.id);
    assert.equal(page.items.length, 1, 'one notification for two deliveries');
    assert.equal(env.logLines('channel closed before the message was settled; the broker will redeliver it', event.id).length, 1);
    await waitFor('the queue to be empty', async () => (await env.queueDepth()) === 0);
    assert.ok(env.logLines('duplicate message skipped', event.id).length <= 1);
    const { rows } = await env.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM processed_messages');
    assert.equal(rows[0]?.n, 1);
  });

  it('acks the message in flight before stop() resolves, leaving nothing in the queue', async (t) => {
    const env = await createTestEnvironment(t, 'drain');
    const running = await env.startService();
    const event = orderCreated();

    // Hold the row the consumer must insert: its statement waits on this lock, so the message
    // is in flight for as long as this transaction stays open.
    const blocker = await env.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('INSERT INTO processed_messages (message_id) VALUES ($1)', [event.id]);
      await env.publish(event);
      await waitFor('the consumer to wait on the lock', async () => {
        const { rows } = await env.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'notifications' AND wait_event_type = 'Lock'`,
        );
        return rows.length === 1;
      });

      let stopped = false;
      const stopping = running.stop().then(() => {
        stopped = true;
      });
      // (A quorum queue keeps listing a cancelled consumer until its messages are settled.)
      await waitFor('the consumer to be cancelled', () => env.logLines('consumer cancelled; settling the messages in flight').length === 1);
      assert.equal(stopped, false, 'stop() waits for the message in flight');

      await blocker.query('ROLLBACK');
      await stopping;
    } finally {
      blocker.release();
    }

    const { rows } = await env.pool.query('SELECT message FROM notifications WHERE message_id = $1', [event.id]);
    assert.equal(rows.length, 1, 'the message in flight was stored');
    assert.equal(await env.queueDepth(), 0, 'and acked: nothing went back to the queue');
    assert.equal(env.logLines('consumer cancelled; settling the messages in flight')[0]?.in_flight, 1);
    assert.equal(env.logLines('consumer stopped; every message in flight was settled').length, 1);
  });
});
