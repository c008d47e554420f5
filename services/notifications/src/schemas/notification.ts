/** REST shapes of notifications: validation, TypeScript types and the OpenAPI document at once. */
import { EVENT_TYPES } from '@orderlab/contracts';
import { pageQuerySchema, pageSchema, requestIdHeader, TimestampSchema, UuidSchema } from '@orderlab/platform';
import Type, { type Static } from 'typebox';

const nullable = <T extends object>(schema: T, description: string) =>
  Type.Unsafe<string | null>({ ...schema, type: ['string', 'null'], description });

/** One notification, as the API returns it. */
export const Notification = Type.Object(
  {
    id: UuidSchema,
    type: Type.Enum([...EVENT_TYPES], { type: 'string', description: 'The event type (= routing key)' }),
    orderId: nullable({ format: 'uuid' }, 'The order, for order events; null for catalog events'),
    customerId: nullable({}, 'The customer of the order; null for catalog events'),
    productId: nullable({ format: 'uuid' }, 'The product, for catalog events; null for order events'),
    message: Type.String({ description: 'What happened, as one sentence', examples: ['Order 6f… for cust-0001 was placed: 3 items, $12.34'] }),
    requestId: nullable({}, 'The request id that caused the event (its correlation_id), to find its log lines'),
    createdAt: TimestampSchema,
  },
  { title: 'Notification', additionalProperties: false },
);
export type Notification = Static<typeof Notification>;

/** One page of notifications, newest first. */
export const NotificationPage = pageSchema(Notification, 'NotificationPage');
export type NotificationPage = Static<typeof NotificationPage>;

/** Query of GET /api/v1/notifications; unknown parameters are rejected. */
export const ListNotificationsQuery = pageQuerySchema({
  orderId: Type.Optional(Type.String({ format: 'uuid', description: "Only this order's notifications" })),
});

/** Request headers of every route (a bad X-Request-Id is replaced, never rejected). */
export const ReadHeaders = Type.Object(requestIdHeader);
