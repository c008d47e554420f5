/**
 * The at-least-once consumer of the notifications queue: manual
 * acks after the database commit, bounded prefetch, poison messages dead-lettered at once,
 * failing ones requeued after a backoff until the queue's delivery limit dead-letters them,
 * and a drain on shutdown (cancel, finish and settle what is in flight, then close).
 *
 * connectRabbitMq runs `setup` after every (re)connect: channels of an earlier connection are
 * dead by then, so the channel, the topology and the consumer are all made there.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { settleWithin, type Logger } from '@orderlab/platform';
import { messagingConsumerMetrics, NO_METRICS, secondsSince, type ServiceMetrics } from '@orderlab/platform/metrics';
import { withConsumerSpan, type ConsumerSpan } from '@orderlab/platform/tracing';
import { EVENT_HEADERS } from '@orderlab/contracts/events';
import { performance } from 'node:perf_hooks';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { decodeDelivery, requestIdOf, type DecodedEvent, type Delivery } from './event-decoder.js';
import { declareTopology } from './event-topology.js';
import type { StoreResult } from './notification-repository.js';
import { deliveryCountOf, settle, type Outcome, type Settlement } from './settlement.js';

/** Does the work for one valid event; throws when it could not (the message is retried). */
export type EventHandler = (decoded: DecodedEvent, delivery: { redelivered: boolean }, log: Logger) => Promise<StoreResult>;

export interface EventConsumerOptions {
  queue: string;
  prefetch: number;
  deliveryLimit: number;
  retryDelayMs: number;
  handle: EventHandler;
  logger: Logger;
  /** Consumed, processed, redelivered, dead-lettered and stored messages. */
  metrics?: ServiceMetrics;
}

/** The consumer: its setup goes to connectRabbitMq; stop() drains it. */
export interface EventConsumer {
  /** Declares the topology, opens the channel and starts consuming (after every (re)connect); passed on unbound. */
  setup: (model: ChannelModel) => Promise<void>;
  /** True while a consumer is registered with the broker and stop() has not been called. */
  isActive(): boolean;
  /** Messages being processed or waiting to be settled. */
  inFlight(): number;
  /**
   * Cancels the consumer, waits up to timeoutMs for the messages in flight to be settled, then
   * closes the channel (anything still unsettled goes back to the queue with it).
   */
  stop(timeoutMs: number): Promise<void>;
}

/** Builds the consumer; nothing happens until connectRabbitMq calls setup. */
export function buildEventConsumer(options: EventConsumerOptions): EventConsumer {
  const { queue, prefetch, deliveryLimit, handle } = options;
  const log = options.logger.child({ component: 'event-consumer', queue });
  const record = consumerMetrics(options.metrics ?? NO_METRICS, queue);
  const policy = { baseDelayMs: options.retryDelayMs, deliveryLimit };
  const inFlight = new Set<Promise<void>>();
  // Cuts the backoff of failed messages short on shutdown, so they go back to the queue at once.
  const stopping = new AbortController();
  let current: { channel: Channel; consumerTag: string } | undefined;

  /**
   * Handles one message in a consumer span, the child of the relay's producer span its
   * `traceparent` header names: the order's trace goes on through notifications.
   */
  async function handleDelivery(channel: Channel, msg: ConsumeMessage): Promise<void> {
    const headers = msg.properties.headers;
    const traceparent: unknown = headers?.[EVENT_HEADERS.traceparent];
    const messageId: unknown = msg.properties.messageId;
    await withConsumerSpan(
      {
        system: 'rabbitmq',
        destination: queue,
        traceparent: typeof traceparent === 'string' ? traceparent : undefined,
        messageId: typeof messageId === 'string' ? messageId : undefined,
      },
      (span) => processDelivery(channel, msg, span),
    );
  }

  async function processDelivery(channel: Channel, msg: ConsumeMessage, span: ConsumerSpan): Promise<void> {
    const { properties, fields } = msg;
    // amqplib types messageId and correlationId as any; Delivery says what we know: unknown.
    const delivery: Delivery = {
      content: msg.content,
      routingKey: fields.routingKey,
      messageId: properties.messageId,
      correlationId: properties.correlationId,
      headers: properties.headers,
    };
    const started = performance.now();
    record.consumed(fields.redelivered);
    const decoded = decodeDelivery(delivery);
    const requestId = requestIdOf(delivery);
    const msgLog = log.child({
      ...(requestId === null ? {} : { request_id: requestId }),
      message_id: typeof properties.messageId === 'string' ? properties.messageId : null,
      type: decoded.ok ? decoded.value.event.type : fields.routingKey,
    });

    let outcome: Outcome;
    if (!decoded.ok) {
      outcome = { kind: 'poison', reason: decoded.reason };
    } else {
      try {
        outcome = { kind: await handle(decoded.value, { redelivered: fields.redelivered }, msgLog) };
      } catch (error) {
        outcome = { kind: 'failed', error };
      }
    }
    const deliveryCount = deliveryCountOf(properties.headers);
    const settlement = settle(outcome, deliveryCount, policy);
    if (outcome.kind === 'failed' || outcome.kind === 'poison') span.fail(outcome.kind);
    report(msgLog, outcome, settlement, { redelivered: fields.redelivered, deliveryCount });
    record.processed(outcome, settlement, decoded.ok ? decoded.value.event.type : undefined, secondsSince(started));
    await apply(channel, msg, settlement, msgLog);
  }

  async function apply(channel: Channel, msg: ConsumeMessage, settlement: Settlement, msgLog: Logger): Promise<void> {
    if (settlement.action === 'requeue' && settlement.delayMs > 0 && !stopping.signal.aborted) {
      await sleep(settlement.delayMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
    try {
      if (settlement.action === 'ack') channel.ack(msg);
      // basic.reject, not nack: from RabbitMQ 4.3 only reject (and crashes) count towards the delivery limit.
      else channel.reject(msg, settlement.action === 'requeue');
    } catch (err) {
      // The channel closed meanwhile (connection lost): the broker requeues the message itself
      // and redelivers it with `redelivered` set; the processed-message table absorbs the repeat.
      msgLog.warn({ err }, 'channel closed before the message was settled; the broker will redeliver it');
    }
  }

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  async function drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    // Deliveries that were on the wire when the cancel went out still arrive and join the set.
    while (inFlight.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await settleWithin(Promise.allSettled([...inFlight]), left);
    }
    return true;
  }

  return {
    async setup(model) {
      const channel = await model.createChannel();
      channel.on('error', (err: Error) => log.warn({ err }, 'consumer channel error'));
      channel.on('close', () => {
        if (current?.channel === channel) current = undefined;
        if (stopping.signal.aborted) return;
        // A channel can die while its connection lives on (a channel error, a deleted queue);
        // only a new setup consumes again, so close the connection and let recovery run it.
        log.warn('consumer channel closed; reconnecting');
        model.close().catch(() => undefined);
      });
      try {
        await declareTopology(channel, { queue, deliveryLimit });
      } catch (err) {
        log.error({ err }, 'declaring the RabbitMQ topology failed (an existing queue with other arguments needs a policy or re-creation)');
        throw err;
      }
      if (stopping.signal.aborted) {
        await channel.close().catch(() => undefined);
        return;
      }
      await channel.prefetch(prefetch);
      const { consumerTag } = await channel.consume(
        queue,
        (msg) => {
          if (msg === null) {
            // basic.cancel from the broker: the queue was deleted or its leader went away.
            log.warn('the broker cancelled the consumer; reconnecting to consume again');
            if (!stopping.signal.aborted) model.close().catch(() => undefined);
            return;
          }
          track(
            handleDelivery(channel, msg).catch((err: unknown) => {
              // A bug, not the message's fault: return it (counted towards the delivery limit) rather than hold it forever.
              log.error({ err }, 'unexpected error while handling a message; requeueing it');
              try {
                channel.reject(msg, true);
              } catch {
                // The channel is gone, and the message went back with it.
              }
            }),
          );
        },
        { noAck: false },
      );
      current = { channel, consumerTag };
      log.info({ prefetch, consumer_tag: consumerTag }, 'consuming');
    },

    isActive: () => current !== undefined && !stopping.signal.aborted,

    inFlight: () => inFlight.size,

    async stop(timeoutMs) {
      const consumer = current;
      stopping.abort();
      if (consumer) {
        await consumer.channel.cancel(consumer.consumerTag).catch((err: unknown) => log.debug({ err }, 'cancelling the consumer'));
        log.info({ in_flight: inFlight.size }, 'consumer cancelled; settling the messages in flight');
      }
      const pending = inFlight.size;
      if (await drain(timeoutMs)) {
        log.info({ settled: pending }, 'consumer stopped; every message in flight was settled');
      } else {
        log.warn({ in_flight: inFlight.size }, 'shutdown deadline passed with messages in flight; the broker will redeliver them');
      }
      if (consumer) await consumer.channel.close().catch(() => undefined);
    },
  };
}

/** The consumer's metrics (docs/metrics.md, "notifications"); no-ops when metrics are off. */
function consumerMetrics(metrics: ServiceMetrics, queue: string) {
  const consumer = messagingConsumerMetrics('rabbitmq', queue, metrics);
  const stored = metrics.counter({
    name: 'orderlab_notifications_stored_total',
    help: 'Events handled, by type and result (stored, or duplicate of an event already stored).',
    labelNames: ['event_type', 'result'],
  });
  return {
    consumed: (wasRedelivered: boolean) => consumer.consumed(wasRedelivered),
    processed(outcome: Outcome, settlement: Settlement, eventType: string | undefined, seconds: number) {
      // A duplicate is a success: the notification exists.
      const errorType = outcome.kind === 'poison' ? 'invalid' : outcome.kind === 'failed' ? 'failed' : '';
      consumer.processed(errorType, seconds);
      if (settlement.action === 'dead-letter' || (settlement.action === 'requeue' && settlement.lastAttempt)) consumer.deadLettered();
      if ((outcome.kind === 'stored' || outcome.kind === 'duplicate') && eventType !== undefined) {
        stored.inc({ event_type: eventType, result: outcome.kind });
      }
    },
  };
}

function report(log: Logger, outcome: Outcome, settlement: Settlement, context: { redelivered: boolean; deliveryCount: number }): void {
  switch (outcome.kind) {
    case 'stored':
      log.info({ redelivered: context.redelivered }, 'notification stored');
      return;
    case 'duplicate':
      log.info({ redelivered: context.redelivered }, 'duplicate message skipped');
      return;
    case 'poison':
      log.warn({ reason: outcome.reason, redelivered: context.redelivered }, 'invalid message dead-lettered');
      return;
    case 'failed':
      if (settlement.action === 'requeue' && settlement.lastAttempt) {
        log.error({ err: outcome.error, delivery_count: context.deliveryCount }, 'message processing failed at the delivery limit; dead-lettering');
      } else {
        const retryInMs = settlement.action === 'requeue' ? settlement.delayMs : 0;
        log.warn({ err: outcome.error, delivery_count: context.deliveryCount, retry_in_ms: retryInMs }, 'message processing failed; requeueing');
      }
  }
}
