/**
 * The OpenTelemetry SDK of a service process, started by ./register.js before the service loads.
 *
 * - `traceresponse` on every traced HTTP response (setTraceresponse).
 * - Hand-picked instrumentations (no auto-instrumentation bundle: no fs, net or dns noise):
 *   node:http (the server span of each request, `traceresponse`'s source; the platform's
 *   Fastify hook names it after its route: nameServerSpan), undici, pg (queries, not pool
 *   checkouts) and ioredis — those two only inside a trace: the relays' and the worker's idle
 *   polling makes no spans. Not @fastify/otel: its `request` span repeated the server span at
 *   a measured cost. Not the gRPC instrumentation: the platform's call wrappers make the gRPC
 *   spans (./rpc.ts) for a fraction of its cost (docs/benchmarks.md, "The cost of tracing"). RabbitMQ and the Redis stream get messaging spans from
 *   ./messaging.ts, written to the current conventions and linking the relay's poll.
 * - ESM: the services are ES modules that import CommonJS packages, which Node loads without
 *   going through `require`; import-in-the-middle's synchronous hooks (Node ≥ 24.11) let the
 *   instrumentations patch them, limited to the packages instrumented.
 * - Bounded and asynchronous: spans wait in a queue of at most MAX_QUEUED_SPANS and leave in
 *   batches over OTLP/HTTP with a timeout; when the Collector is gone or slow they are dropped
 *   and counted (./tracing-stats.ts), never waited for by a request.
 */
import { context, isSpanContextValid, propagation, trace, type Span } from '@opentelemetry/api';
import { ServerResponse, type IncomingMessage } from 'node:http';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { register as registerImportHooks } from 'import-in-the-middle/register-hooks.mjs';
import type { TracingSettings } from './settings.js';
import { formatTraceparent, TRACERESPONSE_HEADER } from './trace-context.js';
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

/** The packages whose ES-module imports are intercepted (everything else loads untouched). */
const INSTRUMENTED_PACKAGES = ['pg', 'pg-pool', 'ioredis', 'undici', 'fastify', 'http', 'https', 'node:http', 'node:https'];

/** Routes of the lab's own machinery, not of its users: no spans for probes and scrapes. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function untraced(url: string | undefined): boolean {
  return UNTRACED_PATHS.has((url ?? '').split('?')[0] ?? '');
}

/**
 * `traceresponse` (W3C Trace Context level 2) on the response of every traced request: its trace
 * and its SERVER span, set when that span starts (Fastify's own spans, started later, are its
 * children), so a client — the traffic generator, `curl -i` — knows where its request went.
 */
function setTraceresponse(span: Span, response: IncomingMessage | ServerResponse): void {
  if (!(response instanceof ServerResponse) || response.headersSent) return;
  const spanContext = span.spanContext();
  if (isSpanContextValid(spanContext)) response.setHeader(TRACERESPONSE_HEADER, formatTraceparent(spanContext));
}

/** Starts tracing for this process; its flush-and-stop is registered for runService's shutdown. */
export function startTracing(settings: TracingSettings): void {
  registerImportHooks({ include: INSTRUMENTED_PACKAGES });

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
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => untraced(request.url),
        responseHook: setTraceresponse,
        // Outgoing HTTP only inside a trace (the Collector export itself is suppressed by the SDK).
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      // No span per pool checkout (`pg-pool.connect`): the queries say enough.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });

  installTracingRuntime({
    stats: processor.stats,
    shutdown: () => provider.shutdown(),
  });
}
