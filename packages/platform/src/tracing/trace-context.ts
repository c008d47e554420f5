/**
 * The trace context of the work in progress, read through the OpenTelemetry API only (no SDK):
 * with tracing off the API has no active span and every function here returns nothing, at the
 * cost of a lookup. W3C Trace Context formats: `traceparent` (level 1) and the response header
 * `traceresponse` (level 2), both `00-<trace id>-<span id>-<flags>`.
 */
import { INVALID_SPANID as INVALID_SPAN_ID, INVALID_TRACEID as INVALID_TRACE_ID, ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, context, isSpanContextValid, trace, type Attributes, type Context, type SpanContext } from '@opentelemetry/api';
import { isValidTraceparent } from '@orderlab/contracts/formats';
import { HTTP_HEADERS } from '@orderlab/contracts/headers';

/** The response header that tells a client the trace of its request (W3C Trace Context level 2). */
export const TRACERESPONSE_HEADER = HTTP_HEADERS.traceresponse;

/** `00-<trace id>-<span id>-<flags>` of a span context. */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The active span's context when there is a valid one (tracing on, inside a span). */
export function activeSpanContext(ctx?: Context): SpanContext | undefined {
  const span = ctx === undefined ? trace.getActiveSpan() : trace.getSpan(ctx);
  const spanContext = span?.spanContext();
  return spanContext !== undefined && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The traceparent of the active span, if any: what a message written now should carry. */
export function activeTraceparent(): string | undefined {
  const spanContext = activeSpanContext();
  return spanContext === undefined ? undefined : formatTraceparent(spanContext);
}

/** The context whose remote parent a stored or received traceparent names (ROOT when there is none or it is malformed). */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  // Once the format is checked the fields are at fixed offsets: `00-` + 32 + `-` + 16 + `-` + 2.
  if (!isValidTraceparent(traceparent)) return ROOT_CONTEXT;
  const traceId = traceparent.slice(3, 35);
  const spanId = traceparent.slice(36, 52);
  // All-zero ids are invalid (W3C Trace Context): such a parent starts a new trace.
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return ROOT_CONTEXT;
  const traceFlags = parseInt(traceparent.slice(53, 55), 16) & TraceFlags.SAMPLED;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags, isRemote: true });
}

/**
 * The trace fields of a log line written now: `trace_id` and `span_id` of the active span, or
 * nothing outside a span. The logger adds them to every line (a pino mixin).
 */
export function logTraceFields(): { trace_id?: string; span_id?: string } {
  const spanContext = activeSpanContext();
  return spanContext === undefined ? {} : { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * Runs fn outside any trace. For background work a request only wakes up (the outbox relays,
 * pruners): without it the work would join the trace of whichever request woke it, because the
 * async context follows the call.
 */
export function outsideAnyTrace<T>(fn: () => T): T {
  return context.with(ROOT_CONTEXT, fn);
}

const tracer = trace.getTracer('orderlab');

/**
 * Runs fn inside a new span `name` (INTERNAL unless said otherwise), the child of the active
 * one; an error marks it failed and is rethrown. For the lab's own units of work that no
 * instrumentation sees, such as a relay's round.
 */
export async function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
