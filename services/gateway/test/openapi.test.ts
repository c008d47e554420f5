import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startFakeOrders } from './helpers/fake-orders.js';
import { startGateway } from './helpers/gateway.js';

interface Operation {
  operationId: string;
  parameters?: { in: string; name: string; required: boolean }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}

const OPERATIONS = [
  ['/api/v1/products', 'get', 'listProducts'],
  ['/api/v1/products', 'post', 'createProduct'],
  ['/api/v1/products/{id}', 'get', 'getProduct'],
  ['/api/v1/orders', 'get', 'listOrders'],
  ['/api/v1/orders', 'post', 'createOrder'],
  ['/api/v1/orders/{id}', 'get', 'getOrder'],
] as const;

async function setup(t: TestContext) {
  const fake = await startFakeOrders();
  t.after(() => fake.stop());
  const { gateway } = await startGateway(t, { ordersAddress: fake.address });
  const res = await gateway.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  return { app: gateway.app, doc: res.json<{ openapi: string; info: { title: string }; paths: Record<string, Record<string, Operation>> }>() };
}

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document listing exactly the API routes', async (t) => {
    const { doc } = await setup(t);
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.1');
    assert.equal(doc.info.title, 'OrderLab API');
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    assert.deepEqual(listed.sort(), OPERATIONS.map(([path, method]) => `${method} ${path}`).sort());
    for (const [path, method, operationId] of OPERATIONS) assert.equal(doc.paths[path]?.[method]?.operationId, operationId);
  });

  it('documents the Idempotency-Key as a required header of every POST, and what a 201 returns', async (t) => {
    const { doc } = await setup(t);
    for (const [path, method] of OPERATIONS.filter(([, m]) => m === 'post')) {
      const op = doc.paths[path]![method]!;
      const key = op.parameters?.find((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
      assert.equal(key?.required, true, `${path} requires Idempotency-Key`);
      assert.ok(op.requestBody?.content['application/json'], `${path} takes JSON`);
      const created = op.responses['201'];
      assert.ok(created?.content?.['application/json']);
      for (const header of ['Location', 'Idempotent-Replayed', 'X-Request-Id']) assert.ok(created?.headers?.[header], `201 documents ${header}`);
      for (const status of ['400', '409', '413', '415', '422', '503', '504']) {
        assert.ok(op.responses[status]?.content?.['application/problem+json'], `${path} documents ${status} as problem+json`);
      }
    }
  });

  it('documents every error as problem+json, with Retry-After where a retry helps', async (t) => {
    const { doc } = await setup(t);
    for (const [path, method] of OPERATIONS) {
      const op = doc.paths[path]![method]!;
      assert.ok(op.parameters?.some((p) => p.in === 'header' && p.name.toLowerCase() === 'x-request-id'), `${path} documents X-Request-Id`);
      for (const [status, response] of Object.entries(op.responses)) {
        assert.ok(response.headers?.['X-Request-Id'], `${method} ${path} ${status} documents X-Request-Id`);
        if (Number(status) < 400) continue;
        assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], `${method} ${path} ${status}`);
        if (['409', '429', '503', '504'].includes(status)) assert.ok(response.headers?.['Retry-After'], `${method} ${path} ${status} documents Retry-After`);
      }
      assert.ok(op.responses['503'] && op.responses['504'], `${method} ${path} documents 503 and 504`);
    }
    assert.ok(doc.paths['/api/v1/products/{id}']!.get!.responses['404']);
    assert.ok(doc.paths['/api/v1/orders/{id}']!.get!.responses['404']);
  });

  it('serves Swagger UI at /docs', async (t) => {
    const { app } = await setup(t);
    const res = await app.inject({ method: 'GET', url: '/docs' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /swagger-ui/i);
  });
});
