// Original file: proto/orderlab/orders/v1/orders.proto

import type { OrderStatus as _orderlab_orders_v1_OrderStatus, OrderStatus__Output as _orderlab_orders_v1_OrderStatus__Output } from '../../../orderlab/orders/v1/OrderStatus.js';
import type { OrderItem as _orderlab_orders_v1_OrderItem, OrderItem__Output as _orderlab_orders_v1_OrderItem__Output } from '../../../orderlab/orders/v1/OrderItem.js';
import type { Long } from '@grpc/proto-loader';

export interface Order {
  'id'?: (string);
  'customerId'?: (string);
  'status'?: (_orderlab_orders_v1_OrderStatus);
  'items'?: (_orderlab_orders_v1_OrderItem)[];
  'totalCents'?: (number | string | Long);
  'currency'?: (string);
  'createdAt'?: (string);
  'updatedAt'?: (string);
}

export interface Order__Output {
  'id': (string);
  'customerId': (string);
  'status': (_orderlab_orders_v1_OrderStatus__Output);
  'items': (_orderlab_orders_v1_OrderItem__Output)[];
  'totalCents': (number);
  'currency': (string);
  'createdAt': (string);
  'updatedAt': (string);
}
