import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findSamples, promtoolProblems, sampleValue, waitFor } from '@orderlab/platform/testing';
import { bindQueue, testVhost } from './event-helpers.js';
import { createStores, insertProducts, rejection, startOrders, startOrdersWith, withKey } from './helpers.js';

async function scrape(opsPort: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
  assert.equal(res.status, 200);
  assert.match(String(res.headers.get('content-type')), /^text\/plain/);
  return res.text();
}

describe('GET /metrics on the orders ops port', () => {
  it('reports gRPC calls, statements, cache, idempotency, sends, order and outbox counts', async (t) => {
    const stores = await createStores(t, 'metrics');
    const vhost = await testVhost(stores, 'metrics');
    await bindQueue(vhost.url, 'observed', ['#']);
    const orders = await startOrdersWith(stores, { RABBITMQ_URL: vhost.url });
    const [productId] = await insertProducts(orders.pool, [{ sku: 'MET-1', priceCents: 500 }]);
    const order = { customerId: 'cust-metrics', items: [{ productId: productId!, quantity: 2 }] };

    const { order: created } = await orders.client.createOrder(order, withKey('k-1'));
    assert.equal((await orders.client.createOrder(order, withKey('k-1'))).replayed, true);
    assert.equal((await rejection(orders.client.createOrder({ ...order, customerId: 'cust-metrics', items: [{ productId: productId!, quantity: 3 }] }, withKey('k-1')))).code, 'IDEMPOTENCY_KEY_MISMATCH');
    await orders.client.getProduct({ id: productId! });
    await orders.client.getProduct({ id: productId! });
    assert.equal((await rejection(orders.client.getOrder({ id: '00000000-0000-4000-8000-000000000000' }))).status, 'NOT_FOUND');

    // Both relays send what the order wrote: the fulfillment request to Redis, order.created to RabbitMQ.
    const text = await waitFor('both relays to have sent', async () => {
      const body = await scrape(orders.opsPort);
      const redis = sampleValue(body, 'messaging_client_sent_messages_total', { messaging_system: 'redis', messaging_destination_name: 'fulfillment:requests', error_type: '' });
      const rabbit = sampleValue(body, 'messaging_client_sent_messages_total', { messaging_system: 'rabbitmq', messaging_destination_name: 'orderlab.events', error_type: '' });
      return redis >= 1 && rabbit >= 1 ? body : undefined;
    });

    const rpc = (method: string, status: string) =>
      sampleValue(text, 'rpc_server_call_duration_seconds_count', { rpc_system_name: 'grpc', rpc_method: `orderlab.orders.v1.OrderService/${method}`, rpc_status_code: status });
    assert.equal(rpc('CreateOrder', 'OK'), 2);
    assert.equal(rpc('CreateOrder', 'FAILED_PRECONDITION'), 1);
    assert.equal(rpc('GetOrder', 'NOT_FOUND'), 1);
    assert.equal(findSamples(text, 'rpc_server_call_duration_seconds_count', { rpc_method: 'grpc.health.v1.Health/Check' }).length, 0);

    const db = { db_system_name: 'postgresql', db_client_connection_pool_name: 'orders' };
    assert.ok(sampleValue(text, 'db_client_operation_duration_seconds_count', { ...db, db_operation_name: 'INSERT', db_collection_name: 'orders', error_type: '' }) >= 1, 'the order insert');
    assert.ok(sampleValue(text, 'db_client_operation_duration_seconds_count', { ...db, db_operation_name: 'BEGIN' }) >= 1);
    assert.equal(sampleValue(text, 'db_client_connection_max', { db_client_connection_pool_name: 'orders' }), 4);
    assert.equal(findSamples(text, 'db_client_connection_count', { db_client_connection_pool_name: 'orders', db_client_connection_state: 'idle' }).length, 1);
    assert.equal(findSamples(text, 'db_client_connection_pending_requests', { db_client_connection_pool_name: 'orders' }).length, 1);

    assert.equal(sampleValue(text, 'orderlab_cache_requests_total', { cache_name: 'product', result: 'miss' }), 1);
    assert.equal(sampleValue(text, 'orderlab_cache_requests_total', { cache_name: 'product', result: 'hit' }), 1);
    assert.equal(sampleValue(text, 'orderlab_orders_idempotency_requests_total', { outcome: 'created' }), 1);
    assert.equal(sampleValue(text, 'orderlab_orders_idempotency_requests_total', { outcome: 'replayed' }), 1);
    assert.equal(sampleValue(text, 'orderlab_orders_idempotency_requests_total', { outcome: 'mismatch' }), 1);

    assert.ok(findSamples(text, 'messaging_client_operation_duration_seconds_count', { messaging_system: 'redis', messaging_operation_name: 'send', error_type: '' }).length === 1);
    assert.ok(!text.includes(created!.id), 'no order id in any label');
    assert.equal(sampleValue(text, 'orderlab_build_info', { service_name: 'orders' }), 1);
    assert.deepEqual(await promtoolProblems(text), []);
  });

  it('counts orders by status and the outbox backlog from Postgres, at most every 15 s', async (t) => {
    // RabbitMQ is unreachable in the default test config, so order.created rows stay in the outbox.
    const orders = await startOrders(t, 'metrics_counts');
    const [productId] = await insertProducts(orders.pool, [{ sku: 'MET-2', priceCents: 100 }]);
    await orders.client.createOrder({ customerId: 'cust-counts', items: [{ productId: productId!, quantity: 1 }] }, withKey('k-2'));

    const first = await scrape(orders.opsPort);
    const statuses = ['pending', 'fulfilling', 'fulfilled', 'failed'];
    for (const status of statuses) assert.equal(findSamples(first, 'orderlab_orders_by_status', { order_status: status }).length, 1, status);
    assert.equal(statuses.reduce((sum, status) => sum + sampleValue(first, 'orderlab_orders_by_status', { order_status: status }), 0), 1);
    assert.equal(sampleValue(first, 'orderlab_outbox_backlog_messages', { outbox_destination: 'events' }), 1);
    assert.ok(sampleValue(first, 'orderlab_outbox_oldest_message_age_seconds', { outbox_destination: 'events' }) >= 0);
    assert.equal(findSamples(first, 'orderlab_outbox_backlog_messages', { outbox_destination: 'fulfillment' }).length, 1);

    // A second order right away is not counted yet: the counts are cached between scrapes.
    await orders.client.createOrder({ customerId: 'cust-counts', items: [{ productId: productId!, quantity: 1 }] }, withKey('k-3'));
    const second = await scrape(orders.opsPort);
    assert.equal(sampleValue(second, 'orderlab_outbox_backlog_messages', { outbox_destination: 'events' }), 1);
  });

  it('is a 404 with METRICS_ENABLED=false', async (t) => {
    const orders = await startOrders(t, 'metrics_off', { METRICS_ENABLED: 'false' });
    assert.equal((await fetch(`http://127.0.0.1:${orders.opsPort}/metrics`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${orders.opsPort}/healthz`)).status, 200);
  });
});
