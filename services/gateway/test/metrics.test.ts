import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findSamples, promtoolProblems, sampleValue, waitFor } from '@orderlab/platform/testing';
import { gate, PRODUCTS, startFakeOrders, UNKNOWN_ID } from './helpers/fake-orders.js';
import { startGateway } from './helpers/gateway.js';

const ORDER = { customerId: 'cust-7', items: [{ productId: PRODUCTS[0]!.id, quantity: 1 }] };

describe('GET /metrics (gateway)', () => {
  it('reports requests by route template and the gRPC calls behind them by method and status', async (t) => {
    const fake = await startFakeOrders();
    t.after(() => fake.stop());
    const { gateway } = await startGateway(t, { ordersAddress: fake.address });
    const app = gateway.app;

    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/products/${PRODUCTS[0]!.id}` })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/orders/${UNKNOWN_ID}` })).statusCode, 404);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'metrics-key-1' },
      payload: JSON.stringify(ORDER),
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);

    const res = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    const text = res.body;
    const http = 'http_server_request_duration_seconds_count';
    assert.equal(sampleValue(text, http, { http_request_method: 'GET', http_route: '/api/v1/products/:id', http_response_status_code: '200' }), 1);
    assert.equal(sampleValue(text, http, { http_request_method: 'GET', http_route: '/api/v1/orders/:id', http_response_status_code: '404' }), 1);
    assert.equal(sampleValue(text, http, { http_request_method: 'POST', http_route: '/api/v1/orders', http_response_status_code: '201' }), 1);
    assert.equal(findSamples(text, http, { http_route: '/healthz' }).length, 0, 'probes are not recorded');
    assert.ok(!text.includes(UNKNOWN_ID), 'ids never become labels');

    const rpc = 'rpc_client_call_duration_seconds_count';
    const method = (name: string) => ({ rpc_system_name: 'grpc', rpc_method: `orderlab.orders.v1.OrderService/${name}` });
    assert.equal(sampleValue(text, rpc, { ...method('GetProduct'), rpc_status_code: 'OK' }), 1);
    assert.equal(sampleValue(text, rpc, { ...method('GetOrder'), rpc_status_code: 'NOT_FOUND' }), 1);
    assert.equal(sampleValue(text, rpc, { ...method('CreateOrder'), rpc_status_code: 'OK' }), 1);
    assert.equal(sampleValue(text, 'orderlab_build_info', { service_name: 'gateway' }), 1);
    assert.ok(findSamples(text, 'process_resident_memory_bytes').length > 0);
    assert.deepEqual(await promtoolProblems(text), []);
  });

  it('counts shed requests and still answers a scrape when every slot is taken', async (t) => {
    const fake = await startFakeOrders();
    t.after(() => fake.stop());
    const { url } = await startGateway(t, { ordersAddress: fake.address, listen: true, env: { MAX_IN_FLIGHT: '1', GRPC_DEADLINE_MS: '30000' } });
    const held = gate();
    t.after(() => held.open());
    fake.on('ListProducts', async () => {
      await held.opened;
      return { products: [...PRODUCTS], nextPageToken: '' };
    });
    const holding = fetch(`${url}/api/v1/products`);
    await waitFor('the request to reach orders', () => fake.callsTo('ListProducts').length === 1);

    assert.equal((await fetch(`${url}/api/v1/products`)).status, 503);
    const scrape = await fetch(`${url}/metrics`);
    assert.equal(scrape.status, 200, 'the scrape is never shed');
    const text = await scrape.text();
    assert.equal(sampleValue(text, 'orderlab_gateway_rejected_requests_total', { reason: 'overload' }), 1);
    assert.equal(sampleValue(text, 'http_server_active_requests', { http_request_method: 'GET' }), 1, 'the held request is in progress');
    assert.equal(
      sampleValue(text, 'http_server_request_duration_seconds_count', { http_route: '/api/v1/products', http_response_status_code: '503' }),
      1,
      'shed requests are recorded as 503s',
    );
    held.open();
    assert.equal((await holding).status, 200);
  });

  it('has no /metrics route with METRICS_ENABLED=false', async (t) => {
    const fake = await startFakeOrders();
    t.after(() => fake.stop());
    const { gateway } = await startGateway(t, { ordersAddress: fake.address, env: { METRICS_ENABLED: 'false' } });
    assert.equal((await gateway.app.inject({ method: 'GET', url: `/api/v1/products/${PRODUCTS[0]!.id}` })).statusCode, 200);
    const res = await gateway.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 404);
  });
});
