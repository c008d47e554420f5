/**
 * The SERVER span of each HTTP request, made by a Fastify hook instead of the HTTP
 * instrumentation. The instrumentation reads every request's attributes and binds the request
 * and response emitters to the context; measured on the lab machine that cost ~49 µs of CPU per
 * request with nothing sampled (docs/benchmarks.md, the cost of tracing). Here the work is one
 * span per request, named after its route from the start (`POST /api/v1/orders`, as the HTTP
 * conventions say), and one `close` listener.
 *
 * The context: a callback-style hook that calls `done` inside `context.with` runs the rest of
 * the request's hooks, its handler, its error handler and their log lines in the span's
 * context (Fastify calls them from `done`, and promises carry the context on). A body's chunks
 * are events of the request stream, which Node's stream machinery delivers in the context that
 * started reading it — tested with a body sent after the headers. The response gets
 * `traceresponse` (W3C Trace Context level 2): the trace and this span.
 *
 * With tracing off no hook is added: nothing is paid per request.
 */
import { SpanKind, SpanStatusCode, context, isSpanContextValid, trace, type Attributes } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tracingRuntime } from './runtime.js';
import { contextFromTraceparent, formatTraceparent, TRACERESPONSE_HEADER } from './trace-context.js';

const tracer = trace.getTracer('orderlab-http');

/** Routes of the lab's own machinery, not of its users: no spans for probes and scrapes. */
const UNTRACED_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** Whether this process traces (the SDK was started by the `--import` hook). */
export function httpTracingEnabled(): boolean {
  return tracingRuntime() !== undefined;
}

/**
 * Starts the request's SERVER span — the child of the client's `traceparent`, if it sent a
 * valid one — sets `traceresponse`, and calls done inside the span's context. `route` is the
 * matched route's template (undefined when none matched).
 */
export function startHttpServerSpan(request: FastifyRequest, reply: FastifyReply, route: string | undefined, done: () => void): void {
  if (route !== undefined && UNTRACED_ROUTES.has(route)) {
    done();
    return;
  }
  const header = request.headers.traceparent;
  const parent = contextFromTraceparent(typeof header === 'string' ? header : undefined);
  const method = request.method;
  const span = tracer.startSpan(route === undefined ? method : `${method} ${route}`, { kind: SpanKind.SERVER }, parent);
  const spanContext = span.spanContext();
  if (isSpanContextValid(spanContext)) reply.header(TRACERESPONSE_HEADER, formatTraceparent(spanContext));
  // An unsampled request's span records nothing: no attributes are built and nothing waits for its end.
  if (span.isRecording()) {
    span.setAttributes(requestAttributes(request, route));
    const res = reply.raw;
    // 'close' fires once however the exchange ends, also when the client leaves first.
    res.once('close', () => {
      const status = res.statusCode;
      span.setAttribute('http.response.status_code', status);
      if (!res.writableEnded) {
        span.setAttribute('error.type', 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'The client closed the connection before the response was sent.' });
      } else if (status >= 500) {
        // The HTTP conventions: a server span fails on 5xx only (4xx is the client's error).
        span.setAttribute('error.type', String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
  }
  context.with(trace.setSpan(parent, span), done);
}

function requestAttributes(request: FastifyRequest, route: string | undefined): Attributes {
  const attributes: Attributes = {
    'http.request.method': request.method,
    'url.scheme': 'http',
    'url.path': pathOf(request.url),
  };
  if (route !== undefined) attributes['http.route'] = route;
  const userAgent = request.headers['user-agent'];
  if (userAgent !== undefined) attributes['user_agent.original'] = userAgent;
  return attributes;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
