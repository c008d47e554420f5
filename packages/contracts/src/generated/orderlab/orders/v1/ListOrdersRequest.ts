// Original file: proto/orderlab/orders/v1/orders.proto


export interface ListOrdersRequest {
  'customerId'?: (string);
  /**
   * 1..100; 0 means the server default (20).
   */
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListOrdersRequest__Output {
  'customerId': (string);
  /**
   * 1..100; 0 means the server default (20).
   */
  'pageSize': (number);
  'pageToken': (string);
}
