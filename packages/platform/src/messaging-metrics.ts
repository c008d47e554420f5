/**
 * What a message consumer did with each delivery (docs/metrics.md, "fulfillment" and
 * "notifications"): the same four instruments for a Redis stream and a RabbitMQ queue.
 */
import { DURATION_BUCKETS, NO_METRICS, sampledSpan, type ServiceMetrics } from './metrics.js';

/** What a consumer reports; every method is a no-op when metrics are off. */
export interface MessagingConsumerMetrics {
  /** A delivery arrived; redelivered when it is not its message's first (a reclaim, a retry, a broker redelivery). */
  consumed(redelivered: boolean): void;
  /**
   * One delivery was processed in seconds; errorType is empty on success. Call it inside the
   * delivery's consumer span: that span, when sampled, becomes the observation's exemplar.
   */
  processed(errorType: string, seconds: number): void;
  /** A message was moved to the dead-letter destination. */
  deadLettered(): void;
}

/**
 * messaging_client_consumed_messages_total, messaging_process_duration_seconds (semantic
 * conventions) and orderlab_messaging_redelivered_messages_total,
 * orderlab_messaging_dead_lettered_messages_total (the lab's: the conventions have none) for one
 * destination.
 */
export function messagingConsumerMetrics(system: 'redis' | 'rabbitmq', destination: string, metrics: ServiceMetrics = NO_METRICS): MessagingConsumerMetrics {
  const base = { messaging_system: system, messaging_destination_name: destination };
  const labelNames = ['messaging_system', 'messaging_destination_name'] as const;
  const consumed = metrics.counter({ name: 'messaging_client_consumed_messages_total', help: 'Deliveries received.', labelNames });
  const redelivered = metrics.counter({
    name: 'orderlab_messaging_redelivered_messages_total',
    help: 'Deliveries after the first of their message (reclaimed from a dead consumer, retried, or flagged redelivered by the broker).',
    labelNames,
  });
  const deadLettered = metrics.counter({
    name: 'orderlab_messaging_dead_lettered_messages_total',
    help: 'Messages moved to the dead-letter destination (invalid ones at once, failing ones at the delivery limit).',
    labelNames,
  });
  const duration = metrics.histogram({
    name: 'messaging_process_duration_seconds',
    help: 'Duration of processing one delivery, until its settlement was decided (acked, dead-lettered, or left for another delivery).',
    labelNames: [...labelNames, 'error_type'],
    buckets: DURATION_BUCKETS,
  });
  return {
    consumed(wasRedelivered) {
      consumed.inc(base);
      if (wasRedelivered) redelivered.inc(base);
    },
    processed: (errorType, seconds) => duration.observe({ ...base, error_type: errorType }, seconds, sampledSpan()),
    deadLettered: () => deadLettered.inc(base),
  };
}
