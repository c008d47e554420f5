/**
 * Exemplars on the latency histograms and the OpenMetrics exposition of /metrics: a request,
 * call or delivery handled inside a sampled span leaves its trace on its bucket; Prometheus's
 * Accept header gets OpenMetrics (where exemplars live), anything else the text format.
 *
 * The spans come from a real OpenTelemetry tracer provider and async-local-storage context
 * manager, registered in this file's process for the tests that need them; the HTTP server
 * continues the client's `traceparent` in a server span, as the HTTP instrumentation does.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it, type TestContext } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { context, defaultTextMapGetter, ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOnSampler, ParentBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { Registry, type OpenMetricsContentType } from 'prom-client';
import { registerHealthRoutes } from '../src/health.js';
import { httpServerOptions, registerHttpDefaults } from '../src/http.js';
import { registerMetrics } from '../src/http-metrics.js';
import { grpcClientCallRecorder, grpcServerCallRecorder } from '../src/grpc-metrics.js';
import { FastHistogram, register } from '../src/instruments.js';
import { messagingConsumerMetrics } from '../src/messaging-metrics.js';
import { acceptsOpenMetrics, createServiceMetrics, exposition, sampledSpan, type ServiceMetrics } from '../src/metrics.js';
import { captureLogs, parseSamples, promtoolProblems, sampleValue, waitFor } from '../src/testing/index.js';

/** What Prometheus 2.x sends when it scrapes. */
const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/** One exemplar of an OpenMetrics sample line. */
interface Exemplar {
  traceId: string;
  spanId: string;
  value: number;
  timestamp: number;
}

const EXEMPLAR_LINE = /^(\S+?)(\{.*\})? \S+ # \{trace_id="([0-9a-f]{32})",span_id="([0-9a-f]{16})"\} (\S+) (\S+)$/;

/** The exemplars of name's sample lines whose labels include every pair of `labels`, by their `le`. */
function exemplarsOf(openMetrics: string, name: string, labels: Record<string, string> = {}): Map<string, Exemplar> {
  const found = new Map<string, Exemplar>();
  for (const line of openMetrics.split('\n')) {
    const match = EXEMPLAR_LINE.exec(line);
    if (match?.[1] !== name) continue;
    const [sample] = parseSamples(line.slice(0, line.indexOf(' # ')));
    if (!sample || !Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) continue;
    found.set(sample.labels.le ?? '', { traceId: match[3]!, spanId: match[4]!, value: Number(match[5]), timestamp: Number(match[6]) });
  }
  return found;
}

/** The sample lines of an OpenMetrics body as the text format writes them (exemplars cut off). */
function withoutExemplars(openMetrics: string): string {
  return openMetrics.replace(/ # \{[^}]*\} \S+ \S+$/gm, '');
}

const enabled = () => createServiceMetrics({ enabled: true, service: 'test', version: '1.2.3' });
const openMetricsOf = async (metrics: ServiceMetrics) => (await exposition(metrics.registry!, PROMETHEUS_ACCEPT)).body;

const traceparent = (traceId: string, spanId: string, sampled: boolean) => `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('exposition (the format of /metrics)', () => {
  it('answers Prometheus in OpenMetrics, anything else in the text format, with the same sample names', async () => {
    const metrics = enabled();
    metrics.counter({ name: 'orderlab_things_total', help: 'Things.', labelNames: ['kind'] }).inc({ kind: 'a' });
    metrics.histogram({ name: 'orderlab_thing_duration_seconds', help: 'Thing durations.', labelNames: ['kind'], buckets: [0.1, 1] }).observe({ kind: 'a' }, 0.2);

    const openMetrics = await exposition(metrics.registry!, PROMETHEUS_ACCEPT);
    assert.equal(openMetrics.contentType, OPENMETRICS);
    assert.ok(openMetrics.body.endsWith('\n# EOF\n'), 'an OpenMetrics exposition ends with # EOF');
    // The family of a counter drops _total in OpenMetrics; its samples keep it.
    assert.match(openMetrics.body, /^# TYPE orderlab_things counter$/m);
    assert.equal(sampleValue(openMetrics.body, 'orderlab_things_total', { kind: 'a' }), 1);

    for (const accept of [undefined, 'text/plain', '*/*', 'application/openmetrics-text;q=0,text/plain']) {
      const text = await exposition(metrics.registry!, accept);
      assert.equal(text.contentType, PROMETHEUS_TEXT, String(accept));
      assert.ok(!text.body.includes('# EOF'), String(accept));
      // (nodejs_gc_duration_seconds appears at the first garbage collection, which may come between two scrapes.)
      const names = (body: string) => [...new Set(parseSamples(body).map((s) => s.name).filter((n) => !n.startsWith('nodejs_gc_')))].sort();
      assert.deepEqual(names(openMetrics.body), names(text.body), 'every sample has the same name in both formats');
      assert.deepEqual(await promtoolProblems(text.body), []);
    }
  });

  it('keeps counters\' _total in the text format while OpenMetrics scrapes run beside text ones', async () => {
    const metrics = enabled();
    metrics.counter({ name: 'orderlab_things_total', help: 'Things.' }).inc();
    const scrapes = await Promise.all(Array.from({ length: 6 }, (_, i) => exposition(metrics.registry!, i % 2 === 0 ? PROMETHEUS_ACCEPT : undefined)));
    const text = await exposition(metrics.registry!, undefined);
    for (const { contentType, body } of [...scrapes, text]) {
      const family = contentType === OPENMETRICS ? 'orderlab_things' : 'orderlab_things_total';
      assert.match(body, new RegExp(`^# TYPE ${family} counter$`, 'm'), contentType);
      assert.equal(sampleValue(body, 'orderlab_things_total'), 1, contentType);
      assert.equal(sampleValue(body, 'process_cpu_seconds_total') > 0, true, `prom-client's own counters too (${contentType})`);
    }
  });

  it('recognises OpenMetrics in an Accept header unless it is refused with q=0', () => {
    assert.equal(acceptsOpenMetrics(PROMETHEUS_ACCEPT), true);
    assert.equal(acceptsOpenMetrics('application/openmetrics-text'), true);
    assert.equal(acceptsOpenMetrics('text/plain, application/openmetrics-text; q=0'), false);
    assert.equal(acceptsOpenMetrics('text/plain;version=0.0.4'), false);
    assert.equal(acceptsOpenMetrics(undefined), false);
  });

  it('refuses a counter whose name would differ between the formats', () => {
    assert.throws(() => enabled().counter({ name: 'orderlab_things', help: 'Things.' }), /_total/);
  });
});

describe('FastHistogram exemplars', () => {
  const a = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
  const b = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };

  it('keep the latest exemplar of each bucket, +Inf included, and only in OpenMetrics', async () => {
    const text = new Registry();
    const openMetrics = new Registry<OpenMetricsContentType>();
    openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const histogram = new FastHistogram({ name: 'req_seconds', help: 'Requests.', labelNames: ['route'], buckets: [0.1, 1] });
    register(text, histogram);
    register(openMetrics as unknown as Registry, histogram);
    histogram.observe({ route: '/a' }, 0.05, a);
    histogram.observe({ route: '/a' }, 0.07, b);
    histogram.observe({ route: '/a' }, 0.5);
    histogram.bind({ route: '/a' }).observe(30, a);

    const exemplars = exemplarsOf(await openMetrics.metrics(), 'req_seconds_bucket', { route: '/a' });
    assert.deepEqual([...exemplars.keys()].sort(), ['+Inf', '0.1'], 'a bucket observed without one has none');
    assert.deepEqual({ ...exemplars.get('0.1'), timestamp: 0 }, { ...b, value: 0.07, timestamp: 0 }, 'the later of two in one bucket');
    assert.deepEqual({ ...exemplars.get('+Inf'), timestamp: 0 }, { ...a, value: 30, timestamp: 0 }, 'above the last bound: +Inf');
    assert.ok(Math.abs(exemplars.get('0.1')!.timestamp - Date.now() / 1000) < 60, 'timestamps are seconds since the epoch');
    assert.ok(!(await text.metrics()).includes(' # {'), 'the text format has no exemplars');

    text.resetMetrics();
    histogram.observe({ route: '/a' }, 0.5);
    assert.equal(exemplarsOf(await openMetrics.metrics(), 'req_seconds_bucket').size, 0, 'a reset drops them');
  });
});

describe('without tracing (no context manager registered)', () => {
  it('finds no span to take as an exemplar, even inside one', () => {
    const tracer = new TracerProvider({ sampler: new AlwaysOnSampler() }).getTracer('test');
    const inside = tracer.startActiveSpan('work', (span) => {
      span.end();
      return sampledSpan();
    });
    assert.equal(inside, undefined);
  });
});

describe('with tracing', () => {
  let tracer: Tracer;
  before(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    // Parent-based like the services': a client's sampled flag decides.
    tracer = new TracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }) }).getTracer('test');
  });
  after(() => context.disable());

  /** A context whose remote parent is unsampled: spans started in it are not recorded. */
  const unsampledParent = () => trace.setSpanContext(ROOT_CONTEXT, { traceId: randomHex(16), spanId: randomHex(8), traceFlags: TraceFlags.NONE, isRemote: true });

  /** A started app whose server continues each request's traceparent in a server span, recording spanIds by trace. */
  async function tracedApp(t: TestContext, metrics: ServiceMetrics, serverSpans: Map<string, string>) {
    const propagator = new W3CTraceContextPropagator();
    const app = Fastify({
      ...httpServerOptions({ logger: captureLogs('test').logger }),
      serverFactory: (handler) =>
        createServer((req, res) => {
          const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
          const span = tracer.startSpan(`${req.method ?? 'GET'}`, { kind: SpanKind.SERVER }, parent);
          serverSpans.set(span.spanContext().traceId, span.spanContext().spanId);
          res.on('close', () => span.end());
          context.with(trace.setSpan(parent, span), () => handler(req, res));
        }),
    });
    registerHttpDefaults(app);
    registerMetrics(app, metrics);
    registerHealthRoutes(app, []);
    app.get('/api/v1/orders/:id', async () => ({ ok: true }));
    app.post('/api/v1/orders', async (_request, reply) => reply.code(201).send({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    t.after(() => app.close());
    const address = app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    return `http://127.0.0.1:${address.port}`;
  }

  it('an HTTP request in a sampled trace leaves that trace on its bucket; an unsampled one leaves none', async (t) => {
    const metrics = enabled();
    const serverSpans = new Map<string, string>();
    const base = await tracedApp(t, metrics, serverSpans);
    const [sampledTrace, unsampledTrace] = [randomHex(16), randomHex(16)];
    const get = await fetch(`${base}/api/v1/orders/42`, { headers: { traceparent: traceparent(sampledTrace, randomHex(8), true) } });
    assert.equal(get.status, 200);
    const post = await fetch(`${base}/api/v1/orders`, { method: 'POST', headers: { traceparent: traceparent(unsampledTrace, randomHex(8), false) } });
    assert.equal(post.status, 201);

    const getSeries = { http_request_method: 'GET', http_route: '/api/v1/orders/:id', http_response_status_code: '200' };
    const postSeries = { http_request_method: 'POST', http_route: '/api/v1/orders', http_response_status_code: '201' };
    const count = 'http_server_request_duration_seconds_count';
    // Recorded when the server's response closes, which may come just after the client has it.
    const scrape = await waitFor('both requests recorded', async () => {
      const res = await fetch(`${base}/metrics`, { headers: { accept: PROMETHEUS_ACCEPT } });
      const body = await res.text();
      return sampleValue(body, count, getSeries) === 1 && sampleValue(body, count, postSeries) === 1 ? { res, body } : undefined;
    });
    assert.equal(scrape.res.headers.get('content-type'), OPENMETRICS);
    assert.equal(scrape.res.headers.get('vary'), 'Accept');
    assert.ok(scrape.body.endsWith('# EOF\n'));

    const exemplars = exemplarsOf(scrape.body, 'http_server_request_duration_seconds_bucket', getSeries);
    assert.equal(exemplars.size, 1, 'one bucket holds the one request');
    const [le, exemplar] = [...exemplars][0]!;
    assert.equal(exemplar.traceId, sampledTrace, 'the trace the client started');
    assert.equal(exemplar.spanId, serverSpans.get(sampledTrace), 'the server span of the request');
    assert.equal(exemplar.value, sampleValue(scrape.body, 'http_server_request_duration_seconds_sum', getSeries), 'the duration observed');
    const bounds = [0, ...parseSamples(scrape.body).filter((s) => s.name === 'http_server_request_duration_seconds_bucket' && s.labels.http_route === getSeries.http_route).map((s) => Number(s.labels.le))];
    assert.ok(exemplar.value <= Number(le) && exemplar.value > bounds[bounds.indexOf(Number(le)) - 1]!, `${exemplar.value} lies in the bucket le=${le}`);
    assert.equal(exemplarsOf(scrape.body, 'http_server_request_duration_seconds_bucket', postSeries).size, 0, 'no exemplar of an unsampled trace');

    // Any other client gets the text format, without exemplars, and promtool accepts it.
    const plain = await fetch(`${base}/metrics`);
    const text = await plain.text();
    assert.equal(plain.headers.get('content-type'), PROMETHEUS_TEXT);
    assert.ok(!text.includes(' # {') && !text.includes('# EOF'));
    assert.equal(sampleValue(text, count, getSeries), 1);
    assert.deepEqual(await promtoolProblems(text), []);
    assert.deepEqual(parseSamples(withoutExemplars(scrape.body)).map((s) => s.name).filter((n) => n.startsWith('http_')), parseSamples(text).map((s) => s.name).filter((n) => n.startsWith('http_')));
  });

  it('a gRPC call recorded inside a sampled span carries it; one outside or unsampled does not', async () => {
    for (const [record, name] of [
      [grpcClientCallRecorder, 'rpc_client_call_duration_seconds'],
      [grpcServerCallRecorder, 'rpc_server_call_duration_seconds'],
    ] as const) {
      const metrics = enabled();
      const recordCall = record(metrics);
      const method = 'test.v1.EchoService/Echo';
      const span = tracer.startActiveSpan('grpc call', (s) => {
        recordCall(method, grpc.status.OK, performance.now() - 30);
        s.end();
        return s.spanContext();
      });
      tracer.startActiveSpan('unsampled', {}, unsampledParent(), (s) => {
        recordCall(method, grpc.status.NOT_FOUND, performance.now());
        s.end();
      });
      recordCall(method, grpc.status.UNAVAILABLE, performance.now());

      const body = await openMetricsOf(metrics);
      const labels = { rpc_method: method };
      const ok = exemplarsOf(body, `${name}_bucket`, { ...labels, rpc_status_code: 'OK' });
      assert.deepEqual([...ok.keys()], ['0.05'], `${name}: the 30 ms call's bucket`);
      assert.equal(ok.get('0.05')?.traceId, span.traceId, name);
      assert.equal(ok.get('0.05')?.spanId, span.spanId, name);
      assert.equal(exemplarsOf(body, `${name}_bucket`, { ...labels, rpc_status_code: 'NOT_FOUND' }).size, 0, `${name}: unsampled`);
      assert.equal(exemplarsOf(body, `${name}_bucket`, { ...labels, rpc_status_code: 'UNAVAILABLE' }).size, 0, `${name}: outside a span`);
    }
  });

  it('a delivery processed inside its sampled consumer span carries it', async () => {
    const metrics = enabled();
    const consumer = messagingConsumerMetrics('redis', 'fulfillment:requests', metrics);
    const span = tracer.startActiveSpan('fulfillment:requests process', { kind: SpanKind.CONSUMER }, (s) => {
      consumer.processed('', 0.2);
      s.end();
      return s.spanContext();
    });
    consumer.processed('_OTHER', 0.2);
    const body = await openMetricsOf(metrics);
    const name = 'messaging_process_duration_seconds_bucket';
    const series = { messaging_system: 'redis', messaging_destination_name: 'fulfillment:requests' };
    assert.equal(exemplarsOf(body, name, { ...series, error_type: '', le: '0.25' }).get('0.25')?.traceId, span.traceId);
    assert.equal(exemplarsOf(body, name, { ...series, error_type: '_OTHER' }).size, 0);
  });
});
