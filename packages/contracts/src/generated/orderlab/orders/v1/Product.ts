// Original file: proto/orderlab/orders/v1/orders.proto

import type { Long } from '@grpc/proto-loader';

export interface Product {
  'id'?: (string);
  'sku'?: (string);
  'name'?: (string);
  'description'?: (string);
  'priceCents'?: (number | string | Long);
  'currency'?: (string);
  'createdAt'?: (string);
}

export interface Product__Output {
  'id': (string);
  'sku': (string);
  'name': (string);
  'description': (string);
  'priceCents': (number);
  'currency': (string);
  'createdAt': (string);
}
