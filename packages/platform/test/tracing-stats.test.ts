/**
 * What happens to a process's spans, counted (src/tracing/tracing-stats.ts), and the counters
 * on /metrics (src/tracing/tracing-metrics.ts). The export pipeline is the services' own — the
 * SDK's batch processor and its OTLP/HTTP exporter, wrapped by the counting processor and
 * exporter — sending to a stand-in Collector (fixtures/otlp-receiver.ts), to one that takes the
 * request and never answers, or to a port nothing listens on.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Tracer } from '@opentelemetry/api';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Registry } from 'prom-client';
import { installTracingRuntime, type TracingStats } from '../src/tracing/runtime.js';
import { CountingSpanExporter, CountingSpanProcessor } from '../src/tracing/tracing-stats.js';
import { registerTracingMetrics } from '../src/tracing/tracing-metrics.js';
import { sampleValue, waitFor } from '../src/testing/index.js';
import { startOtlpReceiver } from './fixtures/otlp-receiver.js';

interface Pipeline {
  tracer: Tracer;
  stats: TracingStats;
  provider: TracerProvider;
}

/**
 * The services' export pipeline (src/tracing/sdk.ts) to `endpoint`, with at most `maxQueued`
 * spans waiting and a batch leaving every 10 ms; shut down after the test.
 */
function exportPipeline(t: TestContext, endpoint: string, maxQueued: number, timeoutMillis = 2_000): Pipeline {
  const exporter = new CountingSpanExporter(new OTLPTraceExporter({ url: `${endpoint}/v1/traces`, timeoutMillis, concurrencyLimit: 2 }));
  const processor = new CountingSpanProcessor(new BatchSpanProcessor({
    exporter,
    maxQueueSize: maxQueued * 2,
    maxExportBatchSize: maxQueued,
    scheduledDelayMillis: 10,
    exportTimeoutMillis: timeoutMillis,
  }), exporter, maxQueued);
  const provider = new TracerProvider({ spanProcessors: [processor] });
  t.after(() => provider.shutdown().catch(() => undefined));
  return { tracer: provider.getTracer('tracing-stats-test'), stats: processor.stats, provider };
}

/** Starts and ends n spans. */
function endSpans(tracer: Tracer, n: number, name = 'work'): void {
  for (let i = 0; i < n; i += 1) tracer.startSpan(`${name} ${i}`).end();
}

/** A Collector that takes each request and never answers (closed, with its connections, after the test). */
async function hungCollector(t: TestContext): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request) => requests.push(request));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A URL where nothing listens. */
async function goneCollector(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('the counted export of spans', () => {
  it('drops and counts the spans beyond the bound while the Collector does not answer, and takes spans again once the export timed out', async (t) => {
    const collector = await hungCollector(t);
    const { tracer, stats } = exportPipeline(t, collector.url, 10, 1_000);

    endSpans(tracer, 25);
    assert.deepEqual(stats, { ended: 10, exported: 0, failed: 0, dropped: 15 }, 'every span.end() returned; 10 wait, 15 are dropped');

    await waitFor('the export request to reach the Collector', () => collector.requests.length > 0);
    endSpans(tracer, 5);
    assert.deepEqual(stats, { ended: 10, exported: 0, failed: 0, dropped: 20 }, 'still full while the export hangs');

    await waitFor('the hung export to time out', () => stats.failed === 10);
    endSpans(tracer, 3);
    assert.deepEqual(stats, { ended: 13, exported: 0, failed: 10, dropped: 20 });
  });

  it('counts the spans of an export that could not reach the Collector as failed', async (t) => {
    const { tracer, stats } = exportPipeline(t, await goneCollector(), 100);
    endSpans(tracer, 7);
    await waitFor('the failed export', () => stats.failed === 7);
    assert.deepEqual(stats, { ended: 7, exported: 0, failed: 7, dropped: 0 });
  });

  it('counts the spans the Collector accepted as exported', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.close());
    const { tracer, stats } = exportPipeline(t, receiver.url, 100);
    endSpans(tracer, 7, 'order');
    await waitFor('the export', () => stats.exported === 7);
    assert.deepEqual(stats, { ended: 7, exported: 7, failed: 0, dropped: 0 });
    assert.deepEqual(receiver.spans().map((s) => s.name).sort(), ['order 0', 'order 1', 'order 2', 'order 3', 'order 4', 'order 5', 'order 6']);
    assert.ok(receiver.exports.every((e) => e.path === '/v1/traces' && e.headers['content-type'] === 'application/x-protobuf'));
  });
});

describe('registerTracingMetrics', () => {
  it('shows the counts on /metrics under the OpenTelemetry SDK metric names, as they are at each scrape', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.close());
    const pipeline = exportPipeline(t, receiver.url, 4);
    installTracingRuntime({ stats: pipeline.stats, shutdown: () => pipeline.provider.shutdown() });
    const registry = new Registry();
    registerTracingMetrics(registry);

    endSpans(pipeline.tracer, 6);
    await waitFor('the export', () => pipeline.stats.exported === 4);
    const first = await registry.metrics();
    assert.equal(sampleValue(first, 'otel_sdk_processor_span_processed_total', { error_type: '' }), 4);
    assert.equal(sampleValue(first, 'otel_sdk_processor_span_processed_total', { error_type: 'queue_full' }), 2);
    assert.equal(sampleValue(first, 'otel_sdk_exporter_span_exported_total', { error_type: '' }), 4);
    assert.equal(sampleValue(first, 'otel_sdk_exporter_span_exported_total', { error_type: 'export_failed' }), 0);
    assert.match(first, /^otel_sdk_processor_span_processed_total\{error_type="queue_full"\} 2$/m);
    assert.match(first, /^# TYPE otel_sdk_exporter_span_exported_total counter$/m);

    await receiver.close();
    endSpans(pipeline.tracer, 3);
    await waitFor('the failed export', () => pipeline.stats.failed === 3);
    const second = await registry.metrics();
    assert.equal(sampleValue(second, 'otel_sdk_processor_span_processed_total', { error_type: '' }), 7);
    assert.equal(sampleValue(second, 'otel_sdk_exporter_span_exported_total', { error_type: '' }), 4);
    assert.equal(sampleValue(second, 'otel_sdk_exporter_span_exported_total', { error_type: 'export_failed' }), 3);
  });
});
