import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { startFakeOrders } from './helpers/fake-orders.js';
import { startGateway } from './helpers/gateway.js';

async function setup(t: TestContext) {
  const fake = await startFakeOrders();
  t.after(() => fake.stop());
  const { url, logs } = await startGateway(t, { ordersAddress: fake.address, listen: true });
  return { fake, url, logs };
}

describe('X-Request-Id', () => {
  it('echoes a sane id, sends it to orders and writes it in every log line of the request', async (t) => {
    const { fake, url, logs } = await setup(t);
    const id = 'edge-7f3a.2026:11';
    const res = await fetch(`${url}/api/v1/products`, { headers: { 'x-request-id': id } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), id);
    assert.equal(fake.callsTo('ListProducts')[0]?.metadata['x-request-id'], id);
    const line = logs.lines().find((l) => l.msg === 'request completed' && l.request_id === id);
    assert.ok(line, 'a request log line carries the id');
    assert.equal(line.service, 'gateway');
    assert.equal(line.method, 'GET');
    assert.equal(line.route, '/api/v1/products');
    assert.equal(line.status, 200);
    assert.equal(typeof line.duration_ms, 'number');
  });

  for (const [label, insane] of [
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'two words'],
    ['with a log-injection attempt', 'id","level":"fatal'],
  ] as const) {
    it(`replaces an id ${label} with a fresh one, everywhere`, async (t) => {
      const { fake, url, logs } = await setup(t);
      const res = await fetch(`${url}/api/v1/products`, { headers: { 'x-request-id': insane } });
      assert.equal(res.status, 200);
      const id = res.headers.get('x-request-id');
      assert.match(String(id), /^[0-9a-f]{32}$/);
      assert.equal(fake.callsTo('ListProducts')[0]?.metadata['x-request-id'], id);
      assert.ok(logs.lines().some((l) => l.request_id === id));
      assert.ok(!logs.lines().some((l) => JSON.stringify(l).includes(insane)));
    });
  }

  it('is on every response, errors included, and matches the problem body', async (t) => {
    const { url } = await setup(t);
    const responses = await Promise.all([
      fetch(`${url}/healthz`),
      fetch(`${url}/api/v1/nowhere`),
      fetch(`${url}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
      fetch(`${url}/api/v1/orders`, { method: 'DELETE', headers: { 'x-request-id': 'delete-1' } }),
    ]);
    for (const res of responses) {
      const id = res.headers.get('x-request-id');
      assert.ok(id, `${res.url} has X-Request-Id`);
      if (res.status >= 400) assert.equal(((await res.json()) as { request_id: string }).request_id, id);
    }
    assert.equal(responses[3]?.headers.get('x-request-id'), 'delete-1');
  });
});
