/** rpc_client/server_call_duration_seconds as grpc-js interceptors (docs/metrics.md). */
import {
  InterceptingCall,
  ListenerBuilder,
  ResponderBuilder,
  ServerInterceptingCall,
  ServerListenerBuilder,
  status as GrpcStatus,
  type Interceptor,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { DURATION_BUCKETS, secondsSince, type ServiceMetrics } from './metrics.js';

const LABELS = ['rpc_system_name', 'rpc_method', 'rpc_status_code'] as const;
/** Health checks and reflection are probes, not traffic (like /healthz on HTTP). */
const NOT_RECORDED = ['grpc.health.v1.', 'grpc.reflection.'];

/** `OK`, `UNAVAILABLE`, …: the status name, as the semantic conventions spell rpc.grpc.status_code. */
export function grpcStatusName(code: number): string {
  return (GrpcStatus as unknown as Record<number, string | undefined>)[code] ?? 'UNKNOWN';
}

/** `orderlab.orders.v1.OrderService/CreateOrder` from the path `/orderlab.orders.v1.OrderService/CreateOrder`. */
function rpcMethodOf(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}

/** Client interceptors for a grpc-js client's `interceptors` option; none when metrics are off. */
export function grpcClientInterceptors(metrics: ServiceMetrics): Interceptor[] {
  if (!metrics.enabled) return [];
  const duration = metrics.histogram({
    name: 'rpc_client_call_duration_seconds',
    help: 'Duration of outgoing gRPC calls, until the status arrived.',
    labelNames: LABELS,
    buckets: DURATION_BUCKETS,
  });
  const interceptor: Interceptor = (options, nextCall) => {
    const rpcMethod = rpcMethodOf(options.method_definition.path);
    const started = performance.now();
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        next(
          metadata,
          new ListenerBuilder()
            .withOnReceiveStatus((status, nextStatus) => {
              duration.observe(
                { rpc_system_name: 'grpc', rpc_method: rpcMethod, rpc_status_code: grpcStatusName(status.code) },
                secondsSince(started),
              );
              nextStatus(status);
            })
            .build(),
        );
      },
    });
  };
  return [interceptor];
}

/** Server interceptors for `new grpc.Server({ interceptors })`; none when metrics are off. */
export function grpcServerInterceptors(metrics: ServiceMetrics): ServerInterceptor[] {
  if (!metrics.enabled) return [];
  const duration = metrics.histogram({
    name: 'rpc_server_call_duration_seconds',
    help: 'Duration of incoming gRPC calls, until the status was sent.',
    labelNames: LABELS,
    buckets: DURATION_BUCKETS,
  });
  const interceptor: ServerInterceptor = (descriptor, call) => {
    const rpcMethod = rpcMethodOf(descriptor.path);
    // ServerInterceptor must return a ServerInterceptingCall: pass probes through one with no responder.
    if (NOT_RECORDED.some((prefix) => rpcMethod.startsWith(prefix))) return new ServerInterceptingCall(call);
    const started = performance.now();
    let recorded = false;
    // traceId (exemplar hook) stays undefined until tracing lands.
    const record = (code: number) => {
      if (recorded) return;
      recorded = true;
      duration.observe({ rpc_system_name: 'grpc', rpc_method: rpcMethod, rpc_status_code: grpcStatusName(code) }, secondsSince(started));
    };
    return new ServerInterceptingCall(
      call,
      new ResponderBuilder()
        // A client that cancels (or whose deadline passes) gets no status from the handler.
        .withStart((next) => next(new ServerListenerBuilder().withOnCancel(() => record(GrpcStatus.CANCELLED)).build()))
        .withSendStatus((status, next) => {
          record(status.code);
          next(status);
        })
        .build(),
    );
  };
  return [interceptor];
}
