// Original file: proto/orderlab/orders/v1/orders.proto

import type { OrderItemInput as _orderlab_orders_v1_OrderItemInput, OrderItemInput__Output as _orderlab_orders_v1_OrderItemInput__Output } from '../../../orderlab/orders/v1/OrderItemInput.js';

export interface CreateOrderRequest {
  'customerId'?: (string);
  'items'?: (_orderlab_orders_v1_OrderItemInput)[];
}

export interface CreateOrderRequest__Output {
  'customerId': (string);
  'items': (_orderlab_orders_v1_OrderItemInput__Output)[];
}
