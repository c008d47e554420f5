/**
 * The events relay: moves `events` outbox rows to the RabbitMQ topic exchange `orderlab.events`
 * (routing key = event type) and marks them sent.
 *
 * One round, in one transaction, like the fulfillment relay (outbox-relay.ts), with whose claiming,
 * backoff and scheduling it shares code: claim a batch with FOR UPDATE SKIP LOCKED (several relays
 * share the work), publish every row on the confirm channel, wait (bounded) for the confirms, then
 * mark sent exactly the rows that were confirmed and not returned, and give the others an
 * exponential backoff. Delivery is at least once: a crash between the confirm and COMMIT, or a
 * confirm that arrives after the deadline, sends a row again; consumers deduplicate on messageId.
 *
 * While RabbitMQ is unreachable (or blocks publishers) the relay claims nothing: rows simply wait,
 * with no attempts counted, and the publisher wakes the relay when it is ready again.
 */
import { EVENT_ENVELOPES, EVENT_HEADERS, EVENTS_EXCHANGE, isEventType, type EventEnvelope } from '@orderlab/contracts';
import { NO_METRICS, secondsSince } from '@orderlab/platform/metrics';
import { inSpan, startProducerSpan } from '@orderlab/platform/tracing';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { Compile } from 'typebox/compile';
import { inTransaction } from './database.js';
import type { EventPublisher, OutgoingEvent } from './event-publisher.js';
import { sendRecorder } from './orders-metrics.js';
import { claimOutboxRows, retryParams, retrySql, type ClaimedOutboxRow, type FailedDelivery } from './outbox-store.js';
import { buildRelayLoop, type Relay, type RelayOptions, type RelayRound } from './relay-loop.js';
import { throttledWarn } from './throttled-log.js';

/** The `source_service` of every event this service publishes (also its AMQP appId). */
export const SOURCE_SERVICE = 'orders';

/**
 * Next attempt of a row whose event does not match the contract. That is a bug (the writer and
 * the contract disagree): retrying soon cannot help, but the row is kept, not dropped, so it can
 * be published after a fix (reset its next_attempt_at).
 */
export const INVALID_EVENT_BACKOFF_MS = 60 * 60 * 1000;

export interface EventRelayOptions extends RelayOptions {
  publisher: EventPublisher;
}

/** The running events relay (its stop waits for the current batch's confirms, a bounded wait). */
export type EventRelay = Relay;

/** An `events` outbox row as the relay claims it. */
export interface EventRow extends ClaimedOutboxRow {
  type: string;
  payload: unknown;
  request_id: string | null;
  traceparent: string | null;
  idempotency_key: string | null;
  created_at: Date;
}

const validators = Object.fromEntries(
  Object.entries(EVENT_ENVELOPES).map(([type, schema]) => [type, Compile(schema)]),
) as Partial<Record<keyof typeof EVENT_ENVELOPES, ReturnType<typeof Compile>>>;

/**
 * The AMQP message of an outbox row, validated against the event contract; an Error describes
 * why a row cannot be published.
 */
export function toOutgoingEvent(row: EventRow): OutgoingEvent | Error {
  if (!isEventType(row.type)) return new Error(`invalid event: unknown type ${JSON.stringify(row.type)}`);
  const envelope = {
    id: row.id,
    type: row.type,
    timestamp: row.created_at.toISOString(),
    source_service: SOURCE_SERVICE,
    data: row.payload,
  } as EventEnvelope;
  const validator = validators[row.type];
  if (!validator?.Check(envelope)) {
    const [first] = validator ? [...validator.Errors(envelope)] : [];
    return new Error(`invalid event: ${first ? `${first.instancePath || '/'} ${first.message}` : 'no schema'}`);
  }
  const headers: Record<string, string> = {};
  if (row.request_id) headers[EVENT_HEADERS.correlationId] = row.request_id;
  if (row.idempotency_key) headers[EVENT_HEADERS.idempotencyKey] = row.idempotency_key;
  if (row.traceparent) headers[EVENT_HEADERS.traceparent] = row.traceparent;
  return {
    routingKey: row.type,
    body: Buffer.from(JSON.stringify(envelope)),
    properties: {
      messageId: row.id,
      ...(row.request_id ? { correlationId: row.request_id } : {}),
      persistent: true,
      contentType: 'application/json',
      type: row.type,
      appId: SOURCE_SERVICE,
      // AMQP timestamps are whole seconds; the envelope carries the precise one.
      timestamp: Math.floor(row.created_at.getTime() / 1000),
      headers,
    },
  };
}

const SETTLE_SQL = `
  WITH sent AS (
    UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL
     WHERE id = ANY($1::uuid[])
  )
  ${retrySql('$2', '$3', '$4')}`;

/** Builds the relay; nothing runs until start(). */
export function buildEventRelay(options: EventRelayOptions): EventRelay {
  const { pool, publisher, batchSize, maxBackoffMs, random = Math.random } = options;
  const log = options.logger.child({ component: 'event-relay' });
  const warn = throttledWarn(log);
  const recordSend = sendRecorder(options.metrics ?? NO_METRICS, 'rabbitmq', EVENTS_EXCHANGE);
  let waitingLogged = false;

  async function round(): Promise<RelayRound> {
    // Idle while disconnected: claiming rows that cannot be published would only count attempts.
    if (!publisher.isReady()) {
      if (!waitingLogged) log.info('events relay waiting for RabbitMQ');
      waitingLogged = true;
      return { claimed: 0, delivered: 0, failed: 0 };
    }
    waitingLogged = false;
    const result = await inTransaction(pool, async (client) => {
      const rows = await claimOutboxRows<EventRow>(
        client, 'events', batchSize, 'id, type, payload, request_id, traceparent, idempotency_key, created_at, attempts',
      );
      if (rows.length === 0) return { claimed: 0, delivered: 0, failed: 0 };
      return inSpan('events relay round', { 'orderlab.outbox.claimed': rows.length }, () => deliver(client, rows));
    });
    if (result.claimed > 0) log.debug(result, 'events round');
    return result;
  }

  /** Publishes claimed rows and settles them in the round's transaction (the round's span is active). */
  async function deliver(client: pg.PoolClient, rows: EventRow[]): Promise<RelayRound> {
    const failures: FailedDelivery[] = [];
    const publishable: { row: EventRow; message: OutgoingEvent }[] = [];
    for (const row of rows) {
      const message = toOutgoingEvent(row);
      if (message instanceof Error) {
        log.error({ err: message, outboxId: row.id, type: row.type, request_id: row.request_id ?? undefined }, 'event does not match its contract; not published');
        failures.push({ row, error: message, delayMs: INVALID_EVENT_BACKOFF_MS });
      } else {
        publishable.push({ row, message });
      }
    }
    // Each message: a producer span in the trace of the request that wrote its row; its
    // traceparent header is that span's, so the consumer's span is its child.
    const spans = publishable.map(({ row, message }) => {
      const span = startProducerSpan({
        system: 'rabbitmq',
        destination: EVENTS_EXCHANGE,
        parentTraceparent: row.traceparent,
        messageId: row.id,
        attributes: { 'messaging.rabbitmq.destination.routing_key': message.routingKey },
      });
      if (span.traceparent !== undefined) (message.properties.headers as Record<string, string>)[EVENT_HEADERS.traceparent] = span.traceparent;
      return span;
    });
    const started = performance.now();
    const errors = await publisher.publishBatch(publishable.map(({ message }) => message));
    recordSend(errors, secondsSince(started));
    spans.forEach((span, i) => span.end(errors[i]));
    const sent: string[] = [];
    for (const [i, { row }] of publishable.entries()) {
      const error = errors[i];
      if (error) failures.push({ row, error });
      else sent.push(row.id);
    }
    await client.query(SETTLE_SQL, [sent, ...retryParams(failures, maxBackoffMs, random)]);
    const undelivered = failures.find(({ delayMs }) => delayMs === undefined);
    if (undelivered) warn(undelivered.error, 'events not delivered; will retry with backoff');
    return { claimed: rows.length, delivered: sent.length, failed: failures.length };
  }

  return buildRelayLoop({ name: 'events relay', logger: log, batchSize, pollIntervalMs: options.pollIntervalMs, round });
}
