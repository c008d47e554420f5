import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CompleteFulfillmentRequest as _orderlab_orders_v1_CompleteFulfillmentRequest, CompleteFulfillmentRequest__Output as _orderlab_orders_v1_CompleteFulfillmentRequest__Output } from './orderlab/orders/v1/CompleteFulfillmentRequest.js';
import type { CreateOrderRequest as _orderlab_orders_v1_CreateOrderRequest, CreateOrderRequest__Output as _orderlab_orders_v1_CreateOrderRequest__Output } from './orderlab/orders/v1/CreateOrderRequest.js';
import type { CreateOrderResponse as _orderlab_orders_v1_CreateOrderResponse, CreateOrderResponse__Output as _orderlab_orders_v1_CreateOrderResponse__Output } from './orderlab/orders/v1/CreateOrderResponse.js';
import type { CreateProductRequest as _orderlab_orders_v1_CreateProductRequest, CreateProductRequest__Output as _orderlab_orders_v1_CreateProductRequest__Output } from './orderlab/orders/v1/CreateProductRequest.js';
import type { CreateProductResponse as _orderlab_orders_v1_CreateProductResponse, CreateProductResponse__Output as _orderlab_orders_v1_CreateProductResponse__Output } from './orderlab/orders/v1/CreateProductResponse.js';
import type { GetOrderRequest as _orderlab_orders_v1_GetOrderRequest, GetOrderRequest__Output as _orderlab_orders_v1_GetOrderRequest__Output } from './orderlab/orders/v1/GetOrderRequest.js';
import type { GetProductRequest as _orderlab_orders_v1_GetProductRequest, GetProductRequest__Output as _orderlab_orders_v1_GetProductRequest__Output } from './orderlab/orders/v1/GetProductRequest.js';
import type { ListOrdersRequest as _orderlab_orders_v1_ListOrdersRequest, ListOrdersRequest__Output as _orderlab_orders_v1_ListOrdersRequest__Output } from './orderlab/orders/v1/ListOrdersRequest.js';
import type { ListOrdersResponse as _orderlab_orders_v1_ListOrdersResponse, ListOrdersResponse__Output as _orderlab_orders_v1_ListOrdersResponse__Output } from './orderlab/orders/v1/ListOrdersResponse.js';
import type { ListProductsRequest as _orderlab_orders_v1_ListProductsRequest, ListProductsRequest__Output as _orderlab_orders_v1_ListProductsRequest__Output } from './orderlab/orders/v1/ListProductsRequest.js';
import type { ListProductsResponse as _orderlab_orders_v1_ListProductsResponse, ListProductsResponse__Output as _orderlab_orders_v1_ListProductsResponse__Output } from './orderlab/orders/v1/ListProductsResponse.js';
import type { Order as _orderlab_orders_v1_Order, Order__Output as _orderlab_orders_v1_Order__Output } from './orderlab/orders/v1/Order.js';
import type { OrderItem as _orderlab_orders_v1_OrderItem, OrderItem__Output as _orderlab_orders_v1_OrderItem__Output } from './orderlab/orders/v1/OrderItem.js';
import type { OrderItemInput as _orderlab_orders_v1_OrderItemInput, OrderItemInput__Output as _orderlab_orders_v1_OrderItemInput__Output } from './orderlab/orders/v1/OrderItemInput.js';
import type { OrderServiceClient as _orderlab_orders_v1_OrderServiceClient, OrderServiceDefinition as _orderlab_orders_v1_OrderServiceDefinition } from './orderlab/orders/v1/OrderService.js';
import type { Product as _orderlab_orders_v1_Product, Product__Output as _orderlab_orders_v1_Product__Output } from './orderlab/orders/v1/Product.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  orderlab: {
    orders: {
      v1: {
        CompleteFulfillmentRequest: MessageTypeDefinition<_orderlab_orders_v1_CompleteFulfillmentRequest, _orderlab_orders_v1_CompleteFulfillmentRequest__Output>
        CreateOrderRequest: MessageTypeDefinition<_orderlab_orders_v1_CreateOrderRequest, _orderlab_orders_v1_CreateOrderRequest__Output>
        CreateOrderResponse: MessageTypeDefinition<_orderlab_orders_v1_CreateOrderResponse, _orderlab_orders_v1_CreateOrderResponse__Output>
        CreateProductRequest: MessageTypeDefinition<_orderlab_orders_v1_CreateProductRequest, _orderlab_orders_v1_CreateProductRequest__Output>
        CreateProductResponse: MessageTypeDefinition<_orderlab_orders_v1_CreateProductResponse, _orderlab_orders_v1_CreateProductResponse__Output>
        FulfillmentOutcome: EnumTypeDefinition
        GetOrderRequest: MessageTypeDefinition<_orderlab_orders_v1_GetOrderRequest, _orderlab_orders_v1_GetOrderRequest__Output>
        GetProductRequest: MessageTypeDefinition<_orderlab_orders_v1_GetProductRequest, _orderlab_orders_v1_GetProductRequest__Output>
        ListOrdersRequest: MessageTypeDefinition<_orderlab_orders_v1_ListOrdersRequest, _orderlab_orders_v1_ListOrdersRequest__Output>
        ListOrdersResponse: MessageTypeDefinition<_orderlab_orders_v1_ListOrdersResponse, _orderlab_orders_v1_ListOrdersResponse__Output>
        ListProductsRequest: MessageTypeDefinition<_orderlab_orders_v1_ListProductsRequest, _orderlab_orders_v1_ListProductsRequest__Output>
        ListProductsResponse: MessageTypeDefinition<_orderlab_orders_v1_ListProductsResponse, _orderlab_orders_v1_ListProductsResponse__Output>
        Order: MessageTypeDefinition<_orderlab_orders_v1_Order, _orderlab_orders_v1_Order__Output>
        OrderItem: MessageTypeDefinition<_orderlab_orders_v1_OrderItem, _orderlab_orders_v1_OrderItem__Output>
        OrderItemInput: MessageTypeDefinition<_orderlab_orders_v1_OrderItemInput, _orderlab_orders_v1_OrderItemInput__Output>
        OrderService: SubtypeConstructor<typeof grpc.Client, _orderlab_orders_v1_OrderServiceClient> & { service: _orderlab_orders_v1_OrderServiceDefinition }
        OrderStatus: EnumTypeDefinition
        Product: MessageTypeDefinition<_orderlab_orders_v1_Product, _orderlab_orders_v1_Product__Output>
      }
    }
  }
}

