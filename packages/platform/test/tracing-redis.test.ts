/**
 * The span of each Redis command (src/tracing/redis-spans.ts), made by createRedis's client in
 * a traced process: the lab's real Redis, a real tracer provider with a parent-based sampler
 * like the services', finished spans kept in memory. A learner sees the cache and the stream in
 * a trace through these spans; the worker's blocking reads must not make spans of their own.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Redis } from 'ioredis';
import { closeRedis, createRedis } from '../src/redis.js';
import { exporter, stopTracing } from './fixtures/in-memory-tracing.js';
import { captureLogs, deleteRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../src/testing/index.js';

const tracer = trace.getTracer('tracing-redis-test');
const prefix = testRedisPrefix('tracing');
let redis: Redis;

before(() => {
  redis = createRedis({
    url: TEST_REDIS_URL,
    logger: captureLogs('test').logger,
    commandTimeoutMs: 2_000,
    connectTimeoutMs: 2_000,
    reconnectBackoff: { stepMs: 100, maxMs: 1_000 },
  });
});

after(async () => {
  await deleteRedisPrefix(redis, prefix);
  await closeRedis(redis, 2_000);
  await stopTracing();
});

beforeEach(() => exporter.reset());

/** Runs fn inside a recorded span `request`, ended afterwards; gives it and the spans finished by then. */
async function inRequest(fn: () => Promise<unknown>): Promise<{ request: ReadableSpan; commands: ReadableSpan[] }> {
  await tracer.startActiveSpan('request', async (span) => {
    try {
      await fn();
    } catch {
      // a failing command is part of some tests: its span says so
    } finally {
      span.end();
    }
  });
  const finished = exporter.getFinishedSpans();
  const request = finished.find((s) => s.name === 'request')!;
  return { request, commands: finished.filter((s) => s !== request) };
}

describe('the span of a Redis command', () => {
  it('is the CLIENT child of the active span, named after the command, without its keys and values', async () => {
    const { request, commands } = await inRequest(async () => {
      await redis.set(`${prefix}product`, '{"name":"secret-ish"}', 'EX', 60);
      await redis.get(`${prefix}product`);
    });
    assert.deepEqual(commands.map((s) => s.name), ['SET', 'GET']);
    const [set] = commands;
    assert.equal(set!.kind, SpanKind.CLIENT);
    assert.equal(set!.parentSpanContext?.spanId, request.spanContext().spanId);
    const url = new URL(TEST_REDIS_URL);
    assert.deepEqual(set!.attributes, {
      'db.system.name': 'redis',
      'db.namespace': '0',
      'server.address': url.hostname,
      'server.port': Number(url.port || 6379),
      'db.operation.name': 'SET',
    });
    assert.equal(set!.status.code, SpanStatusCode.UNSET);
  });

  it('names the commands of a pipeline and of a MULTI as such', async () => {
    const { commands } = await inRequest(async () => {
      await redis.pipeline().incr(`${prefix}a`).incr(`${prefix}b`).exec();
      await redis.multi().set(`${prefix}c`, '1').exec();
    });
    const names = commands.map((s) => s.name);
    assert.deepEqual(names.filter((n) => n.startsWith('PIPELINE')), ['PIPELINE INCR', 'PIPELINE INCR']);
    assert.ok(names.includes('MULTI SET'), `MULTI SET among ${names.join(', ')}`);
  });

  it('fails with Redis’s error prefix as error.type when the command fails', async () => {
    const { commands } = await inRequest(async () => {
      await redis.set(`${prefix}text`, 'not a number');
      await redis.incr(`${prefix}text`);
    });
    const incr = commands.find((s) => s.name === 'INCR');
    assert.equal(incr?.status.code, SpanStatusCode.ERROR);
    assert.equal(incr?.attributes['error.type'], 'ERR');
    assert.match(incr?.status.message ?? '', /not an integer/);
  });

  it('is not made outside a trace, nor inside one that is not recorded (polling and unsampled requests cost nothing)', async () => {
    await context.with(ROOT_CONTEXT, () => redis.get(`${prefix}product`));
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.NONE,
      isRemote: true,
    });
    await context.with(unsampled, () => redis.get(`${prefix}product`));
    assert.deepEqual(exporter.getFinishedSpans(), []);
  });
});
