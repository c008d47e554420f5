// Original file: proto/orderlab/orders/v1/orders.proto

import type { FulfillmentOutcome as _orderlab_orders_v1_FulfillmentOutcome, FulfillmentOutcome__Output as _orderlab_orders_v1_FulfillmentOutcome__Output } from '../../../orderlab/orders/v1/FulfillmentOutcome.js';

export interface CompleteFulfillmentRequest {
  'orderId'?: (string);
  'outcome'?: (_orderlab_orders_v1_FulfillmentOutcome);
  'shipmentId'?: (string);
  'trackingNumber'?: (string);
  /**
   * Why fulfillment failed; empty when shipped.
   */
  'failureReason'?: (string);
}

export interface CompleteFulfillmentRequest__Output {
  'orderId': (string);
  'outcome': (_orderlab_orders_v1_FulfillmentOutcome__Output);
  'shipmentId': (string);
  'trackingNumber': (string);
  /**
   * Why fulfillment failed; empty when shipped.
   */
  'failureReason': (string);
}
