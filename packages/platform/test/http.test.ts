import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import Fastify from 'fastify';
import Type from 'typebox';
import { AppError } from '../src/errors.js';
import { httpServerOptions, registerHttpDefaults } from '../src/http.js';
import { captureLogs } from '../src/testing/index.js';

async function buildApp(t: TestContext) {
  const logs = captureLogs('test');
  const app = Fastify(httpServerOptions({ logger: logs.logger, bodyLimit: 1024 }));
  registerHttpDefaults(app);
  app.post('/things', {
    schema: {
      body: Type.Object({ name: Type.String({ minLength: 1 }), count: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
    },
  }, async (_req, reply) => reply.code(201).send({ ok: true }));
  app.get('/things/:id', { schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }) } }, async () => ({ ok: true }));
  app.get('/things', { schema: { querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 10, default: 5 }) }) } },
    async (req) => ({ limit: (req.query as { limit: number }).limit }));
  app.get('/boom', async () => { throw new Error('password=hunter2 at db.query'); });
  app.get('/busy', async () => { throw new AppError({ code: 'DEPENDENCY_UNAVAILABLE', status: 503, detail: 'orders is unavailable', retryAfterSeconds: 2 }); });
  await app.ready();
  t.after(() => app.close());
  return { app, logs };
}

function assertProblem(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(body.type, `urn:orderlab:problem:${code.toLowerCase().replaceAll('_', '-')}`);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  assert.equal(body.request_id, res.headers['x-request-id']);
  return body;
}

describe('registerHttpDefaults', () => {
  it('rejects unknown body fields instead of stripping them', async (t) => {
    const { app } = await buildApp(t);
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'a', count: 1, admin: true } });
    const body = assertProblem(res, 400, 'VALIDATION_FAILED');
    assert.deepEqual(body.errors, [{ in: 'body', pointer: '#/admin', detail: 'is not a known field' }]);
  });

  it('does not coerce body types but does coerce query strings', async (t) => {
    const { app } = await buildApp(t);
    const bad = await app.inject({ method: 'POST', url: '/things', payload: { name: 'a', count: '3' } });
    const body = assertProblem(bad, 400, 'VALIDATION_FAILED');
    assert.deepEqual(body.errors, [{ in: 'body', pointer: '#/count', detail: 'must be integer' }]);
    const ok = await app.inject({ method: 'GET', url: '/things?limit=3' });
    assert.deepEqual(ok.json(), { limit: 3 });
  });

  it('answers malformed JSON, empty JSON, oversize and non-JSON bodies with 400/400/413/415', async (t) => {
    const { app } = await buildApp(t);
    const json = { 'content-type': 'application/json' };
    assertProblem(await app.inject({ method: 'POST', url: '/things', headers: json, payload: '{"name":' }), 400, 'MALFORMED_JSON');
    assertProblem(await app.inject({ method: 'POST', url: '/things', headers: json, payload: '' }), 400, 'MALFORMED_JSON');
    assertProblem(await app.inject({ method: 'POST', url: '/things', headers: json, payload: JSON.stringify({ name: 'x'.repeat(2000), count: 1 }) }), 413, 'PAYLOAD_TOO_LARGE');
    assertProblem(await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'text/plain' }, payload: 'hi' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 404 for an unknown path and 405 with Allow for a known path', async (t) => {
    const { app } = await buildApp(t);
    assertProblem(await app.inject({ method: 'GET', url: '/nope' }), 404, 'NOT_FOUND');
    const res = await app.inject({ method: 'DELETE', url: '/things' });
    assertProblem(res, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(res.headers.allow, 'GET, HEAD, POST');
    const byId = await app.inject({ method: 'PUT', url: '/things/6f1c1f3e-8f5e-4f43-9c1a-2f7a0f3b8b10' });
    assertProblem(byId, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(byId.headers.allow, 'GET, HEAD');
  });

  it('validates path parameters', async (t) => {
    const { app } = await buildApp(t);
    const body = assertProblem(await app.inject({ method: 'GET', url: '/things/not-a-uuid' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(body.errors, [{ in: 'path', pointer: '#/id', detail: 'must match format "uuid"' }]);
  });

  it('hides internals of unexpected errors behind a generic 500 and logs them', async (t) => {
    const { app, logs } = await buildApp(t);
    const res = await app.inject({ method: 'GET', url: '/boom' });
    const body = assertProblem(res, 500, 'INTERNAL');
    assert.doesNotMatch(res.body, /hunter2|db\.query|at /);
    assert.match(String(body.detail), /request_id/);
    const logged = logs.lines().find((l) => l.msg === 'unhandled error');
    assert.ok(logged, 'the error is logged');
    assert.equal(logged.request_id, res.headers['x-request-id']);
  });

  it('sends Retry-After with dependency faults', async (t) => {
    const { app } = await buildApp(t);
    const res = await app.inject({ method: 'GET', url: '/busy' });
    assertProblem(res, 503, 'DEPENDENCY_UNAVAILABLE');
    assert.equal(res.headers['retry-after'], '2');
  });

  it('keeps a sane X-Request-Id, replaces an unsafe one, and logs it on the request line', async (t) => {
    const { app, logs } = await buildApp(t);
    const kept = await app.inject({ method: 'GET', url: '/things', headers: { 'x-request-id': 'abc-123.DEF:9' } });
    assert.equal(kept.headers['x-request-id'], 'abc-123.DEF:9');
    const replaced = await app.inject({ method: 'GET', url: '/things', headers: { 'x-request-id': 'bad id\u0000<script>' } });
    assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f]{32}$/);
    const tooLong = await app.inject({ method: 'GET', url: '/things', headers: { 'x-request-id': 'a'.repeat(129) } });
    assert.match(String(tooLong.headers['x-request-id']), /^[0-9a-f]{32}$/);
    const line = logs.lines().find((l) => l.msg === 'request completed' && l.request_id === 'abc-123.DEF:9');
    assert.ok(line, 'request line carries the request id');
    assert.equal(line.method, 'GET');
    assert.equal(line.route, '/things');
    assert.equal(line.status, 200);
    assert.equal(line.service, 'test');
    assert.equal(typeof line.duration_ms, 'number');
    assert.equal(typeof line.time, 'string');
    assert.equal(line.level, 'info');
  });
});
