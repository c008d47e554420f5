import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify from 'fastify';
import Type from 'typebox';
import { registerHealthRoutes } from '../src/health.js';
import { registerHttpDefaults } from '../src/http.js';
import { jsonResponse, problemResponses, registerOpenApi } from '../src/openapi.js';

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, unknown> }> }>>;
};

async function buildApp(t: TestContext) {
  const app = Fastify();
  registerHttpDefaults(app);
  registerOpenApi(app, {
    title: 'Things API',
    version: '2.0.0',
    description: 'Things.',
    jsonPath: '/api/v1/things/openapi.json',
    docsPath: '/api/v1/things/docs',
    apiPrefix: '/api/v1',
  });
  registerHealthRoutes(app, []);
  app.register(async (api) => {
    api.get('/things', {
      schema: {
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
        response: {
          200: jsonResponse(Type.Object({ items: Type.Array(Type.String()) }), 'The things'),
          ...problemResponses([400, 503], { descriptions: { 400: 'Bad limit' } }),
        },
      },
    }, async () => ({ items: ['a'] }));
  }, { prefix: '/api/v1' });
  await app.ready();
  t.after(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/api/v1/things/openapi.json' });
  assert.equal(res.statusCode, 200);
  return { app, doc: res.json<Doc>() };
}

describe('registerOpenApi', () => {
  it('serves a valid OpenAPI 3.1 document of the API routes only', async (t) => {
    const { doc } = await buildApp(t);
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.deepEqual(result.errors, undefined);
    assert.equal(validator.version, '3.1');
    assert.deepEqual(doc.info, { title: 'Things API', version: '2.0.0', description: 'Things.' });
    // Not /healthz, /readyz, the document itself or the docs pages.
    assert.deepEqual(Object.keys(doc.paths), ['/api/v1/things']);
  });

  it('documents problems as problem+json with X-Request-Id, and Retry-After where a retry helps', async (t) => {
    const { doc } = await buildApp(t);
    const responses = doc.paths['/api/v1/things']!.get!.responses;
    assert.equal(responses['400']!.description, 'Bad limit');
    assert.deepEqual(Object.keys(responses['400']!.content ?? {}), ['application/problem+json']);
    assert.deepEqual(Object.keys(responses['400']!.headers ?? {}), ['X-Request-Id']);
    assert.deepEqual(Object.keys(responses['503']!.headers ?? {}).sort(), ['Retry-After', 'X-Request-Id']);
    assert.ok(responses['200']!.headers?.['X-Request-Id']);
  });

  it('serves Swagger UI at docsPath', async (t) => {
    const { app } = await buildApp(t);
    const res = await app.inject({ method: 'GET', url: '/api/v1/things/docs' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /swagger-ui/i);
  });
});
