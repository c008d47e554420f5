// Original file: proto/orderlab/orders/v1/orders.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CompleteFulfillmentRequest as _orderlab_orders_v1_CompleteFulfillmentRequest, CompleteFulfillmentRequest__Output as _orderlab_orders_v1_CompleteFulfillmentRequest__Output } from '../../../orderlab/orders/v1/CompleteFulfillmentRequest.js';
import type { CreateOrderRequest as _orderlab_orders_v1_CreateOrderRequest, CreateOrderRequest__Output as _orderlab_orders_v1_CreateOrderRequest__Output } from '../../../orderlab/orders/v1/CreateOrderRequest.js';
import type { CreateOrderResponse as _orderlab_orders_v1_CreateOrderResponse, CreateOrderResponse__Output as _orderlab_orders_v1_CreateOrderResponse__Output } from '../../../orderlab/orders/v1/CreateOrderResponse.js';
import type { CreateProductRequest as _orderlab_orders_v1_CreateProductRequest, CreateProductRequest__Output as _orderlab_orders_v1_CreateProductRequest__Output } from '../../../orderlab/orders/v1/CreateProductRequest.js';
import type { CreateProductResponse as _orderlab_orders_v1_CreateProductResponse, CreateProductResponse__Output as _orderlab_orders_v1_CreateProductResponse__Output } from '../../../orderlab/orders/v1/CreateProductResponse.js';
import type { GetOrderRequest as _orderlab_orders_v1_GetOrderRequest, GetOrderRequest__Output as _orderlab_orders_v1_GetOrderRequest__Output } from '../../../orderlab/orders/v1/GetOrderRequest.js';
import type { GetProductRequest as _orderlab_orders_v1_GetProductRequest, GetProductRequest__Output as _orderlab_orders_v1_GetProductRequest__Output } from '../../../orderlab/orders/v1/GetProductRequest.js';
import type { ListOrdersRequest as _orderlab_orders_v1_ListOrdersRequest, ListOrdersRequest__Output as _orderlab_orders_v1_ListOrdersRequest__Output } from '../../../orderlab/orders/v1/ListOrdersRequest.js';
import type { ListOrdersResponse as _orderlab_orders_v1_ListOrdersResponse, ListOrdersResponse__Output as _orderlab_orders_v1_ListOrdersResponse__Output } from '../../../orderlab/orders/v1/ListOrdersResponse.js';
import type { ListProductsRequest as _orderlab_orders_v1_ListProductsRequest, ListProductsRequest__Output as _orderlab_orders_v1_ListProductsRequest__Output } from '../../../orderlab/orders/v1/ListProductsRequest.js';
import type { ListProductsResponse as _orderlab_orders_v1_ListProductsResponse, ListProductsResponse__Output as _orderlab_orders_v1_ListProductsResponse__Output } from '../../../orderlab/orders/v1/ListProductsResponse.js';
import type { Order as _orderlab_orders_v1_Order, Order__Output as _orderlab_orders_v1_Order__Output } from '../../../orderlab/orders/v1/Order.js';
import type { Product as _orderlab_orders_v1_Product, Product__Output as _orderlab_orders_v1_Product__Output } from '../../../orderlab/orders/v1/Product.js';

export interface OrderServiceClient extends grpc.Client {
  /**
   * Reports the outcome of fulfillment. Idempotent: repeating it returns the order unchanged.
   */
  CompleteFulfillment(argument: _orderlab_orders_v1_CompleteFulfillmentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  CompleteFulfillment(argument: _orderlab_orders_v1_CompleteFulfillmentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  CompleteFulfillment(argument: _orderlab_orders_v1_CompleteFulfillmentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  CompleteFulfillment(argument: _orderlab_orders_v1_CompleteFulfillmentRequest, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  /**
   * Reports the outcome of fulfillment. Idempotent: repeating it returns the order unchanged.
   */
  completeFulfillment(argument: _orderlab_orders_v1_CompleteFulfillmentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  completeFulfillment(argument: _orderlab_orders_v1_CompleteFulfillmentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  completeFulfillment(argument: _orderlab_orders_v1_CompleteFulfillmentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  completeFulfillment(argument: _orderlab_orders_v1_CompleteFulfillmentRequest, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  
  /**
   * Places an order (idempotent with `idempotency-key`, scoped per customer). Prices come
   * from the catalog. Writes the order, its items and two outbox rows in one transaction.
   */
  CreateOrder(argument: _orderlab_orders_v1_CreateOrderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_CreateOrderResponse__Output>): grpc.ClientUnaryCall;
  CreateOrder(argument: _orderlab_orders_v1_CreateOrderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_CreateOrderResponse__Output>): grpc.ClientUnaryCall;
  CreateOrder(argument: _orderlab_orders_v1_CreateOrderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_CreateOrderResponse__Output>): grpc.ClientUnaryCall;
  CreateOrder(argument: _orderlab_orders_v1_CreateOrderRequest, callback: grpc.requestCallback<_orderlab_orders_v1_CreateOrderResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Places an order (idempotent with `idempotency-key`, scoped per customer). Prices come
   * from the catalog. Writes the order, its items and two outbox rows in one transaction.
   */
  createOrder(argument: _orderlab_orders_v1_CreateOrderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_CreateOrderResponse__Output>): grpc.ClientUnaryCall;
  createOrder(argument: _orderlab_orders_v1_CreateOrderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_CreateOrderResponse__Output>): grpc.ClientUnaryCall;
  createOrder(argument: _orderlab_orders_v1_CreateOrderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_CreateOrderResponse__Output>): grpc.ClientUnaryCall;
  createOrder(argument: _orderlab_orders_v1_CreateOrderRequest, callback: grpc.requestCallback<_orderlab_orders_v1_CreateOrderResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Adds a product to the catalog (idempotent with `idempotency-key`); emits `item.created`.
   */
  CreateProduct(argument: _orderlab_orders_v1_CreateProductRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_CreateProductResponse__Output>): grpc.ClientUnaryCall;
  CreateProduct(argument: _orderlab_orders_v1_CreateProductRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_CreateProductResponse__Output>): grpc.ClientUnaryCall;
  CreateProduct(argument: _orderlab_orders_v1_CreateProductRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_CreateProductResponse__Output>): grpc.ClientUnaryCall;
  CreateProduct(argument: _orderlab_orders_v1_CreateProductRequest, callback: grpc.requestCallback<_orderlab_orders_v1_CreateProductResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Adds a product to the catalog (idempotent with `idempotency-key`); emits `item.created`.
   */
  createProduct(argument: _orderlab_orders_v1_CreateProductRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_CreateProductResponse__Output>): grpc.ClientUnaryCall;
  createProduct(argument: _orderlab_orders_v1_CreateProductRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_CreateProductResponse__Output>): grpc.ClientUnaryCall;
  createProduct(argument: _orderlab_orders_v1_CreateProductRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_CreateProductResponse__Output>): grpc.ClientUnaryCall;
  createProduct(argument: _orderlab_orders_v1_CreateProductRequest, callback: grpc.requestCallback<_orderlab_orders_v1_CreateProductResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * One order. NOT_FOUND if the id is unknown.
   */
  GetOrder(argument: _orderlab_orders_v1_GetOrderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  GetOrder(argument: _orderlab_orders_v1_GetOrderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  GetOrder(argument: _orderlab_orders_v1_GetOrderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  GetOrder(argument: _orderlab_orders_v1_GetOrderRequest, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  /**
   * One order. NOT_FOUND if the id is unknown.
   */
  getOrder(argument: _orderlab_orders_v1_GetOrderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  getOrder(argument: _orderlab_orders_v1_GetOrderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  getOrder(argument: _orderlab_orders_v1_GetOrderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  getOrder(argument: _orderlab_orders_v1_GetOrderRequest, callback: grpc.requestCallback<_orderlab_orders_v1_Order__Output>): grpc.ClientUnaryCall;
  
  /**
   * One product. NOT_FOUND if the id is unknown.
   */
  GetProduct(argument: _orderlab_orders_v1_GetProductRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Product__Output>): grpc.ClientUnaryCall;
  GetProduct(argument: _orderlab_orders_v1_GetProductRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_Product__Output>): grpc.ClientUnaryCall;
  GetProduct(argument: _orderlab_orders_v1_GetProductRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Product__Output>): grpc.ClientUnaryCall;
  GetProduct(argument: _orderlab_orders_v1_GetProductRequest, callback: grpc.requestCallback<_orderlab_orders_v1_Product__Output>): grpc.ClientUnaryCall;
  /**
   * One product. NOT_FOUND if the id is unknown.
   */
  getProduct(argument: _orderlab_orders_v1_GetProductRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Product__Output>): grpc.ClientUnaryCall;
  getProduct(argument: _orderlab_orders_v1_GetProductRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_Product__Output>): grpc.ClientUnaryCall;
  getProduct(argument: _orderlab_orders_v1_GetProductRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_Product__Output>): grpc.ClientUnaryCall;
  getProduct(argument: _orderlab_orders_v1_GetProductRequest, callback: grpc.requestCallback<_orderlab_orders_v1_Product__Output>): grpc.ClientUnaryCall;
  
  /**
   * A customer's orders, newest first.
   */
  ListOrders(argument: _orderlab_orders_v1_ListOrdersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_ListOrdersResponse__Output>): grpc.ClientUnaryCall;
  ListOrders(argument: _orderlab_orders_v1_ListOrdersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_ListOrdersResponse__Output>): grpc.ClientUnaryCall;
  ListOrders(argument: _orderlab_orders_v1_ListOrdersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_ListOrdersResponse__Output>): grpc.ClientUnaryCall;
  ListOrders(argument: _orderlab_orders_v1_ListOrdersRequest, callback: grpc.requestCallback<_orderlab_orders_v1_ListOrdersResponse__Output>): grpc.ClientUnaryCall;
  /**
   * A customer's orders, newest first.
   */
  listOrders(argument: _orderlab_orders_v1_ListOrdersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_ListOrdersResponse__Output>): grpc.ClientUnaryCall;
  listOrders(argument: _orderlab_orders_v1_ListOrdersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_ListOrdersResponse__Output>): grpc.ClientUnaryCall;
  listOrders(argument: _orderlab_orders_v1_ListOrdersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_ListOrdersResponse__Output>): grpc.ClientUnaryCall;
  listOrders(argument: _orderlab_orders_v1_ListOrdersRequest, callback: grpc.requestCallback<_orderlab_orders_v1_ListOrdersResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A page of the catalog, ordered by name then id.
   */
  ListProducts(argument: _orderlab_orders_v1_ListProductsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_ListProductsResponse__Output>): grpc.ClientUnaryCall;
  ListProducts(argument: _orderlab_orders_v1_ListProductsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_ListProductsResponse__Output>): grpc.ClientUnaryCall;
  ListProducts(argument: _orderlab_orders_v1_ListProductsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_ListProductsResponse__Output>): grpc.ClientUnaryCall;
  ListProducts(argument: _orderlab_orders_v1_ListProductsRequest, callback: grpc.requestCallback<_orderlab_orders_v1_ListProductsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * A page of the catalog, ordered by name then id.
   */
  listProducts(argument: _orderlab_orders_v1_ListProductsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_ListProductsResponse__Output>): grpc.ClientUnaryCall;
  listProducts(argument: _orderlab_orders_v1_ListProductsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_orderlab_orders_v1_ListProductsResponse__Output>): grpc.ClientUnaryCall;
  listProducts(argument: _orderlab_orders_v1_ListProductsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_orderlab_orders_v1_ListProductsResponse__Output>): grpc.ClientUnaryCall;
  listProducts(argument: _orderlab_orders_v1_ListProductsRequest, callback: grpc.requestCallback<_orderlab_orders_v1_ListProductsResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface OrderServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Reports the outcome of fulfillment. Idempotent: repeating it returns the order unchanged.
   */
  CompleteFulfillment: grpc.handleUnaryCall<_orderlab_orders_v1_CompleteFulfillmentRequest__Output, _orderlab_orders_v1_Order>;
  
  /**
   * Places an order (idempotent with `idempotency-key`, scoped per customer). Prices come
   * from the catalog. Writes the order, its items and two outbox rows in one transaction.
   */
  CreateOrder: grpc.handleUnaryCall<_orderlab_orders_v1_CreateOrderRequest__Output, _orderlab_orders_v1_CreateOrderResponse>;
  
  /**
   * Adds a product to the catalog (idempotent with `idempotency-key`); emits `item.created`.
   */
  CreateProduct: grpc.handleUnaryCall<_orderlab_orders_v1_CreateProductRequest__Output, _orderlab_orders_v1_CreateProductResponse>;
  
  /**
   * One order. NOT_FOUND if the id is unknown.
   */
  GetOrder: grpc.handleUnaryCall<_orderlab_orders_v1_GetOrderRequest__Output, _orderlab_orders_v1_Order>;
  
  /**
   * One product. NOT_FOUND if the id is unknown.
   */
  GetProduct: grpc.handleUnaryCall<_orderlab_orders_v1_GetProductRequest__Output, _orderlab_orders_v1_Product>;
  
  /**
   * A customer's orders, newest first.
   */
  ListOrders: grpc.handleUnaryCall<_orderlab_orders_v1_ListOrdersRequest__Output, _orderlab_orders_v1_ListOrdersResponse>;
  
  /**
   * A page of the catalog, ordered by name then id.
   */
  ListProducts: grpc.handleUnaryCall<_orderlab_orders_v1_ListProductsRequest__Output, _orderlab_orders_v1_ListProductsResponse>;
  
}

export interface OrderServiceDefinition extends grpc.ServiceDefinition {
  CompleteFulfillment: MethodDefinition<_orderlab_orders_v1_CompleteFulfillmentRequest, _orderlab_orders_v1_Order, _orderlab_orders_v1_CompleteFulfillmentRequest__Output, _orderlab_orders_v1_Order__Output>
  CreateOrder: MethodDefinition<_orderlab_orders_v1_CreateOrderRequest, _orderlab_orders_v1_CreateOrderResponse, _orderlab_orders_v1_CreateOrderRequest__Output, _orderlab_orders_v1_CreateOrderResponse__Output>
  CreateProduct: MethodDefinition<_orderlab_orders_v1_CreateProductRequest, _orderlab_orders_v1_CreateProductResponse, _orderlab_orders_v1_CreateProductRequest__Output, _orderlab_orders_v1_CreateProductResponse__Output>
  GetOrder: MethodDefinition<_orderlab_orders_v1_GetOrderRequest, _orderlab_orders_v1_Order, _orderlab_orders_v1_GetOrderRequest__Output, _orderlab_orders_v1_Order__Output>
  GetProduct: MethodDefinition<_orderlab_orders_v1_GetProductRequest, _orderlab_orders_v1_Product, _orderlab_orders_v1_GetProductRequest__Output, _orderlab_orders_v1_Product__Output>
  ListOrders: MethodDefinition<_orderlab_orders_v1_ListOrdersRequest, _orderlab_orders_v1_ListOrdersResponse, _orderlab_orders_v1_ListOrdersRequest__Output, _orderlab_orders_v1_ListOrdersResponse__Output>
  ListProducts: MethodDefinition<_orderlab_orders_v1_ListProductsRequest, _orderlab_orders_v1_ListProductsResponse, _orderlab_orders_v1_ListProductsRequest__Output, _orderlab_orders_v1_ListProductsResponse__Output>
}
