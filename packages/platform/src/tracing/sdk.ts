/**
 * The OpenTelemetry SDK of a service process, started by ./register.js before the service loads.
 *
 * - One instrumentation, undici (outgoing fetch calls inside a trace; it listens on Node's
 *   diagnostics channels and patches nothing). The platform makes every other span itself, for
 *   a fraction of what the instrumentations cost per call even when nothing is sampled
 *   (docs/benchmarks.md, "The cost of tracing"): each HTTP request's SERVER span and its
 *   `traceresponse` (./http-server.ts; not the HTTP instrumentation, not @fastify/otel), the
 *   gRPC CLIENT and SERVER spans (./rpc.ts; not the gRPC instrumentation), a CLIENT span per
 *   Postgres statement and per Redis command inside a recorded trace (./postgres-spans.ts,
 *   ./redis-spans.ts; not the pg and ioredis instrumentations), and the messaging spans of
 *   RabbitMQ and the Redis stream (./messaging.ts), written to the current conventions and
 *   linking the relay's poll. No module is patched at load time, so no loader hook is needed.
 * - Bounded and asynchronous: spans wait in a queue of at most MAX_QUEUED_SPANS and leave in
 *   batches over OTLP/HTTP with a timeout; when the Collector is gone or slow they are dropped
 *   and counted (./tracing-stats.ts), never waited for by a request.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { TracingSettings } from './settings.js';
import { installTracingRuntime } from './runtime.js';
import { CountingSpanProcessor, CountingSpanExporter } from './tracing-stats.js';

/** Spans waiting for export at most; beyond it new ones are dropped (and counted). */
export const MAX_QUEUED_SPANS = 4_096;
/** Spans per OTLP request. */
const EXPORT_BATCH_SIZE = 512;
/** A batch leaves at least this often. */
const EXPORT_DELAY_MS = 1_000;
/** One OTLP request's deadline: a hung Collector costs a batch, never a request. */
const EXPORT_TIMEOUT_MS = 5_000;
/** OTLP requests in flight at once. */
const EXPORT_CONCURRENCY = 2;


/** Starts tracing for this process; its flush-and-stop is registered for runService's shutdown. */
export function startTracing(settings: TracingSettings): void {
  const exporter = new CountingSpanExporter(new OTLPTraceExporter({
    url: `${settings.endpoint}/v1/traces`,
    timeoutMillis: EXPORT_TIMEOUT_MS,
    concurrencyLimit: EXPORT_CONCURRENCY,
  }));
  const processor = new CountingSpanProcessor(new BatchSpanProcessor({
    exporter,
    // The counting processor bounds the queue; the batch processor's own bound is never reached.
    maxQueueSize: MAX_QUEUED_SPANS * 2,
    maxExportBatchSize: EXPORT_BATCH_SIZE,
    scheduledDelayMillis: EXPORT_DELAY_MS,
    exportTimeoutMillis: EXPORT_TIMEOUT_MS,
  }), exporter, MAX_QUEUED_SPANS);

  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.serviceName,
      [ATTR_SERVICE_VERSION]: settings.serviceVersion,
      'deployment.environment.name': settings.environment,
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors: [processor],
  });

  const contextManager = new AsyncLocalStorageContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);

  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new UndiciInstrumentation({ requireParentforSpans: true }),
    ],
  });

  installTracingRuntime({
    stats: processor.stats,
    shutdown: () => provider.shutdown(),
  });
}
