import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import Fastify from 'fastify';
import Type from 'typebox';
import { ConfigError, parseConfig } from '../src/config.js';
import { parseCorsOrigins, corsOriginsConfig, registerCors } from '../src/cors.js';
import { registerHttpDefaults } from '../src/http.js';

const schema = Type.Object({ CORS_ORIGINS: corsOriginsConfig });
const SHOP = 'https://shop.example:8443';

async function buildApp(t: TestContext, origins: string[]) {
  const app = Fastify();
  registerHttpDefaults(app);
  registerCors(app, { origins });
  app.get('/things', async () => ({ ok: true }));
  await app.ready();
  t.after(() => app.close());
  return app;
}

describe('CORS_ORIGINS', () => {
  it('defaults to no origins', () => {
    assert.deepEqual(parseCorsOrigins(parseConfig(schema, {}).CORS_ORIGINS), []);
  });

  it('reads a trimmed list of exact origins with lower-case hosts', () => {
    const { CORS_ORIGINS } = parseConfig(schema, { CORS_ORIGINS: ' https://shop.example:8443 ,http://localhost:5173,https://Admin.Example ' });
    assert.deepEqual(parseCorsOrigins(CORS_ORIGINS), ['https://shop.example:8443', 'http://localhost:5173', 'https://admin.example']);
  });

  it('refuses wildcards, null, paths, trailing slashes and empty entries', () => {
    for (const bad of ['*', 'null', 'https://shop.example/', 'https://shop.example/app', 'shop.example', 'https://*.example', 'https://a.example,,https://b.example']) {
      assert.throws(() => parseConfig(schema, { CORS_ORIGINS: bad }), (err: unknown) => err instanceof ConfigError && /CORS_ORIGINS/.test(err.message), bad);
    }
  });
});

describe('registerCors', () => {
  it('lets an allowed origin read the response and X-Request-Id, and no credentials', async (t) => {
    const app = await buildApp(t, [SHOP]);
    const res = await app.inject({ method: 'GET', url: '/things', headers: { origin: SHOP } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['access-control-allow-origin'], SHOP);
    assert.equal(res.headers['access-control-allow-credentials'], undefined);
    assert.match(String(res.headers['access-control-expose-headers']), /X-Request-Id/);
  });

  it('gives any other origin no CORS headers, and its preflight a problem', async (t) => {
    const app = await buildApp(t, [SHOP]);
    const res = await app.inject({ method: 'GET', url: '/things', headers: { origin: 'https://evil.example' } });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/things',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    assert.match(String(preflight.headers['content-type']), /^application\/problem\+json/);
  });

  it('answers an allowed preflight with the default methods', async (t) => {
    const app = await buildApp(t, [SHOP]);
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/things',
      headers: { origin: SHOP, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-request-id' },
    });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['access-control-allow-methods'], 'GET, HEAD');
    assert.match(String(res.headers['access-control-allow-headers']), /X-Request-Id/);
  });
});
