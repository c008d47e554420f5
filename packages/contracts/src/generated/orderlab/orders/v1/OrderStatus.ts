// Original file: proto/orderlab/orders/v1/orders.proto

export const OrderStatus = {
  ORDER_STATUS_UNSPECIFIED: 'ORDER_STATUS_UNSPECIFIED',
  ORDER_STATUS_PENDING: 'ORDER_STATUS_PENDING',
  ORDER_STATUS_FULFILLING: 'ORDER_STATUS_FULFILLING',
  ORDER_STATUS_FULFILLED: 'ORDER_STATUS_FULFILLED',
  ORDER_STATUS_FAILED: 'ORDER_STATUS_FAILED',
} as const;

export type OrderStatus =
  | 'ORDER_STATUS_UNSPECIFIED'
  | 0
  | 'ORDER_STATUS_PENDING'
  | 1
  | 'ORDER_STATUS_FULFILLING'
  | 2
  | 'ORDER_STATUS_FULFILLED'
  | 3
  | 'ORDER_STATUS_FAILED'
  | 4

export type OrderStatus__Output = typeof OrderStatus[keyof typeof OrderStatus]
