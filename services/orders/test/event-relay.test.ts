import { EVENT_ENVELOPES, isEventType } from '@orderlab/contracts';
import { closeVhostConnections, waitFor } from '@orderlab/platform/testing';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import Value from 'typebox/value';
import { INVALID_EVENT_BACKOFF_MS } from '../src/event-relay.js';
import {
  bindQueue,
  drainQueue,
  eventRowCounts,
  insertItemEvents,
  messageIds,
  queueDepth,
  startBrokerGate,
  startEventRelay,
  testVhost,
  withChannel,
} from './event-helpers.js';
import { createStores, insertProducts, startOrdersWith } from './helpers.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** The message body as JSON. */
function body(message: { content: Buffer }): Record<string, unknown> {
  return JSON.parse(message.content.toString('utf8')) as Record<string, unknown>;
}

describe('events relay', () => {
  it('publishes order.created, order.fulfilled and item.created with the contract envelope, properties and headers, then marks them sent', async (t) => {
    const stores = await createStores(t, 'events_deliver');
    const vhost = await testVhost(stores, 'events_deliver');
    await bindQueue(vhost.url, 'observed', ['#']);
    // A fallback poll a minute away: deliveries within the wait prove the relay is woken by commits.
    const orders = await startOrdersWith(stores, { RABBITMQ_URL: vhost.url, OUTBOX_POLL_INTERVAL_MS: '60000' });
    await waitFor('the event exchanges', () => orders.logs().some((line) => line.msg === 'event exchanges declared; publishing with confirms'));

    const { product } = await orders.client.createProduct(
      { sku: 'EV-1', name: 'Lamp', description: 'a lamp', priceCents: 1500, currency: 'EUR' },
      { metadata: { 'idempotency-key': 'k-product', 'x-request-id': 'req-product', traceparent: TRACEPARENT } },
    );
    assert.ok(product);
    const { order } = await orders.client.createOrder(
      { customerId: 'cust-ev', items: [{ productId: product.id, quantity: 2 }] },
      { metadata: { 'idempotency-key': 'k-order', 'x-request-id': 'req-order', traceparent: TRACEPARENT } },
    );
    assert.ok(order);
    await orders.client.completeFulfillment(
      { orderId: order.id, outcome: 'FULFILLMENT_OUTCOME_SHIPPED', shipmentId: 'ship-1', trackingNumber: 'TRK-1' },
      { metadata: { 'x-request-id': 'req-order' } },
    );

    await waitFor('every event row to be sent', async () => (await eventRowCounts(orders.pool)).sent === 3);
    // Marked sent only after the broker confirmed a routed message: all three are in the queue now.
    const messages = await drainQueue(vhost.url, 'observed');
    assert.deepEqual(messages.map((m) => m.fields.routingKey), ['item.created', 'order.created', 'order.fulfilled']);
    const { rows } = await orders.pool.query<{ id: string; type: string; payload: unknown; created_at: Date; attempts: number; last_error: string | null }>(
      "SELECT id, type, payload, created_at, attempts, last_error FROM outbox WHERE destination = 'events' ORDER BY seq",
    );
    for (const [i, message] of messages.entries()) {
      const row = rows[i]!;
      const envelope = body(message);
      const type: unknown = row.type;
      assert.ok(isEventType(type));
      assert.equal(Value.Check(EVENT_ENVELOPES[type], envelope), true, `${type} matches the contract`);
      assert.deepEqual(envelope, { id: row.id, type: row.type, timestamp: row.created_at.toISOString(), source_service: 'orders', data: row.payload });
      const requestId = row.type === 'item.created' ? 'req-product' : 'req-order';
      assert.equal(message.properties.messageId, row.id);
      assert.equal(message.properties.correlationId, requestId);
      assert.equal(message.properties.deliveryMode, 2);
      assert.equal(message.properties.contentType, 'application/json');
      assert.equal(message.properties.type, row.type);
      assert.equal(message.properties.appId, 'orders');
      assert.equal(message.properties.timestamp, Math.floor(row.created_at.getTime() / 1000));
      assert.deepEqual([row.attempts, row.last_error], [1, null]);
      const expectedHeaders: Record<string, string> = { correlation_id: requestId, traceparent: TRACEPARENT };
      // CompleteFulfillment carries no idempotency key; the headers omit what is absent.
      if (row.type === 'item.created') expectedHeaders.idempotency_key = 'k-product';
      if (row.type === 'order.created') expectedHeaders.idempotency_key = 'k-order';
      if (row.type === 'order.fulfilled') delete expectedHeaders.traceparent;
      assert.deepEqual(message.properties.headers, expectedHeaders);
    }
    const [item, created, fulfilled] = messages.map((m) => body(m).data as Record<string, unknown>);
    assert.equal(item?.id, product.id);
    assert.equal(item?.priceCents, 1500);
    assert.equal(created?.id, order.id);
    assert.equal(created?.status, 'pending');
    assert.equal(created?.totalCents, 3000);
    assert.deepEqual([fulfilled?.status, fulfilled?.shipmentId, fulfilled?.trackingNumber], ['fulfilled', 'ship-1', 'TRK-1']);

    // Rows written by another process wake the relay through NOTIFY orderlab_outbox.
    const [other] = await insertItemEvents(orders.pool, 1, 'elsewhere');
    await orders.pool.query('NOTIFY orderlab_outbox');
    await waitFor('the notified row to be sent', async () => (await eventRowCounts(orders.pool)).sent === 4);
    assert.deepEqual(messageIds(await drainQueue(vhost.url, 'observed')), [other]);
  });

  it('keeps an unroutable event unsent with its error, then delivers it exactly once when a queue is bound', async (t) => {
    const orders = await createStores(t, 'events_unroutable');
    const vhost = await testVhost(orders, 'events_unroutable');
    const [id] = await insertItemEvents(orders.pool, 1);
    await startEventRelay(orders, vhost.url, { maxBackoffMs: 200 });

    const failed = await waitFor('failed attempts', async () => {
      const { rows } = await orders.pool.query<{ sent_at: Date | null; attempts: number; last_error: string | null }>(
        'SELECT sent_at, attempts, last_error FROM outbox WHERE id = $1',
        [id],
      );
      return rows[0]!.attempts >= 2 && rows[0];
    });
    assert.equal(failed.sent_at, null);
    assert.match(failed.last_error ?? '', /unroutable/);
    assert.match(failed.last_error ?? '', /NO_ROUTE/);

    await bindQueue(vhost.url, 'late', ['item.*']);
    const sent = await waitFor('the row to be sent', async () => {
      const { rows } = await orders.pool.query<{ sent_at: Date | null; last_error: string | null }>('SELECT sent_at, last_error FROM outbox WHERE id = $1', [id]);
      return rows[0]!.sent_at !== null && rows[0];
    });
    assert.equal(sent.last_error, null);
    const messages = await drainQueue(vhost.url, 'late');
    assert.deepEqual(messageIds(messages), [id]);
  });

  it('reconnects by itself when the broker closes its connection mid-burst, and loses no event', async (t) => {
    const stores = await createStores(t, 'events_reconnect');
    const vhost = await testVhost(stores, 'events_reconnect');
    await bindQueue(vhost.url, 'observed', ['#']);
    // One row per round keeps the relay busy through the close (rabbitmqctl alone takes ~1 s), so
    // rows are caught in every state: claimed, published and awaiting their confirm, committed.
    await startEventRelay(stores, vhost.url, { batchSize: 1 });

    // A burst: 300 rows at once, then small commits (2 events every ~10 ms) until well after the close.
    await insertItemEvents(stores.pool, 300, 'burst');
    let written = 300;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i += 1) {
        await insertItemEvents(stores.pool, 2, `more${i}`);
        written += 2;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await waitFor('the first deliveries', async () => (await eventRowCounts(stores.pool)).sent >= 50);
    const closed = await closeVhostConnections(vhost.name, 'broker restart (test)');
    const writtenAtClose = written;
    const pendingAtClose = (await eventRowCounts(stores.pool)).unsent;
    assert.ok(closed >= 1, 'the relay had a connection to close');
    assert.ok(pendingAtClose > 0, 'the close came in the middle of the burst');
    await waitFor('more events after the close', () => written >= writtenAtClose + 100);
    writing = false;
    await writer;

    await waitFor('every event row to be sent', async () => (await eventRowCounts(stores.pool)).unsent === 0, { timeoutMs: 30_000 });
    const messages = await drainQueue(vhost.url, 'observed');
    const { rows } = await stores.pool.query<{ id: string; attempts: number }>("SELECT id, attempts FROM outbox WHERE destination = 'events'");
    const delivered = new Set(messages.map((m) => m.properties.messageId as string));
    assert.equal(rows.length, written);
    for (const { id } of rows) assert.ok(delivered.has(id), `event ${id} was delivered`);
    assert.equal(delivered.size, written);
    const logs = stores.logs();
    assert.ok(logs.some((line) => line.msg === 'disconnected from RabbitMQ; reconnecting'));
    const connects = logs.filter((line) => line.msg === 'connected to RabbitMQ').length;
    assert.ok(connects >= 2, 'connected again without a restart');
    t.diagnostic(
      `written ${written} (${writtenAtClose} when the close returned, ${pendingAtClose} of them unsent), delivered ${messages.length} messages, ` +
        `duplicates ${messages.length - delivered.size}, rows retried ${rows.filter((row) => row.attempts > 1).length}, connects ${connects}`,
    );
  });

  it('reopens its channel after a channel error while the connection stays up', async (t) => {
    const stores = await createStores(t, 'events_channel');
    const vhost = await testVhost(stores, 'events_channel');
    await bindQueue(vhost.url, 'observed', ['#']);
    await startEventRelay(stores, vhost.url);
    await waitFor('the publisher', () => stores.logs().some((line) => line.msg === 'event exchanges declared; publishing with confirms'));
    // Publishing to a deleted exchange is a channel error (404): the broker closes the channel only.
    await withChannel(vhost.url, (channel) => channel.deleteExchange('orderlab.events'));
    const ids = await insertItemEvents(stores.pool, 10);

    await waitFor('the channel to be reopened', () => stores.logs().some((line) => line.msg === 'event channel closed; reopening it'));
    await bindQueue(vhost.url, 'observed', ['#']);
    await waitFor('every event row to be sent', async () => (await eventRowCounts(stores.pool)).unsent === 0);
    const messages = await drainQueue(vhost.url, 'observed');
    assert.deepEqual(new Set(messageIds(messages)), new Set(ids));
    assert.equal(stores.logs().filter((line) => line.msg === 'connected to RabbitMQ').length, 1, 'the connection was not replaced');
  });

  it('delivers every row once with two relays on the same database', async (t) => {
    const stores = await createStores(t, 'events_two');
    const vhost = await testVhost(stores, 'events_two');
    await bindQueue(vhost.url, 'observed', ['#']);
    const ids = await insertItemEvents(stores.pool, 500);
    await startEventRelay(stores, vhost.url, { batchSize: 25 });
    await startEventRelay(stores, vhost.url, { batchSize: 25 });

    await waitFor('every event row to be sent', async () => (await eventRowCounts(stores.pool)).unsent === 0, { timeoutMs: 30_000 });
    const messages = await drainQueue(vhost.url, 'observed');
    assert.equal(messages.length, 500);
    assert.deepEqual(new Set(messageIds(messages)), new Set(ids));
  });

  it('starts and serves orders while the broker is unreachable; the events wait and go out once it is reachable', async (t) => {
    const stores = await createStores(t, 'events_down');
    const vhost = await testVhost(stores, 'events_down');
    await bindQueue(vhost.url, 'observed', ['order.*']);
    const gate = await startBrokerGate();
    stores.onCleanup(() => gate.close());
    const orders = await startOrdersWith(stores, {
      RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${gate.port}/${encodeURIComponent(vhost.name)}`,
    });
    const [productId] = await insertProducts(orders.pool, [{ sku: 'D-1', priceCents: 100 }]);

    const { order } = await orders.client.createOrder(
      { customerId: 'cust-down', items: [{ productId, quantity: 1 }] },
      { metadata: { 'idempotency-key': 'k-down', 'x-request-id': 'req-down' } },
    );
    assert.ok(order);
    const ready = await fetch(`http://127.0.0.1:${orders.opsPort}/readyz`);
    assert.equal(ready.status, 200, 'readiness does not depend on RabbitMQ');
    await waitFor('the relay to wait', () => orders.logs().some((line) => line.msg === 'events relay waiting for RabbitMQ'));
    // Let a few poll intervals (100 ms) pass: the relay claims nothing, so no attempts are counted.
    await waitFor('several polls', () => orders.logs().some((line) => line.msg === 'RabbitMQ unreachable; retrying'));
    assert.deepEqual(await eventRowCounts(orders.pool), { sent: 0, unsent: 1, attempted: 0 });

    gate.enable();
    await waitFor('the event to be sent', async () => (await eventRowCounts(orders.pool)).sent === 1, { timeoutMs: 15_000 });
    const messages = await drainQueue(vhost.url, 'observed');
    assert.deepEqual(messages.map((m) => [m.fields.routingKey, (body(m).data as { id: string }).id]), [['order.created', order.id]]);
  });

  it('keeps fulfillment requests flowing while events are stuck unroutable', async (t) => {
    const stores = await createStores(t, 'events_stuck');
    const vhost = await testVhost(stores, 'events_stuck');
    const orders = await startOrdersWith(stores, { RABBITMQ_URL: vhost.url });
    const [productId] = await insertProducts(orders.pool, [{ sku: 'S-1', priceCents: 100 }]);

    const placed = [];
    for (let i = 0; i < 5; i += 1) {
      const { order } = await orders.client.createOrder(
        { customerId: 'cust-stuck', items: [{ productId, quantity: 1 }] },
        { metadata: { 'idempotency-key': `k-stuck-${i}`, 'x-request-id': `req-stuck-${i}` } },
      );
      placed.push(order?.id);
    }

    await waitFor('every order to be fulfilling', async () => {
      const { rows } = await orders.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE status = 'fulfilling'");
      return rows[0]!.n === 5;
    });
    assert.equal(await orders.redis.xlen(`${orders.prefix}fulfillment:requests`), 5);
    const events = await waitFor('failed event attempts', async () => {
      const counts = await eventRowCounts(orders.pool);
      return counts.attempted === 5 && counts;
    });
    assert.deepEqual(events, { sent: 0, unsent: 5, attempted: 5 });
    const { rows } = await orders.pool.query<{ last_error: string | null }>("SELECT DISTINCT last_error FROM outbox WHERE destination = 'events'");
    assert.match(rows[0]!.last_error ?? '', /unroutable/);
  });

  it('never publishes an event that breaks the contract: logs it, backs it off for long, and delivers the rows around it', async (t) => {
    const stores = await createStores(t, 'events_invalid');
    const vhost = await testVhost(stores, 'events_invalid');
    await bindQueue(vhost.url, 'observed', ['#']);
    const [before] = await insertItemEvents(stores.pool, 1, 'before');
    const { rows: bad } = await stores.pool.query<{ id: string }>(
      `INSERT INTO outbox (destination, type, aggregate_id, payload)
       VALUES ('events', 'item.created', $1, '{"id": "not-a-uuid"}'),
              ('events', 'order.exploded', $1, '{}')
       RETURNING id`,
      [randomUUID()],
    );
    const [after] = await insertItemEvents(stores.pool, 1, 'after');
    await startEventRelay(stores, vhost.url);

    await waitFor('the valid rows to be sent', async () => (await eventRowCounts(stores.pool)).sent === 2);
    const messages = await drainQueue(vhost.url, 'observed');
    assert.deepEqual(messageIds(messages), [before, after]);
    const { rows } = await stores.pool.query<{ sent_at: Date | null; attempts: number; last_error: string | null; long_backoff: boolean }>(
      `SELECT sent_at, attempts, last_error, next_attempt_at - now() > interval '50 minutes' AS long_backoff
         FROM outbox WHERE id = ANY($1::uuid[]) ORDER BY seq`,
      [bad.map((row) => row.id)],
    );
    assert.deepEqual(rows.map((row) => [row.sent_at, row.attempts, row.long_backoff]), [[null, 1, true], [null, 1, true]]);
    assert.match(rows[0]!.last_error ?? '', /invalid event: .*data/);
    assert.match(rows[1]!.last_error ?? '', /unknown type "order.exploded"/);
    const errors = stores.logs().filter((line) => line.level === 'error' && line.msg === 'event does not match its contract; not published');
    assert.equal(errors.length, 2);
    assert.ok(INVALID_EVENT_BACKOFF_MS >= 60 * 60 * 1000);
  });

  it('lets the batch in flight settle on shutdown: every row marked sent is in the queue', async (t) => {
    const stores = await createStores(t, 'events_shutdown');
    const vhost = await testVhost(stores, 'events_shutdown');
    await bindQueue(vhost.url, 'observed', ['#']);
    await insertItemEvents(stores.pool, 3_000);
    const orders = await startOrdersWith(stores, { RABBITMQ_URL: vhost.url, OUTBOX_BATCH_SIZE: '50' });
    await waitFor('the first deliveries', async () => (await eventRowCounts(orders.pool)).sent >= 100, { intervalMs: 5 });

    await orders.stop();

    const { rows } = await orders.pool.query<{ id: string; last_error: string | null }>(
      "SELECT id, last_error FROM outbox WHERE destination = 'events' AND sent_at IS NOT NULL",
    );
    const queued = new Set(messageIds(await drainQueue(vhost.url, 'observed')));
    for (const row of rows) assert.ok(queued.has(row.id), `sent row ${row.id} is in the queue`);
    const { rows: failed } = await orders.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE attempts > 0 AND sent_at IS NULL");
    assert.equal(failed[0]!.n, 0, 'no row of the last batch failed because the connection closed under it');
    assert.ok(!orders.logs().some((line) => line.msg === 'error while closing'));
    t.diagnostic(`${rows.length} of 3000 sent before the stop, ${queued.size} in the queue`);
  });

  it('measures events published with confirms by one relay (5,000 rows into a durable queue)', async (t) => {
    const stores = await createStores(t, 'events_rate');
    const vhost = await testVhost(stores, 'events_rate');
    await bindQueue(vhost.url, 'observed', ['#']);
    const count = 5_000;
    await insertItemEvents(stores.pool, count);

    const started = performance.now();
    await startEventRelay(stores, vhost.url);
    await waitFor('the backlog to drain', async () => (await eventRowCounts(stores.pool)).unsent === 0, { timeoutMs: 60_000, intervalMs: 10 });
    const seconds = (performance.now() - started) / 1000;

    assert.equal(await queueDepth(vhost.url, 'observed'), count);
    t.diagnostic(`${count} events in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} events/s (batch 100, persistent, confirms)`);
  });
});
