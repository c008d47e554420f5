/**
 * Tracing off (TRACING_ENABLED=false, or a process started without the `--import` hook): no
 * OpenTelemetry SDK is registered in this file's process, only the API's no-op. What services
 * call must then still work and add nothing: messages carry the traceparent they were given,
 * handlers run, log lines and responses carry no trace fields, /metrics no tracing counters.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { httpServerOptions, registerHttpDefaults } from '../src/http.js';
import { startProducerSpan, withConsumerSpan } from '../src/tracing/messaging.js';
import { tracingRuntime } from '../src/tracing/runtime.js';
import { activeTraceparent, inSpan, logTraceFields, TRACERESPONSE_HEADER } from '../src/tracing/trace-context.js';
import { registerTracingMetrics } from '../src/tracing/tracing-metrics.js';
import { captureLogs, waitFor } from '../src/testing/index.js';

const STORED = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('tracing off', () => {
  it('startProducerSpan gives the message the stored traceparent unchanged, and none when there is none or it is malformed', () => {
    const producer = startProducerSpan({ system: 'redis', destination: 'fulfillment:requests', parentTraceparent: STORED });
    assert.equal(producer.traceparent, STORED);
    producer.end(new Error('ignored'));
    assert.equal(startProducerSpan({ system: 'rabbitmq', destination: 'orderlab.events', parentTraceparent: null }).traceparent, undefined);
    assert.equal(startProducerSpan({ system: 'rabbitmq', destination: 'orderlab.events' }).traceparent, undefined);
    assert.equal(startProducerSpan({ system: 'rabbitmq', destination: 'orderlab.events', parentTraceparent: 'x\nfake log line' }).traceparent, undefined);
  });

  it('withConsumerSpan and inSpan still run their work, return its result and rethrow its error', async () => {
    const seen: (string | undefined)[] = [];
    const result = await withConsumerSpan({ system: 'redis', destination: 'fulfillment:requests', traceparent: STORED }, async (span) => {
      span.fail('nothing to mark');
      seen.push(activeTraceparent());
      return 'handled';
    });
    assert.equal(result, 'handled');
    assert.deepEqual(seen, [undefined], 'no active span in the handler');
    const error = new Error('handler failed');
    await assert.rejects(withConsumerSpan({ system: 'redis', destination: 'fulfillment:requests', traceparent: STORED }, () => Promise.reject(error)), (err) => err === error);
    assert.equal(await inSpan('relay round', {}, async () => 'round done'), 'round done');
  });

  it('log lines carry no trace fields', () => {
    assert.deepEqual(logTraceFields(), {});
    const { logger, lines } = captureLogs('orders');
    logger.info('hello');
    assert.equal(lines()[0]?.trace_id, undefined);
    assert.equal(lines()[0]?.span_id, undefined);
  });

  it('a platform HTTP server sends no traceresponse, even to a client that sent a traceparent', async () => {
    const { logger, lines } = captureLogs('gateway');
    const app = Fastify(httpServerOptions({ logger }));
    registerHttpDefaults(app);
    app.get('/api/v1/products', async () => ({ items: [], nextCursor: null }));
    after(() => app.close());
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/api/v1/products`, { headers: { traceparent: STORED } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get(TRACERESPONSE_HEADER), null);
    assert.ok(response.headers.get('x-request-id'), 'the other defaults still apply');
    const requestLine = await waitFor('the request’s log line', () => lines().find((l) => l.msg === 'request completed'));
    assert.equal(requestLine.trace_id, undefined);
  });

  it('there is no tracing runtime, and /metrics gets no tracing counters', async () => {
    assert.equal(tracingRuntime(), undefined);
    const registry = new Registry();
    registerTracingMetrics(registry);
    assert.equal(registry.getMetricsAsArray().length, 0);
    assert.doesNotMatch(await registry.metrics(), /otel_sdk_/);
  });
});
