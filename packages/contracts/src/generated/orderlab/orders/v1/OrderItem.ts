// Original file: proto/orderlab/orders/v1/orders.proto

import type { Long } from '@grpc/proto-loader';

export interface OrderItem {
  'productId'?: (string);
  'quantity'?: (number);
  'unitPriceCents'?: (number | string | Long);
}

export interface OrderItem__Output {
  'productId': (string);
  'quantity': (number);
  'unitPriceCents': (number);
}
