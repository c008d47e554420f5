/** rpc_client/server_call_duration_seconds (docs/metrics.md), recorded by the services' own call wrappers. */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { DURATION_BUCKETS, sampledSpan, secondsSince, type BoundHistogram, type ServiceMetrics, type ExemplarSpan } from './metrics.js';

const LABELS = ['rpc_system_name', 'rpc_method', 'rpc_status_code'] as const;

/** `OK`, `UNAVAILABLE`, …: the status name, as the semantic conventions spell rpc.grpc.status_code. */
export function grpcStatusName(code: number): string {
  return (GrpcStatus as unknown as Record<number, string | undefined>)[code] ?? 'UNKNOWN';
}

/**
 * Records one finished call: its full method (`orderlab.orders.v1.OrderService/CreateOrder`),
 * status code and start (a performance.now() reading). The caller calls it where the status
 * is known: the client in its callback, the server where it answers. The span active there,
 * when sampled, becomes the call's exemplar: in the client's callback, which the gRPC
 * instrumentation runs in the client span's context; in the server's answer, reached from its
 * handler, which runs in the server span's context.
 */
/** Records one call; `span` is the call's sampled span, kept as the bucket's exemplar (default: the active span, if sampled). */
export type GrpcCallRecorder = (rpcMethod: string, code: number, startedMs: number, span?: ExemplarSpan) => void;

const NO_RECORDER: GrpcCallRecorder = () => {};

/*
 * Why recorders and not grpc-js interceptors (which this module used first): an interceptor
 * puts another InterceptingCall layer, with its listener and responder objects, into every
 * call. Measured in one process against a constant server (docs/benchmarks.md, the cost of metrics), a client
 * interceptor added 16–24 µs and a server interceptor 23 µs to a 285 µs call on the lab
 * machine — more than the histogram itself, and on a cached read about 6 % of its CPU. The
 * services already wrap every call (deadline, metadata, error mapping, the call log line), so
 * timing it there costs one performance.now() and one observation.
 */

function recorder(metrics: ServiceMetrics, name: string, help: string): GrpcCallRecorder {
  if (!metrics.enabled) return NO_RECORDER;
  const duration = metrics.histogram({ name, help, labelNames: LABELS, buckets: DURATION_BUCKETS });
  // One bound series per method and status: both come from small fixed sets (the service's
  // methods, the 17 status codes), and a call then records without building labels.
  const series = new Map<string, BoundHistogram[]>();
  return (rpcMethod, code, startedMs, span) => {
    let byCode = series.get(rpcMethod);
    if (byCode === undefined) series.set(rpcMethod, (byCode = []));
    const bound = (byCode[code] ??= duration.bind({ rpc_system_name: 'grpc', rpc_method: rpcMethod, rpc_status_code: grpcStatusName(code) }));
    bound.observe(secondsSince(startedMs), span ?? sampledSpan());
  };
}

/** rpc_client_call_duration_seconds: call it when a call's status arrives (its callback). */
export function grpcClientCallRecorder(metrics: ServiceMetrics): GrpcCallRecorder {
  return recorder(metrics, 'rpc_client_call_duration_seconds', 'Duration of outgoing gRPC calls, until the status arrived.');
}

/**
 * rpc_server_call_duration_seconds: call it when the server sends a call's status. Only the calls
 * it is called for count: health checks and reflection, which are probes, go unrecorded.
 */
export function grpcServerCallRecorder(metrics: ServiceMetrics): GrpcCallRecorder {
  return recorder(metrics, 'rpc_server_call_duration_seconds', 'Duration of incoming gRPC calls, until the status was sent.');
}
