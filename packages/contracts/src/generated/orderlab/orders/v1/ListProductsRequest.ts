// Original file: proto/orderlab/orders/v1/orders.proto


export interface ListProductsRequest {
  /**
   * 1..100; 0 means the server default (20).
   */
  'pageSize'?: (number);
  /**
   * Opaque cursor from a previous response; empty for the first page.
   */
  'pageToken'?: (string);
}

export interface ListProductsRequest__Output {
  /**
   * 1..100; 0 means the server default (20).
   */
  'pageSize': (number);
  /**
   * Opaque cursor from a previous response; empty for the first page.
   */
  'pageToken': (string);
}
