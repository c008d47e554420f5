/**
 * Messaging spans for the lab's queues, after the OpenTelemetry messaging conventions: a
 * PRODUCER span `send <destination>` per message written (its context travels with the
 * message as a `traceparent`), a CONSUMER span `process <destination>` per message handled,
 * the child of the producer's span — one order is one trace. Written once for the Redis stream
 * and RabbitMQ (and the transports to come) so that every queue looks the same in a trace.
 *
 * `messaging.system` takes the registered values (`rabbitmq`, `kafka`); the Redis stream has
 * none registered, so it is `redis` (docs/tracing.md).
 */
import { SpanKind, SpanStatusCode, context, isSpanContextValid, trace, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';
import { activeSpanContext, contextFromTraceparent, formatTraceparent } from './trace-context.js';

const tracer = trace.getTracer('orderlab-messaging');

export type MessagingSystem = 'redis' | 'rabbitmq' | 'kafka';

export interface MessageSpanOptions {
  system: MessagingSystem;
  /** The stream, exchange or topic (send) / stream, queue or topic (process). */
  destination: string;
  /** messaging.message.id, when the message has one. */
  messageId?: string | undefined;
  /** Other attributes (e.g. messaging.rabbitmq.destination.routing_key). */
  attributes?: Attributes;
}

function messagingAttributes(operation: 'send' | 'process', options: MessageSpanOptions): Attributes {
  return {
    'messaging.system': options.system,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': options.destination,
    ...(options.messageId !== undefined ? { 'messaging.message.id': options.messageId } : {}),
    ...options.attributes,
  };
}

/** A link to the active span (e.g. the relay's poll), for a span whose parent is elsewhere. */
export function linkToActiveSpan(): Link[] {
  const spanContext = activeSpanContext();
  return spanContext === undefined ? [] : [{ context: spanContext }];
}

/**
 * Runs `send` inside a PRODUCER span whose parent is the context `parentTraceparent` names (the
 * request that wrote the message, e.g. an outbox row's) — or the active context when it is
 * undefined — linked to the span active now (the relay's own work). `send` gets the traceparent
 * the message must carry: the producer span's, or `parentTraceparent` unchanged with tracing off.
 */
export async function withProducerSpan<T>(
  options: MessageSpanOptions & { parentTraceparent?: string | null | undefined },
  send: (traceparent: string | undefined) => Promise<T>,
): Promise<T> {
  const hasParent = options.parentTraceparent !== undefined;
  const parent: Context = hasParent ? contextFromTraceparent(options.parentTraceparent) : context.active();
  const span = tracer.startSpan(
    `send ${options.destination}`,
    { kind: SpanKind.PRODUCER, attributes: messagingAttributes('send', options), links: hasParent ? linkToActiveSpan() : [] },
    parent,
  );
  // Without the SDK the span is the parent's context itself (or invalid): the message then
  // carries the stored traceparent on, unchanged.
  const spanContext = span.spanContext();
  const traceparent = isSpanContextValid(spanContext) ? formatTraceparent(spanContext) : options.parentTraceparent ?? undefined;
  return runInSpan(span, parent, () => send(traceparent));
}

/**
 * Runs `handle` inside a CONSUMER span `process <destination>`, the child of the producer's
 * span the message's `traceparent` names (a new trace when it has none): everything the handler
 * does — queries, calls, log lines — belongs to the order's trace.
 */
export async function withConsumerSpan<T>(
  options: MessageSpanOptions & { traceparent: string | null | undefined },
  handle: () => Promise<T>,
): Promise<T> {
  const parent = contextFromTraceparent(options.traceparent);
  const span = tracer.startSpan(
    `process ${options.destination}`,
    { kind: SpanKind.CONSUMER, attributes: messagingAttributes('process', options) },
    parent,
  );
  return runInSpan(span, parent, handle);
}

/** Runs fn with span active; an error marks the span failed (and is rethrown); the span always ends. */
async function runInSpan<T>(span: Span, parent: Context, fn: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
