/**
 * The AsyncAPI 3 document of `orderlab.events`, generated from the same TypeBox schemas the
 * publisher (orders) and the consumer (notifications) validate with, so it cannot drift:
 * docs/api/asyncapi.json is this function's output (`npm run api:docs`), and a test fails when
 * the committed file differs or the document is not valid AsyncAPI.
 */
import {
  DEAD_LETTER_EXCHANGE,
  EVENT_ENVELOPES,
  EVENT_HEADERS,
  EVENT_TYPES,
  EVENTS_EXCHANGE,
  NOTIFICATIONS_QUEUE,
  type EventType,
} from './events.js';
import { address } from './topology.js';

const DESCRIPTIONS: Record<EventType, string> = {
  'order.created': 'An order was accepted (written in the same transaction as the order).',
  'order.fulfilled': 'The fulfillment worker shipped the order.',
  'order.failed': 'Fulfillment gave up on the order (its request was dead-lettered).',
  'item.created': 'A product was added to the catalog.',
};

/** `order.created` → `orderCreated`. */
function camel(type: string): string {
  return type.replace(/[.-](\w)/g, (_, c: string) => c.toUpperCase());
}

/** A plain JSON copy of a TypeBox schema (drops TypeBox's non-enumerable markers). */
function json<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema)) as T;
}

const exchangeBinding = (name: string, type: 'topic' | 'fanout') => ({
  amqp: { is: 'routingKey', exchange: { name, type, durable: true, autoDelete: false, vhost: '/' }, bindingVersion: '0.3.0' },
});

/** Builds the AsyncAPI document (a plain object, ready for JSON.stringify). */
export function buildAsyncApiDocument(version = '1.0.0'): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};

  for (const type of EVENT_TYPES) {
    const name = camel(type);
    schemas[`${name}Envelope`] = json(EVENT_ENVELOPES[type]);
    messages[name] = {
      name: type,
      title: type,
      summary: DESCRIPTIONS[type],
      contentType: 'application/json',
      correlationId: { $ref: '#/components/correlationIds/requestId' },
      headers: { $ref: '#/components/schemas/EventHeaders' },
      payload: { $ref: `#/components/schemas/${name}Envelope` },
      bindings: { amqp: { contentEncoding: 'utf-8', messageType: type, bindingVersion: '0.3.0' } },
    };
    channels[name] = {
      address: type,
      title: `${EVENTS_EXCHANGE} / ${type}`,
      description: `Routing key \`${type}\` on the topic exchange \`${EVENTS_EXCHANGE}\`. ${DESCRIPTIONS[type]}`,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
      bindings: exchangeBinding(EVENTS_EXCHANGE, 'topic'),
    };
    operations[`publish${name[0]!.toUpperCase()}${name.slice(1)}`] = {
      action: 'send',
      title: `orders publishes ${type}`,
      description:
        'Published by the outbox relay of the orders service with publisher confirms and `mandatory`; ' +
        'the outbox row is marked sent only after the broker confirmed it and did not return it. ' +
        'Delivery is at least once: deduplicate on the envelope `id` (= AMQP messageId).',
      channel: { $ref: `#/channels/${name}` },
      messages: [{ $ref: `#/channels/${name}/messages/${name}` }],
      bindings: { amqp: { deliveryMode: 2, mandatory: true, timestamp: true, ack: true, bindingVersion: '0.3.0' } },
    };
  }

  const bindings = NOTIFICATIONS_QUEUE.bindings.map((pattern) => `\`${pattern}\``).join(' and ');
  channels.notificationsQueue = {
    address: NOTIFICATIONS_QUEUE.name,
    title: `queue ${NOTIFICATIONS_QUEUE.name}`,
    description:
      `Durable quorum queue of the notifications service, bound to ${bindings}, dead-lettering ` +
      `to \`${DEAD_LETTER_EXCHANGE}\` after the delivery limit or at once for invalid messages.`,
    messages: Object.fromEntries(EVENT_TYPES.map((t) => [camel(t), { $ref: `#/components/messages/${camel(t)}` }])),
    bindings: {
      amqp: {
        is: 'queue',
        queue: { name: NOTIFICATIONS_QUEUE.name, durable: true, exclusive: false, autoDelete: false, vhost: '/' },
        bindingVersion: '0.3.0',
      },
    },
  };
  operations.consumeNotifications = {
    action: 'receive',
    title: 'notifications consumes order and catalog events',
    description: 'Manual acks after the database commit, bounded prefetch, idempotent by message id.',
    channel: { $ref: '#/channels/notificationsQueue' },
    messages: EVENT_TYPES.map((t) => ({ $ref: `#/channels/notificationsQueue/messages/${camel(t)}` })),
    bindings: { amqp: { ack: true, bindingVersion: '0.3.0' } },
  };

  schemas.EventHeaders = {
    type: 'object',
    properties: {
      [EVENT_HEADERS.correlationId]: { type: 'string', description: 'The X-Request-Id of the request that caused the event (also the AMQP correlationId).' },
      [EVENT_HEADERS.idempotencyKey]: { type: 'string', description: 'The Idempotency-Key of that request, when it had one.' },
      [EVENT_HEADERS.traceparent]: { type: 'string', description: 'W3C trace context of that request, when it had one.' },
    },
    required: [EVENT_HEADERS.correlationId],
  };

  return {
    asyncapi: '3.0.0',
    id: 'urn:orderlab:events',
    info: {
      title: 'OrderLab events',
      version,
      description:
        `Domain events of OrderLab on the RabbitMQ topic exchange \`${EVENTS_EXCHANGE}\`. Every message is a JSON envelope ` +
        '`{ id, type, timestamp, source_service, data }`, persistent, with `messageId = id`, `correlationId` = the request id, ' +
        `and the headers \`${EVENT_HEADERS.correlationId}\`, \`${EVENT_HEADERS.idempotencyKey}\`, \`${EVENT_HEADERS.traceparent}\`. ` +
        'Generated from packages/contracts/src/events.ts.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: address('rabbitmq'), protocol: 'amqp', protocolVersion: '0.9.1', description: 'The native lab (vhost /).' },
    },
    channels,
    operations,
    components: {
      schemas,
      messages,
      correlationIds: {
        requestId: { description: 'The request id that joins log lines across services.', location: `$message.header#/${EVENT_HEADERS.correlationId}` },
      },
    },
  };
}
