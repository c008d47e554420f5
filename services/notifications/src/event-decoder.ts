/**
 * Turns one AMQP delivery into a typed event, or says why it is not one. No I/O: the consumer
 * dead-letters whatever this rejects, so every check here is about the message itself.
 */
import { EVENT_ENVELOPES, EVENT_HEADERS, isEventType, type EventEnvelope } from '@orderlab/contracts';
import { isValidRequestId } from '@orderlab/platform';
import { Compile } from 'typebox/compile';

/** The parts of a delivery the decoder looks at (amqplib's message, minus the channel). */
export interface Delivery {
  content: Buffer;
  routingKey: string;
  messageId?: unknown;
  correlationId?: unknown;
  headers?: Record<string, unknown> | undefined;
}

/** A valid event and the request id that caused it (null when the publisher sent none). */
export interface DecodedEvent {
  event: EventEnvelope;
  requestId: string | null;
}

/** The outcome of decoding: an event, or the reason it is poison. */
export type DecodeResult = { ok: true; value: DecodedEvent } | { ok: false; reason: string };

/** Larger bodies are refused before parsing; the biggest real event (a 50-line order) is ~6 KiB. */
export const MAX_EVENT_BYTES = 256 * 1024;

const validators = Object.fromEntries(
  Object.entries(EVENT_ENVELOPES).map(([type, schema]) => [type, Compile(schema)]),
) as Record<keyof typeof EVENT_ENVELOPES, ReturnType<typeof Compile>>;

const fail = (reason: string): DecodeResult => ({ ok: false, reason });

/** Validates a delivery against the event contract (EVENT_ENVELOPES of @orderlab/contracts). */
export function decodeDelivery(delivery: Delivery): DecodeResult {
  if (delivery.content.length > MAX_EVENT_BYTES) return fail(`body of ${delivery.content.length} bytes exceeds ${MAX_EVENT_BYTES}`);
  let body: unknown;
  try {
    body = JSON.parse(delivery.content.toString('utf8'));
  } catch {
    return fail('body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('body is not a JSON object');
  const type = (body as { type?: unknown }).type;
  if (!isEventType(type)) return fail(`unknown event type ${JSON.stringify(type)}`);
  if (delivery.routingKey !== type) return fail(`routing key "${delivery.routingKey}" does not match type "${type}"`);

  const validator = validators[type];
  if (!validator.Check(body)) {
    const [first] = validator.Errors(body);
    return fail(`invalid ${type}: ${first ? `${first.instancePath || '/'} ${first.message}` : 'does not match the schema'}`);
  }
  const event = body as EventEnvelope;
  if (delivery.messageId !== event.id) {
    return fail(`messageId ${JSON.stringify(delivery.messageId ?? null)} does not match the envelope id ${event.id}`);
  }
  return { ok: true, value: { event, requestId: requestIdOf(delivery) } };
}

/**
 * The request id that joins this event's log lines to the request that caused it: the
 * `correlation_id` header, else the AMQP correlationId; only if it is a sane id (it is logged
 * and stored), otherwise none. A missing correlation id is not a reason to refuse an event.
 */
export function requestIdOf(delivery: Pick<Delivery, 'headers' | 'correlationId'>): string | null {
  for (const candidate of [delivery.headers?.[EVENT_HEADERS.correlationId], delivery.correlationId]) {
    const value = Buffer.isBuffer(candidate) ? candidate.toString('utf8') : candidate;
    if (isValidRequestId(value)) return value;
  }
  return null;
}
