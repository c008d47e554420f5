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
import { isValidTraceparent } from '@orderlab/contracts/formats';
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

/** A PRODUCER span in progress: the traceparent its message carries, and its end. */
export interface ProducerSpan {
  /** The producer span's traceparent — or, with tracing off, the parent's unchanged (undefined when none or malformed). */
  traceparent: string | undefined;
  /** Ends the span, failed when the message could not be delivered. */
  end(error?: Error | null): void;
}

/**
 * Starts the PRODUCER span `send <destination>` of one message. Its parent is the context
 * `parentTraceparent` names — the request that wrote the message, e.g. an outbox row's — and
 * it links the span active now (the relay's round, which sends messages of many traces); with
 * no `parentTraceparent` its parent is the active context. The message carries the returned
 * traceparent, so that its consumer's span is this span's child.
 */
export function startProducerSpan(options: MessageSpanOptions & { parentTraceparent?: string | null | undefined }): ProducerSpan {
  const hasParent = options.parentTraceparent !== undefined;
  const parent: Context = hasParent ? contextFromTraceparent(options.parentTraceparent) : context.active();
  const span = tracer.startSpan(
    `send ${options.destination}`,
    { kind: SpanKind.PRODUCER, attributes: messagingAttributes('send', options), links: hasParent ? linkToActiveSpan() : [] },
    parent,
  );
  // Without the SDK the span is the parent's context itself (or invalid): the message then
  // carries the stored traceparent on, unchanged — when it is one (only a well-formed
  // traceparent is ever passed on, as with tracing on).
  const spanContext = span.spanContext();
  return {
    traceparent: isSpanContextValid(spanContext) ? formatTraceparent(spanContext) : isValidTraceparent(options.parentTraceparent) ? options.parentTraceparent : undefined,
    end(error) {
      if (error) failed(span, error);
      span.end();
    },
  };
}

/** The CONSUMER span of the message being handled. */
export interface ConsumerSpan {
  /** Marks the handling failed (the message goes back, or to the dead letters): `reason` says why. */
  fail(reason: string): void;
}

/**
 * Runs `handle` inside a CONSUMER span `process <destination>`, the child of the producer's
 * span the message's `traceparent` names (a new trace when it has none): everything the handler
 * does — queries, calls, log lines — belongs to the order's trace.
 */
export async function withConsumerSpan<T>(
  options: MessageSpanOptions & { traceparent: string | null | undefined },
  handle: (span: ConsumerSpan) => Promise<T>,
): Promise<T> {
  const parent = contextFromTraceparent(options.traceparent);
  const span = tracer.startSpan(
    `process ${options.destination}`,
    { kind: SpanKind.CONSUMER, attributes: messagingAttributes('process', options) },
    parent,
  );
  const consumerSpan: ConsumerSpan = { fail: (reason) => span.setStatus({ code: SpanStatusCode.ERROR, message: reason }) };
  return runInSpan(span, parent, () => handle(consumerSpan));
}

/** Runs fn with span active; an error marks the span failed (and is rethrown); the span always ends. */
async function runInSpan<T>(span: Span, parent: Context, fn: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (err) {
    failed(span, err as Error);
    throw err;
  } finally {
    span.end();
  }
}

function failed(span: Span, error: Error): void {
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
