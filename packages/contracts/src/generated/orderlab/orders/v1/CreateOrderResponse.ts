// Original file: proto/orderlab/orders/v1/orders.proto

import type { Order as _orderlab_orders_v1_Order, Order__Output as _orderlab_orders_v1_Order__Output } from '../../../orderlab/orders/v1/Order.js';

export interface CreateOrderResponse {
  /**
   * For a replay, the order exactly as first returned (not its current state).
   */
  'order'?: (_orderlab_orders_v1_Order | null);
  /**
   * True when this is the stored response of an earlier call with the same idempotency key.
   */
  'replayed'?: (boolean);
}

export interface CreateOrderResponse__Output {
  /**
   * For a replay, the order exactly as first returned (not its current state).
   */
  'order': (_orderlab_orders_v1_Order__Output | null);
  /**
   * True when this is the stored response of an earlier call with the same idempotency key.
   */
  'replayed': (boolean);
}
