/**
 * Every contract between the services (docs/architecture.md, "How an order flows"): the
 * orders gRPC contract, loaded from proto/orderlab/orders/v1/orders.proto at run time with the
 * types generated from it (src/generated, see scripts/gen.mjs), and the modules re-exported at
 * the end — events, error codes, headers, id formats, limits and the fulfillment stream.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { ProtoGrpcType } from './generated/orders.js';
import type { OrderServiceClient } from './generated/orderlab/orders/v1/OrderService.js';

export type { ProtoGrpcType } from './generated/orders.js';
export type { OrderServiceClient, OrderServiceHandlers, OrderServiceDefinition } from './generated/orderlab/orders/v1/OrderService.js';
export type { Product, Product__Output } from './generated/orderlab/orders/v1/Product.js';
export type { Order, Order__Output } from './generated/orderlab/orders/v1/Order.js';
export type { OrderItem, OrderItem__Output } from './generated/orderlab/orders/v1/OrderItem.js';
export type { OrderItemInput, OrderItemInput__Output } from './generated/orderlab/orders/v1/OrderItemInput.js';
export type { ListProductsRequest, ListProductsRequest__Output } from './generated/orderlab/orders/v1/ListProductsRequest.js';
export type { ListProductsResponse, ListProductsResponse__Output } from './generated/orderlab/orders/v1/ListProductsResponse.js';
export type { GetProductRequest, GetProductRequest__Output } from './generated/orderlab/orders/v1/GetProductRequest.js';
export type { CreateProductRequest, CreateProductRequest__Output } from './generated/orderlab/orders/v1/CreateProductRequest.js';
export type { CreateProductResponse, CreateProductResponse__Output } from './generated/orderlab/orders/v1/CreateProductResponse.js';
export type { CreateOrderRequest, CreateOrderRequest__Output } from './generated/orderlab/orders/v1/CreateOrderRequest.js';
export type { CreateOrderResponse, CreateOrderResponse__Output } from './generated/orderlab/orders/v1/CreateOrderResponse.js';
export type { GetOrderRequest, GetOrderRequest__Output } from './generated/orderlab/orders/v1/GetOrderRequest.js';
export type { ListOrdersRequest, ListOrdersRequest__Output } from './generated/orderlab/orders/v1/ListOrdersRequest.js';
export type { ListOrdersResponse, ListOrdersResponse__Output } from './generated/orderlab/orders/v1/ListOrdersResponse.js';
export type { CompleteFulfillmentRequest, CompleteFulfillmentRequest__Output } from './generated/orderlab/orders/v1/CompleteFulfillmentRequest.js';
export { OrderStatus } from './generated/orderlab/orders/v1/OrderStatus.js';
export type { OrderStatus__Output } from './generated/orderlab/orders/v1/OrderStatus.js';
export { FulfillmentOutcome } from './generated/orderlab/orders/v1/FulfillmentOutcome.js';
export type { FulfillmentOutcome__Output } from './generated/orderlab/orders/v1/FulfillmentOutcome.js';

/** Fully qualified service name, as used by gRPC health checks and reflection. */
export const ORDER_SERVICE_NAME = 'orderlab.orders.v1.OrderService';

/** Absolute path of the proto folder (repository root /proto). */
export const PROTO_ROOT = fileURLToPath(new URL('../../../../proto/', import.meta.url));

/** Path of orders.proto relative to PROTO_ROOT. */
export const ORDERS_PROTO_FILE = 'orderlab/orders/v1/orders.proto';

/** Must match the flags in scripts/gen.mjs so the generated types describe what is loaded. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/** The loaded package definition (also what @grpc/reflection needs). */
export function loadOrdersPackageDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(ORDERS_PROTO_FILE, LOADER_OPTIONS);
}

/** The typed gRPC object tree of orders.proto. */
export function loadOrdersProto(packageDefinition = loadOrdersPackageDefinition()): ProtoGrpcType {
  return grpc.loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType;
}

/**
 * Options shared by every OrderService client: keepalive, bounded message sizes, and a short
 * reconnect backoff so callers recover within seconds once orders is back (grpc-js would
 * otherwise back off up to 120 s).
 */
export const CLIENT_OPTIONS: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 500,
  'grpc.max_reconnect_backoff_ms': 5_000,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
  'grpc.max_send_message_length': 4 * 1024 * 1024,
};

/** A long-lived client for OrderService at `address` (host:port), plaintext. */
export function createOrderServiceClient(
  address: string,
  options: grpc.ClientOptions = {},
): OrderServiceClient {
  const proto = loadOrdersProto();
  return new proto.orderlab.orders.v1.OrderService(address, grpc.credentials.createInsecure(), {
    ...CLIENT_OPTIONS,
    ...options,
  });
}

// The contracts besides the .proto; each is also its own sub-path export (package.json).
export * from './events.js';
export { buildAsyncApiDocument } from './asyncapi.js';
export * from './error-codes.js';
export * from './formats.js';
export * from './fulfillment-requests.js';
export * from './headers.js';
export * from './limits.js';
