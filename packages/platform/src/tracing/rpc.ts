/**
 * gRPC spans, made by the platform's own call wrappers (the client's unaryCall, the server's
 * unary handler wrapper) instead of the gRPC instrumentation, which patches every client method
 * and binds every call's emitter to the context: measured on the lab machine, it cost about
 * 140 µs of CPU per call even with nothing sampled — more than the call itself on a cached read
 * (docs/benchmarks.md, the cost of tracing). These spans follow the RPC conventions: named
 * `{rpc.service}/{rpc.method}`, kind CLIENT or SERVER, `rpc.system` grpc, `rpc.service`,
 * `rpc.method`, `rpc.grpc.status_code`; the context travels as `traceparent` metadata.
 * Through the API only: with tracing off each is a no-op span.
 */
import { SpanKind, SpanStatusCode, context, isSpanContextValid, trace, TraceFlags, type Context, type Span } from '@opentelemetry/api';
import { contextFromTraceparent, formatTraceparent } from './trace-context.js';

const tracer = trace.getTracer('orderlab-rpc');

/** gRPC status codes a server reports as its own failure (the others are the caller's). */
const SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);

/** A gRPC call's span in progress. */
export interface RpcSpan {
  /** The context the call's work runs in (the span active in it). */
  readonly context: Context;
  /** The traceparent the call sends (client) — undefined when tracing is off and no trace is active. */
  readonly traceparent: string | undefined;
  /** The span when it is sampled: what an exemplar of the call's duration points at. */
  readonly sampled: { traceId: string; spanId: string } | undefined;
  /** Runs fn with the span active: the call's work, queries and log lines belong to it. */
  run<T>(fn: () => T): T;
  /** Ends the span with the call's gRPC status code. */
  end(code: number, message?: string): void;
}

function rpcAttributes(rpcMethod: string) {
  const slash = rpcMethod.lastIndexOf('/');
  return { 'rpc.system': 'grpc', 'rpc.service': rpcMethod.slice(0, slash), 'rpc.method': rpcMethod.slice(slash + 1) };
}

function rpcSpan(span: Span, ctx: Context, failed: (code: number) => boolean): RpcSpan {
  const spanContext = span.spanContext();
  const valid = isSpanContextValid(spanContext);
  return {
    context: ctx,
    traceparent: valid ? formatTraceparent(spanContext) : undefined,
    sampled: valid && (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 ? spanContext : undefined,
    run: (fn) => context.with(ctx, fn),
    end(code, message) {
      span.setAttribute('rpc.grpc.status_code', code);
      if (failed(code)) span.setStatus({ code: SpanStatusCode.ERROR, ...(message === undefined ? {} : { message }) });
      span.end();
    },
  };
}

/** Starts the CLIENT span of one call attempt of `rpcMethod` (`package.Service/Method`), the child of the active span. */
export function startRpcClientSpan(rpcMethod: string): RpcSpan {
  const span = tracer.startSpan(rpcMethod, { kind: SpanKind.CLIENT, attributes: rpcAttributes(rpcMethod) });
  return rpcSpan(span, trace.setSpan(context.active(), span), (code) => code !== 0);
}

/** Starts the SERVER span of an incoming call, the child of the caller's span its `traceparent` metadata names. */
export function startRpcServerSpan(rpcMethod: string, traceparent: string | undefined): RpcSpan {
  const parent = contextFromTraceparent(traceparent);
  const span = tracer.startSpan(rpcMethod, { kind: SpanKind.SERVER, attributes: rpcAttributes(rpcMethod) }, parent);
  return rpcSpan(span, trace.setSpan(parent, span), (code) => SERVER_ERRORS.has(code));
}
