/**
 * The gateway's calls to the orders service: the platform's unaryCall (deadline, call context as
 * metadata, call metrics) over the long-lived gRPC client; reads retried once on UNAVAILABLE,
 * failures turned into HTTP problems.
 */
import {
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
import { unaryCall, type CallContext as Correlation, type GrpcCallRecorder, type UnaryMethod } from '@orderlab/platform/grpc';
import type { FastifyBaseLogger } from 'fastify';
import { grpcErrorToHttp, type OrdersRpc } from './grpc-status-to-http.js';

/** Who is calling: the platform's call context (carried to orders as metadata) and the request's logger. */
export interface CallContext extends Correlation {
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

/** Reads are safe to repeat; writes never are retried here (the client retries them with its key). */
const READ_ATTEMPTS = 2;
const WRITE_ATTEMPTS = 1;

/** Wraps client (owned by the caller, who closes it) in the calls the gateway makes. */
export function buildOrdersApi(client: OrderServiceClient, { deadlineMs, recordCall }: OrdersApiOptions): OrdersApi {
  function call<Req, Res>(rpc: OrdersRpc, method: UnaryMethod<Req, Res>, attempts: number) {
    const rpcMethod = `${ORDER_SERVICE_NAME}/${rpc}`;
    return async (request: Req, ctx: CallContext): Promise<Res> => {
      try {
        return await unaryCall(method, request, ctx, {
          rpcMethod,
          deadlineMs,
          recordCall,
          attempts,
          onRetry: (err, attempt) => ctx.log.warn({ rpc, attempt, detail: err.details }, 'orders unavailable, retrying read'),
        });
      } catch (err) {
        throw grpcErrorToHttp(err, rpc);
      }
    };
  }

  return {
    listProducts: call('ListProducts', client.listProducts.bind(client) as UnaryMethod<ListProductsRequest, ListProductsResponse__Output>, READ_ATTEMPTS),
    getProduct: call('GetProduct', client.getProduct.bind(client) as UnaryMethod<GetProductRequest, Product__Output>, READ_ATTEMPTS),
    createProduct: call('CreateProduct', client.createProduct.bind(client) as UnaryMethod<CreateProductRequest, CreateProductResponse__Output>, WRITE_ATTEMPTS),
    createOrder: call('CreateOrder', client.createOrder.bind(client) as UnaryMethod<CreateOrderRequest, CreateOrderResponse__Output>, WRITE_ATTEMPTS),
    getOrder: call('GetOrder', client.getOrder.bind(client) as UnaryMethod<GetOrderRequest, Order__Output>, READ_ATTEMPTS),
    listOrders: call('ListOrders', client.listOrders.bind(client) as UnaryMethod<ListOrdersRequest, ListOrdersResponse__Output>, READ_ATTEMPTS),
  };
}
