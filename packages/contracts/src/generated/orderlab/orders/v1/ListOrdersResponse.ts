// Original file: proto/orderlab/orders/v1/orders.proto

import type { Order as _orderlab_orders_v1_Order, Order__Output as _orderlab_orders_v1_Order__Output } from '../../../orderlab/orders/v1/Order.js';

export interface ListOrdersResponse {
  'orders'?: (_orderlab_orders_v1_Order)[];
  'nextPageToken'?: (string);
}

export interface ListOrdersResponse__Output {
  'orders': (_orderlab_orders_v1_Order__Output)[];
  'nextPageToken': (string);
}
