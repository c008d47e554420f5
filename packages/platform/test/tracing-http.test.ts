/**
 * The SERVER span of each HTTP request (src/tracing/http-server.ts), made by the platform's
 * Fastify defaults when tracing is on: a real Fastify server on a real socket, a real tracer
 * provider (the SDK's, parent-based like the services') with the async-local-storage context
 * manager, finished spans kept in memory. What a learner sees in Jaeger depends on it: one span
 * per request named after its route, in the client's trace, with the handler's work and log
 * lines inside it — also after a JSON body was read.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import Fastify, { type FastifyInstance } from 'fastify';
import { httpServerOptions, registerHttpDefaults } from '../src/http.js';
import { exporter, stopTracing } from './fixtures/in-memory-tracing.js';
import { inSpan } from '../src/tracing/trace-context.js';
import { captureLogs, waitFor } from '../src/testing/index.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

const logs = captureLogs('gateway');
let app: FastifyInstance;
let base: string;
/** Resolved when the handler of /slow has started; it then waits for releaseSlow. */
let slowStarted: () => void = () => {};
let releaseSlow: () => void = () => {};
/** Resolved when a request marked `x-split-body` has reached the server (its body not yet sent). */
let splitArrived: () => void = () => {};

before(async () => {
  app = Fastify(httpServerOptions({ logger: logs.logger }));
  registerHttpDefaults(app);
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers['x-split-body'] !== undefined) splitArrived();
    done();
  });
  app.post<{ Params: { id: string }; Body: { quantity: number } }>('/api/v1/items/:id', {
    schema: { body: { type: 'object', required: ['quantity'], properties: { quantity: { type: 'integer' } } } },
  }, async (request) => {
    request.log.info({ item: request.params.id }, 'item updated');
    await inSpan('update item', {}, async () => {});
    return { id: request.params.id, quantity: request.body.quantity };
  });
  app.get('/api/v1/broken', async () => {
    throw new Error('a bug');
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/slow', async () => {
    slowStarted();
    await new Promise<void>((resolve) => { releaseSlow = resolve; });
    return { late: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

after(async () => {
  releaseSlow();
  await app.close();
  await stopTracing();
});

beforeEach(() => exporter.reset());

/** The finished spans, once `count` of them are there (a span ends when the response's socket work is done). */
async function spans(count: number): Promise<ReadableSpan[]> {
  return waitFor(`${count} finished spans`, () => {
    const finished = exporter.getFinishedSpans();
    return finished.length >= count ? finished : undefined;
  });
}

function serverSpan(finished: ReadableSpan[]): ReadableSpan {
  const server = finished.filter((s) => s.kind === SpanKind.SERVER);
  assert.equal(server.length, 1, `one SERVER span (got ${finished.map((s) => s.name).join(', ')})`);
  return server[0]!;
}

describe('the HTTP server span', () => {
  it('is named after the route, joins the client’s trace, and its traceresponse names it', async () => {
    const res = await fetch(`${base}/api/v1/items/42?verbose=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${CLIENT_SPAN_ID}-01`, 'user-agent': 'orderlab-test' },
      body: JSON.stringify({ quantity: 3 }),
    });
    assert.equal(res.status, 200);
    const span = serverSpan(await spans(2));
    assert.equal(span.name, 'POST /api/v1/items/:id');
    assert.equal(span.spanContext().traceId, TRACE_ID);
    assert.equal(span.parentSpanContext?.spanId, CLIENT_SPAN_ID);
    assert.deepEqual(span.attributes, {
      'http.request.method': 'POST',
      'http.route': '/api/v1/items/:id',
      'url.scheme': 'http',
      'url.path': '/api/v1/items/42',
      'user_agent.original': 'orderlab-test',
      'http.response.status_code': 200,
    });
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    const [, traceId, spanId] = TRACEPARENT.exec(res.headers.get('traceresponse') ?? '') ?? [];
    assert.equal(traceId, TRACE_ID);
    assert.equal(spanId, span.spanContext().spanId);
  });

  it('holds the handler’s work and log lines after the JSON body was read', async () => {
    await fetch(`${base}/api/v1/items/7`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"quantity":1}' });
    const finished = await spans(2);
    const server = serverSpan(finished);
    const child = finished.find((s) => s.name === 'update item');
    assert.equal(child?.parentSpanContext?.spanId, server.spanContext().spanId, 'the handler’s span is the request span’s child');
    const line = logs.lines().find((l) => l.msg === 'item updated' && l.item === '7');
    assert.equal(line?.trace_id, server.spanContext().traceId);
    assert.equal(line?.span_id, server.spanContext().spanId);
  });

  it('holds the handler’s work when the body arrives in a later packet than the headers', async () => {
    const arrived = new Promise<void>((resolve) => { splitArrived = resolve; });
    const req = httpRequest(`${base}/api/v1/items/11`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '14', 'x-split-body': '1' } });
    const response = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
      req.on('error', reject);
    });
    req.flushHeaders();
    await arrived; // the server is reading the body now: its chunks come from the socket, outside the request's context
    req.end('{"quantity":2}');
    assert.equal(await response, 200);
    const finished = await spans(2);
    const server = serverSpan(finished);
    assert.equal(finished.find((s) => s.name === 'update item')?.parentSpanContext?.spanId, server.spanContext().spanId);
    assert.equal(logs.lines().find((l) => l.msg === 'item updated' && l.item === '11')?.span_id, server.spanContext().spanId);
  });

  it('starts a new trace without a client traceparent', async () => {
    const res = await fetch(`${base}/api/v1/items/8`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"quantity":1}' });
    const server = serverSpan(await spans(2));
    assert.equal(server.parentSpanContext, undefined);
    assert.match(res.headers.get('traceresponse') ?? '', new RegExp(`^00-${server.spanContext().traceId}-`));
  });

  it('fails on a 5xx, with error.type, and the error’s log line names its trace', async () => {
    const res = await fetch(`${base}/api/v1/broken`);
    assert.equal(res.status, 500);
    const span = serverSpan(await spans(1));
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes['error.type'], '500');
    const line = logs.lines().find((l) => l.msg === 'unhandled error');
    assert.equal(line?.trace_id, span.spanContext().traceId);
  });

  it('does not fail on a 4xx (the client’s error): an invalid body, an unknown path', async () => {
    const invalid = await fetch(`${base}/api/v1/items/9`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"quantity":"many"}' });
    assert.equal(invalid.status, 400);
    const unknown = await fetch(`${base}/nowhere`);
    assert.equal(unknown.status, 404);
    const finished = await spans(2);
    const byName = new Map(finished.map((s) => [s.name, s]));
    assert.equal(byName.get('POST /api/v1/items/:id')?.attributes['http.response.status_code'], 400);
    // No route matched: the span is named after the method alone, as the HTTP conventions say.
    assert.equal(byName.get('GET')?.attributes['http.response.status_code'], 404);
    assert.equal(byName.get('GET')?.attributes['http.route'], undefined);
    for (const span of finished) assert.equal(span.status.code, SpanStatusCode.UNSET);
  });

  it('is not made for the health probe, which gets no traceresponse', async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('traceresponse'), null);
    const marker = await fetch(`${base}/nowhere`);
    assert.equal(marker.status, 404);
    assert.deepEqual((await spans(1)).map((s) => s.name), ['GET'], 'only the marker request’s span');
  });

  it('ends, failed, when the client leaves before the response', async () => {
    const started = new Promise<void>((resolve) => { slowStarted = resolve; });
    const req = httpRequest(`${base}/slow`);
    req.on('error', () => {}); // the socket is destroyed on purpose
    req.end();
    await started;
    req.destroy();
    const span = serverSpan(await spans(1));
    assert.equal(span.name, 'GET /slow');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes['error.type'], 'aborted');
    releaseSlow();
  });
});
