// Original file: proto/orderlab/orders/v1/orders.proto

import type { Product as _orderlab_orders_v1_Product, Product__Output as _orderlab_orders_v1_Product__Output } from '../../../orderlab/orders/v1/Product.js';

export interface ListProductsResponse {
  'products'?: (_orderlab_orders_v1_Product)[];
  /**
   * Empty on the last page.
   */
  'nextPageToken'?: (string);
}

export interface ListProductsResponse__Output {
  'products': (_orderlab_orders_v1_Product__Output)[];
  /**
   * Empty on the last page.
   */
  'nextPageToken': (string);
}
