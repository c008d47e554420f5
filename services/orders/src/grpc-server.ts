/**
 * The gRPC face of the orders service: OrderService, the standard health service and
 * reflection. This is the one place where errors become gRPC statuses, and where every call is
 * logged once with method, status and duration_ms.
 */
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import {
  loadOrdersPackageDefinition,
  loadOrdersProto,
  ORDER_SERVICE_NAME,
  type Order as ProtoOrder,
  type OrderServiceHandlers,
  type Product as ProtoProduct,
} from '@orderlab/contracts';
import { settleWithin, type Logger } from '@orderlab/platform';
import { callContextFromMetadata, errorCodeOf, grpcError, grpcServerCallRecorder, metadataValue } from '@orderlab/platform/grpc';
import { startRpcServerSpan, type RpcSpan } from '@orderlab/platform/tracing';
import { METADATA } from '@orderlab/contracts/headers';
import { NO_METRICS, type ServiceMetrics } from '@orderlab/platform/metrics';
import { HealthImplementation } from 'grpc-health-check';
import type pg from 'pg';
import { performance } from 'node:perf_hooks';
import { checkPostgres, classifyDatabaseError } from './database.js';
import { DomainError, OrdersErrorCode, type ErrorKind } from './domain/errors.js';
import type { FulfillmentOutcome, Order, OrderStatus } from './domain/order.js';
import type { Product } from './domain/product.js';
import type { CallContext, OrdersApp } from './orders-app.js';
import { throttledWarn, type ThrottledWarn } from './throttled-log.js';

/** Calls in progress above which new ones are shed with UNAVAILABLE (the pool is far smaller). */
const MAX_IN_FLIGHT_CALLS = 512;
/** How often the health service re-checks Postgres. */
const HEALTH_CHECK_INTERVAL_MS = 2_000;
const HEALTH_CHECK_TIMEOUT_MS = 1_000;

const SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': 1024 * 1024,
  'grpc.max_send_message_length': 4 * 1024 * 1024,
  'grpc.max_concurrent_streams': 256,
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 5_000,
};

const STATUS_OF_KIND: Record<ErrorKind, grpc.status> = {
  invalid_argument: grpc.status.INVALID_ARGUMENT,
  not_found: grpc.status.NOT_FOUND,
  already_exists: grpc.status.ALREADY_EXISTS,
  aborted: grpc.status.ABORTED,
  failed_precondition: grpc.status.FAILED_PRECONDITION,
  unavailable: grpc.status.UNAVAILABLE,
  deadline_exceeded: grpc.status.DEADLINE_EXCEEDED,
  cancelled: grpc.status.CANCELLED,
};

const PROTO_STATUS: Record<OrderStatus, ProtoOrder['status']> = {
  pending: 'ORDER_STATUS_PENDING',
  fulfilling: 'ORDER_STATUS_FULFILLING',
  fulfilled: 'ORDER_STATUS_FULFILLED',
  failed: 'ORDER_STATUS_FAILED',
};

const OUTCOMES: Record<string, FulfillmentOutcome | undefined> = {
  FULFILLMENT_OUTCOME_SHIPPED: 'shipped',
  FULFILLMENT_OUTCOME_FAILED: 'failed',
};

function toProtoOrder(order: Order): ProtoOrder {
  return { ...order, status: PROTO_STATUS[order.status] };
}

function toProtoProduct(product: Product): ProtoProduct {
  return { ...product };
}

/**
 * Converts anything a handler threw into a ServiceError. Database faults keep their cause in a
 * (throttled) log line; anything unexpected is logged with its stack and becomes INTERNAL.
 */
function toServiceError(err: unknown, log: Logger, warnDatabase: ThrottledWarn): grpc.ServiceError {
  if (err instanceof DomainError) return grpcError(STATUS_OF_KIND[err.kind], err.code, err.message);
  const fault = classifyDatabaseError(err);
  if (fault) {
    warnDatabase(err, 'database fault');
    return grpcError(STATUS_OF_KIND[fault.kind], fault.code, fault.message);
  }
  log.error({ err }, 'unexpected error');
  return grpcError(grpc.status.INTERNAL, OrdersErrorCode.internal, 'internal error');
}

/** Log level of the call line: client mistakes are normal traffic, our own faults are not. */
function levelOf(code: grpc.status): 'info' | 'warn' | 'error' {
  if (code === grpc.status.INTERNAL || code === grpc.status.UNKNOWN) return 'error';
  if (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED) return 'warn';
  return 'info';
}

function deadlineMs(call: grpc.ServerUnaryCall<unknown, unknown>): number {
  const deadline = call.getDeadline();
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

export interface GrpcServerDeps {
  app: OrdersApp;
  pool: pg.Pool;
  logger: Logger;
  /** rpc_server_call_duration_seconds of every OrderService call. */
  metrics?: ServiceMetrics;
}

/** The gRPC server of the orders service. */
export interface OrdersGrpcServer {
  /** Binds host:port (0 = any free port) and starts serving; resolves to the bound port. */
  start(port: number, host: string): Promise<number>;
  /** Reports NOT_SERVING, then finishes in-flight calls within timeoutMs and cancels the rest. */
  stop(timeoutMs: number): Promise<void>;
}

/** Builds the gRPC server: OrderService, grpc.health.v1 and reflection. */
export function buildGrpcServer({ app, pool, logger, metrics = NO_METRICS }: GrpcServerDeps): OrdersGrpcServer {
  const packageDefinition = loadOrdersPackageDefinition();
  const proto = loadOrdersProto(packageDefinition);
  const server = new grpc.Server(SERVER_OPTIONS);
  const recordCall = grpcServerCallRecorder(metrics);
  const warnDatabase = throttledWarn(logger);
  let inFlight = 0;

  /** Wraps a use case: context, load shedding, deadline check, error mapping and the call log line. */
  function unary<Req, Res>(
    method: string,
    handle: (request: Req, ctx: CallContext) => Promise<Res>,
  ): grpc.handleUnaryCall<Req, Res> {
    const rpcMethod = `${ORDER_SERVICE_NAME}/${method}`;
    return (call, callback) => {
      // The call's SERVER span, the child of the caller's; its work, queries and log lines run in it.
      const span = startRpcServerSpan(rpcMethod, metadataValue(call.metadata, METADATA.traceparent));
      span.run(() => serve(call, callback, span));
    };

    function serve(call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>, span: RpcSpan): void {
      const started = performance.now();
      const correlation = callContextFromMetadata(call.metadata);
      const log = logger.child({ request_id: correlation.requestId });
      const deadline = deadlineMs(call);
      const ctx: CallContext = {
        ...correlation,
        log,
        checkActive() {
          if (call.cancelled) throw new DomainError('cancelled', OrdersErrorCode.cancelled, 'the call was cancelled');
          if (Date.now() >= deadline) {
            throw new DomainError('deadline_exceeded', OrdersErrorCode.deadlineExceeded, 'the deadline passed before the work started');
          }
        },
      };
      const finish = (err: grpc.ServiceError | null, response?: Res) => {
        inFlight -= 1;
        if (err) callback(err);
        else callback(null, response);
        const code = err?.code ?? grpc.status.OK;
        // A call the client cancelled (or whose deadline passed) gets no status from us: say so.
        const status = call.cancelled ? grpc.status.CANCELLED : code;
        span.end(status, err?.details);
        recordCall(rpcMethod, status, started, span.sampled);
        log[levelOf(code)](
          {
            method,
            status: grpc.status[code],
            code: err ? errorCodeOf(err) : undefined,
            duration_ms: Math.round((performance.now() - started) * 100) / 100,
          },
          'grpc call',
        );
      };

      inFlight += 1;
      if (inFlight > MAX_IN_FLIGHT_CALLS) {
        finish(grpcError(grpc.status.UNAVAILABLE, OrdersErrorCode.overloaded, 'the orders service is overloaded; retry later'));
        return;
      }
      try {
        ctx.checkActive();
      } catch (err) {
        finish(toServiceError(err, log, warnDatabase));
        return;
      }
      handle(call.request, ctx).then(
        (response) => finish(null, response),
        (err: unknown) => finish(toServiceError(err, log, warnDatabase)),
      );
    }
  }

  const handlers: OrderServiceHandlers = {
    ListProducts: unary('ListProducts', async (request) => {
      const page = await app.listProducts(request);
      return { products: page.products.map(toProtoProduct), nextPageToken: page.nextPageToken };
    }),
    GetProduct: unary('GetProduct', async (request) => toProtoProduct(await app.getProduct(request))),
    CreateProduct: unary('CreateProduct', async (request, ctx) => {
      const result = await app.createProduct({ ...request }, ctx);
      return { product: toProtoProduct(result.product), replayed: result.replayed };
    }),
    CreateOrder: unary('CreateOrder', async (request, ctx) => {
      const result = await app.createOrder(request, ctx);
      return { order: toProtoOrder(result.order), replayed: result.replayed };
    }),
    GetOrder: unary('GetOrder', async (request) => toProtoOrder(await app.getOrder(request))),
    ListOrders: unary('ListOrders', async (request) => {
      const page = await app.listOrders(request);
      return { orders: page.orders.map(toProtoOrder), nextPageToken: page.nextPageToken };
    }),
    CompleteFulfillment: unary('CompleteFulfillment', async (request, ctx) =>
      toProtoOrder(await app.completeFulfillment({ ...request, outcome: OUTCOMES[request.outcome] }, ctx)),
    ),
  };
  server.addService(proto.orderlab.orders.v1.OrderService.service, handlers);

  // SERVING only while Postgres answers: without it no RPC can succeed.
  const health = new HealthImplementation({ '': 'NOT_SERVING', [ORDER_SERVICE_NAME]: 'NOT_SERVING' });
  health.addToServer(server);
  new ReflectionService(packageDefinition).addToServer(server);

  let stopping = false;
  let healthTimer: NodeJS.Timeout | undefined;
  const setServing = (serving: boolean) => {
    const status = serving && !stopping ? 'SERVING' : 'NOT_SERVING';
    health.setStatus('', status);
    health.setStatus(ORDER_SERVICE_NAME, status);
  };
  async function checkDatabase(): Promise<void> {
    try {
      setServing(await settleWithin(checkPostgres(pool), HEALTH_CHECK_TIMEOUT_MS));
    } catch {
      setServing(false);
    }
  }

  return {
    async start(port, host) {
      const bound = await new Promise<number>((resolve, reject) => {
        server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, actual) =>
          err ? reject(err) : resolve(actual),
        );
      });
      await checkDatabase();
      healthTimer = setInterval(() => void checkDatabase(), HEALTH_CHECK_INTERVAL_MS);
      healthTimer.unref();
      logger.info({ port: bound }, 'grpc server listening');
      return bound;
    },
    async stop(timeoutMs) {
      stopping = true;
      clearInterval(healthTimer);
      setServing(false);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn({ inFlight }, 'grpc calls still running at the shutdown deadline; cancelling them');
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
