/**
 * The event contract of `orderlab.events` (RabbitMQ topic exchange): envelope, payloads, routing
 * keys and headers. One TypeBox schema per payload is at once the publisher's and the consumer's
 * validation, their TypeScript type, and what docs/api/asyncapi.json is checked against.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { CURRENCY_PATTERN, CUSTOMER_ID_PATTERN, ORDER_LIMITS, PRODUCT_LIMITS, SKU_PATTERN } from './limits.js';

/** Topic exchange every domain event is published to. */
export const EVENTS_EXCHANGE = 'orderlab.events';
/** Dead-letter exchange of every consumer queue (fanout). */
export const DEAD_LETTER_EXCHANGE = 'orderlab.dlx';

/**
 * Both exchanges exactly as every service declares them: `channel.assertExchange(name, type, options)`
 * for each. Publisher and consumers declare them idempotently at every (re)connect; a declaration
 * with different arguments fails with PRECONDITION_FAILED, hence this single definition.
 */
export const EVENT_EXCHANGES = [
  { name: EVENTS_EXCHANGE, type: 'topic', options: { durable: true, autoDelete: false, internal: false } },
  { name: DEAD_LETTER_EXCHANGE, type: 'fanout', options: { durable: true, autoDelete: false, internal: false } },
] as const;

/** Each event type by name, for the producers that write one into the outbox. */
export const EVENT_TYPE = {
  orderCreated: 'order.created',
  orderFulfilled: 'order.fulfilled',
  orderFailed: 'order.failed',
  itemCreated: 'item.created',
} as const;

/** Routing key = event type. */
export const EVENT_TYPES = [EVENT_TYPE.orderCreated, EVENT_TYPE.orderFulfilled, EVENT_TYPE.orderFailed, EVENT_TYPE.itemCreated] as const;
/** One of EVENT_TYPES. */
export type EventType = (typeof EVENT_TYPES)[number];

/** AMQP header names (the envelope's `id` is also the AMQP messageId; the request id its correlationId). */
export const EVENT_HEADERS = {
  correlationId: 'correlation_id',
  idempotencyKey: 'idempotency_key',
  traceparent: 'traceparent',
} as const;

/**
 * The notifications service's queue (the default of its NOTIFICATIONS_QUEUE) and the routing-key
 * patterns it is bound with; dead letters go to `<name>.dead`.
 */
export const NOTIFICATIONS_QUEUE = { name: 'notifications', bindings: ['order.*', 'item.*'] } as const;

// The bounds are orders' own (limits.ts): an event carries only what orders accepted.
const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Currency = Type.String({ pattern: CURRENCY_PATTERN });
const Cents = Type.Integer({ minimum: 0 });
const PriceCents = Type.Integer({ minimum: PRODUCT_LIMITS.minPriceCents, maximum: PRODUCT_LIMITS.maxPriceCents });

/** An order as the orders service returns it. */
export const OrderEventData = Type.Object(
  {
    id: Uuid,
    customerId: Type.String({ pattern: CUSTOMER_ID_PATTERN }),
    status: Type.Union([Type.Literal('pending'), Type.Literal('fulfilling'), Type.Literal('fulfilled'), Type.Literal('failed')]),
    items: Type.Array(
      Type.Object(
        {
          productId: Uuid,
          quantity: Type.Integer({ minimum: ORDER_LIMITS.minQuantity, maximum: ORDER_LIMITS.maxQuantity }),
          unitPriceCents: PriceCents,
        },
        { additionalProperties: false },
      ),
      { minItems: ORDER_LIMITS.minItems, maxItems: ORDER_LIMITS.maxItems },
    ),
    totalCents: Cents,
    currency: Currency,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { additionalProperties: false },
);

/** `order.created`: the order as accepted. */
export const OrderCreatedData = OrderEventData;
/** `order.fulfilled`: the order, now fulfilled, with its shipment. */
export const OrderFulfilledData = Type.Object(
  { ...OrderEventData.properties, shipmentId: Type.String(), trackingNumber: Type.String() },
  { additionalProperties: false },
);
/** `order.failed`: the order, now failed, and why. */
export const OrderFailedData = Type.Object(
  { ...OrderEventData.properties, failureReason: Type.String() },
  { additionalProperties: false },
);
/** `item.created`: a product added to the catalog. */
export const ItemCreatedData = Type.Object(
  {
    id: Uuid,
    sku: Type.String({ pattern: SKU_PATTERN }),
    name: Type.String({ minLength: 1, maxLength: PRODUCT_LIMITS.maxName }),
    description: Type.String({ maxLength: PRODUCT_LIMITS.maxDescription }),
    priceCents: PriceCents,
    currency: Currency,
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);

/** The payload schema of each event type. */
export const EVENT_DATA: { readonly [K in EventType]: TSchema } = {
  'order.created': OrderCreatedData,
  'order.fulfilled': OrderFulfilledData,
  'order.failed': OrderFailedData,
  'item.created': ItemCreatedData,
};

function envelope<T extends EventType, D extends TSchema>(type: T, data: D) {
  return Type.Object(
    {
      id: Type.String({ format: 'uuid', description: 'Unique per event; consumers deduplicate on it (= AMQP messageId)' }),
      type: Type.Literal(type),
      timestamp: Type.String({ format: 'date-time', description: 'When the event was recorded (outbox row creation)' }),
      source_service: Type.String({ minLength: 1, description: 'The publishing service, e.g. orders' }),
      data,
    },
    { additionalProperties: false, title: type },
  );
}

/** The full message body of each event type: `{ id, type, timestamp, source_service, data }`. */
export const EVENT_ENVELOPES = {
  'order.created': envelope('order.created', OrderCreatedData),
  'order.fulfilled': envelope('order.fulfilled', OrderFulfilledData),
  'order.failed': envelope('order.failed', OrderFailedData),
  'item.created': envelope('item.created', ItemCreatedData),
} as const;

/** Any event body. */
export const EventEnvelope = Type.Union(Object.values(EVENT_ENVELOPES));
/** The body of one event type. */
export type EventOf<T extends EventType> = Static<(typeof EVENT_ENVELOPES)[T]>;
/**
 * Any event body, typed: a union discriminated by `type`. (Static of the Union schema above is
 * `never`, because Object.values loses the tuple of member schemas.)
 */
export type EventEnvelope = { [T in EventType]: EventOf<T> }[EventType];

/** True for a known routing key. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}
