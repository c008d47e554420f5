// Original file: proto/orderlab/orders/v1/orders.proto

export const FulfillmentOutcome = {
  FULFILLMENT_OUTCOME_UNSPECIFIED: 'FULFILLMENT_OUTCOME_UNSPECIFIED',
  FULFILLMENT_OUTCOME_SHIPPED: 'FULFILLMENT_OUTCOME_SHIPPED',
  /**
   * The worker gave up (e.g. the request was dead-lettered); the order becomes `failed`.
   */
  FULFILLMENT_OUTCOME_FAILED: 'FULFILLMENT_OUTCOME_FAILED',
} as const;

export type FulfillmentOutcome =
  | 'FULFILLMENT_OUTCOME_UNSPECIFIED'
  | 0
  | 'FULFILLMENT_OUTCOME_SHIPPED'
  | 1
  /**
   * The worker gave up (e.g. the request was dead-lettered); the order becomes `failed`.
   */
  | 'FULFILLMENT_OUTCOME_FAILED'
  | 2

export type FulfillmentOutcome__Output = typeof FulfillmentOutcome[keyof typeof FulfillmentOutcome]
