// Original file: proto/orderlab/orders/v1/orders.proto

import type { Long } from '@grpc/proto-loader';

export interface CreateProductRequest {
  'sku'?: (string);
  'name'?: (string);
  'description'?: (string);
  'priceCents'?: (number | string | Long);
  'currency'?: (string);
}

export interface CreateProductRequest__Output {
  'sku': (string);
  'name': (string);
  'description': (string);
  'priceCents': (number);
  'currency': (string);
}
