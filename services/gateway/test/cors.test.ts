import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { startFakeOrders } from './helpers/fake-orders.js';
import { startGateway } from './helpers/gateway.js';

const SHOP = 'https://shop.example:8443';
const DEV = 'http://localhost:5173';

async function setup(t: TestContext, corsOrigins: string) {
  const fake = await startFakeOrders();
  t.after(() => fake.stop());
  const { url } = await startGateway(t, { ordersAddress: fake.address, env: { CORS_ORIGINS: corsOrigins }, listen: true });
  return url;
}

function exposed(res: Response): string[] {
  return (res.headers.get('access-control-expose-headers') ?? '').split(',').map((h) => h.trim().toLowerCase());
}

describe('CORS', () => {
  it('lets an allowed origin read the response and the headers it needs', async (t) => {
    const url = await setup(t, `${SHOP}, ${DEV}`);
    const res = await fetch(`${url}/api/v1/products`, { headers: { origin: DEV } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), DEV);
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
    for (const header of ['x-request-id', 'retry-after', 'location', 'idempotent-replayed']) {
      assert.ok(exposed(res).includes(header), `exposes ${header}`);
    }
    assert.match(String(res.headers.get('vary')), /origin/i);
  });

  it('gives a foreign origin no CORS headers', async (t) => {
    const url = await setup(t, SHOP);
    for (const origin of ['https://evil.example', 'https://shop.example', `${SHOP}.evil.example`, 'null']) {
      const res = await fetch(`${url}/api/v1/products`, { headers: { origin } });
      assert.equal(res.headers.get('access-control-allow-origin'), null, origin);
      assert.equal(res.headers.get('access-control-expose-headers'), null, origin);
    }
  });

  it('answers the preflight of a POST with Idempotency-Key from an allowed origin', async (t) => {
    const url = await setup(t, SHOP);
    const res = await fetch(`${url}/api/v1/orders`, {
      method: 'OPTIONS',
      headers: {
        origin: SHOP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, idempotency-key, x-request-id, traceparent',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), SHOP);
    assert.match(String(res.headers.get('access-control-allow-methods')), /POST/);
    const allowed = String(res.headers.get('access-control-allow-headers')).toLowerCase();
    for (const header of ['content-type', 'idempotency-key', 'x-request-id', 'traceparent']) {
      assert.ok(allowed.includes(header), `allows ${header}`);
    }
  });

  it('refuses the preflight of a foreign origin', async (t) => {
    const url = await setup(t, SHOP);
    const res = await fetch(`${url}/api/v1/orders`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.ok(res.status >= 400);
    assert.match(String(res.headers.get('content-type')), /^application\/problem\+json/);
  });

  it('allows no cross-origin access when CORS_ORIGINS is empty', async (t) => {
    const url = await setup(t, '');
    const res = await fetch(`${url}/api/v1/products`, { headers: { origin: SHOP } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});
