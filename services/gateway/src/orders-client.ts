/**
 * The gateway's calls to the orders service: promises over the long-lived gRPC client, each
 * with a deadline and the correlation metadata; reads retried once on UNAVAILABLE.
 */
import { performance } from 'node:perf_hooks';
import { Metadata, status as GrpcStatus, type CallOptions, type ClientUnaryCall, type requestCallback } from '@grpc/grpc-js';
import {
  METADATA,
  ORDER_SERVICE_NAME,
  type CreateOrderRequest,
  type CreateOrderResponse__Output,
  type CreateProductRequest,
  type CreateProductResponse__Output,
  type GetOrderRequest,
  type GetProductRequest,
  type ListOrdersRequest,
  type ListOrdersResponse__Output,
  type ListProductsRequest,
  type ListProductsResponse__Output,
  type Order__Output,
  type OrderServiceClient,
  type Product__Output,
} from '@orderlab/contracts';
import { isServiceError, type GrpcCallRecorder } from '@orderlab/platform';
import type { FastifyBaseLogger } from 'fastify';
import { grpcErrorToHttp, type OrdersRpc } from './grpc-status-to-http.js';

/** Who is calling: carried to orders as gRPC metadata. */
export interface CallContext {
  requestId: string;
  /** A well-formed W3C traceparent of the incoming request, if any. */
  traceparent?: string;
  /** Required by the two create calls. */
  idempotencyKey?: string;
  /** The request's logger (it carries request_id). */
  log: FastifyBaseLogger;
}

/** The OrderService calls the REST routes need; failures reject with an HTTP problem (AppError). */
export interface OrdersApi {
  listProducts(request: ListProductsRequest, ctx: CallContext): Promise<ListProductsResponse__Output>;
  getProduct(request: GetProductRequest, ctx: CallContext): Promise<Product__Output>;
  createProduct(request: CreateProductRequest, ctx: CallContext & { idempotencyKey: string }): Promise<CreateProductResponse__Output>;
  createOrder(request: CreateOrderRequest, ctx: CallContext & { idempotencyKey: string }): Promise<CreateOrderResponse__Output>;
  getOrder(request: GetOrderRequest, ctx: CallContext): Promise<Order__Output>;
  listOrders(request: ListOrdersRequest, ctx: CallContext): Promise<ListOrdersResponse__Output>;
}

export interface OrdersApiOptions {
  /** Deadline of each call, retries included. */
  deadlineMs: number;
  /** Records each attempt's duration and status (rpc_client_call_duration_seconds); none by default. */
  recordCall?: GrpcCallRecorder;
}

type Unary<Req, Res> = (request: Req, metadata: Metadata, options: CallOptions, callback: requestCallback<Res>) => ClientUnaryCall;

/** Reads are safe to repeat; writes never are retried here (the client retries them with its key). */
const READ_ATTEMPTS = 2;
const WRITE_ATTEMPTS = 1;

/** Wraps client (owned by the caller, who closes it) in the calls the gateway makes. */
export function buildOrdersApi(client: OrderServiceClient, { deadlineMs, recordCall = () => {} }: OrdersApiOptions): OrdersApi {
  function call<Req, Res>(rpc: OrdersRpc, method: Unary<Req, Res>, attempts: number) {
    const rpcMethod = `${ORDER_SERVICE_NAME}/${rpc}`;
    return async (request: Req, ctx: CallContext): Promise<Res> => {
      // One deadline for the whole call, so a retried read still answers within GRPC_DEADLINE_MS.
      const deadline = Date.now() + deadlineMs;
      for (let attempt = 1; ; attempt++) {
        try {
          return await unary(method, request, metadataOf(ctx), deadline, rpcMethod, recordCall);
        } catch (err) {
          const unavailable = isServiceError(err) && err.code === GrpcStatus.UNAVAILABLE;
          if (!unavailable || attempt >= attempts || Date.now() >= deadline) throw grpcErrorToHttp(err, rpc);
          ctx.log.warn({ rpc, attempt, detail: err.details }, 'orders unavailable, retrying read');
        }
      }
    };
  }

  return {
    listProducts: call('ListProducts', client.listProducts.bind(client) as Unary<ListProductsRequest, ListProductsResponse__Output>, READ_ATTEMPTS),
    getProduct: call('GetProduct', client.getProduct.bind(client) as Unary<GetProductRequest, Product__Output>, READ_ATTEMPTS),
    createProduct: call('CreateProduct', client.createProduct.bind(client) as Unary<CreateProductRequest, CreateProductResponse__Output>, WRITE_ATTEMPTS),
    createOrder: call('CreateOrder', client.createOrder.bind(client) as Unary<CreateOrderRequest, CreateOrderResponse__Output>, WRITE_ATTEMPTS),
    getOrder: call('GetOrder', client.getOrder.bind(client) as Unary<GetOrderRequest, Order__Output>, READ_ATTEMPTS),
    listOrders: call('ListOrders', client.listOrders.bind(client) as Unary<ListOrdersRequest, ListOrdersResponse__Output>, READ_ATTEMPTS),
  };
}

function metadataOf(ctx: CallContext): Metadata {
  const metadata = new Metadata();
  metadata.set(METADATA.requestId, ctx.requestId);
  if (ctx.traceparent !== undefined) metadata.set(METADATA.traceparent, ctx.traceparent);
  if (ctx.idempotencyKey !== undefined) metadata.set(METADATA.idempotencyKey, ctx.idempotencyKey);
  return metadata;
}

function unary<Req, Res>(
  method: Unary<Req, Res>,
  request: Req,
  metadata: Metadata,
  deadline: number,
  rpcMethod: string,
  recordCall: GrpcCallRecorder,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    method(request, metadata, { deadline }, (err, response) => {
      // The callback runs when the status arrives: that is the call's end.
      recordCall(rpcMethod, err ? err.code : GrpcStatus.OK, started);
      if (err) reject(err);
      else if (response === undefined) reject(new Error('orders answered without a message'));
      else resolve(response);
    });
  });
}
