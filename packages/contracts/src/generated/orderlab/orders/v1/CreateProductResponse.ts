// Original file: proto/orderlab/orders/v1/orders.proto

import type { Product as _orderlab_orders_v1_Product, Product__Output as _orderlab_orders_v1_Product__Output } from '../../../orderlab/orders/v1/Product.js';

export interface CreateProductResponse {
  'product'?: (_orderlab_orders_v1_Product | null);
  /**
   * True when this is the stored response of an earlier call with the same idempotency key.
   */
  'replayed'?: (boolean);
}

export interface CreateProductResponse__Output {
  'product': (_orderlab_orders_v1_Product__Output | null);
  /**
   * True when this is the stored response of an earlier call with the same idempotency key.
   */
  'replayed': (boolean);
}
