// Original file: proto/orderlab/orders/v1/orders.proto


export interface OrderItemInput {
  'productId'?: (string);
  'quantity'?: (number);
}

export interface OrderItemInput__Output {
  'productId': (string);
  'quantity': (number);
}
