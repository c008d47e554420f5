/**
 * The RabbitMQ objects this service relies on, declared idempotently after every (re)connect:
 * the two exchanges exactly as the contract defines them, the consumer's quorum queue bound as
 * the contract says (NOTIFICATIONS_QUEUE) and the dead-letter queue beside it.
 */
import { DEAD_LETTER_EXCHANGE, EVENT_EXCHANGES, EVENTS_EXCHANGE, NOTIFICATIONS_QUEUE } from '@orderlab/contracts';
import type { Channel, Options } from 'amqplib';

/** Dead letters kept for inspection; past this the oldest are dropped (alert on the count). */
export const DEAD_LETTER_MAX_LENGTH = 100_000;

export interface TopologyOptions {
  queue: string;
  deliveryLimit: number;
}

/** The dead-letter queue of a consumer queue: `<queue>.dead`. */
export function deadLetterQueueOf(queue: string): string {
  return `${queue}.dead`;
}

/**
 * The consumer queue's arguments. Quorum: replicated, and it counts deliveries, so a message
 * that keeps failing is dead-lettered after `x-delivery-limit` returns (3.10 has no default).
 * Dead-lettering is at-least-once, which RabbitMQ only honours with `reject-publish` overflow
 * (with the default drop-head it silently falls back to at-most-once).
 */
export function queueArguments({ deliveryLimit }: Pick<TopologyOptions, 'deliveryLimit'>): Options.AssertQueue {
  return {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
      'x-delivery-limit': deliveryLimit,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    },
  };
}

/**
 * The dead-letter queue is a quorum queue too: a dead letter is the one copy someone must look
 * at, so it gets the same replication as the queue it came from, and at-least-once
 * dead-lettering settles only once it is stored there. It has no consumer and no delivery limit.
 */
export const DEAD_LETTER_QUEUE_OPTIONS: Options.AssertQueue = {
  durable: true,
  arguments: { 'x-queue-type': 'quorum', 'x-max-length': DEAD_LETTER_MAX_LENGTH },
};

/**
 * Declares everything; a declaration that differs from what the broker has (say, another
 * delivery limit) fails with PRECONDITION_FAILED and closes the channel.
 */
export async function declareTopology(channel: Channel, { queue, deliveryLimit }: TopologyOptions): Promise<void> {
  for (const { name, type, options } of EVENT_EXCHANGES) await channel.assertExchange(name, type, options);
  const deadLetters = deadLetterQueueOf(queue);
  await channel.assertQueue(deadLetters, DEAD_LETTER_QUEUE_OPTIONS);
  // orderlab.dlx is a fanout shared by every consumer queue: x-first-death-queue says where a dead letter came from.
  await channel.bindQueue(deadLetters, DEAD_LETTER_EXCHANGE, '');
  await channel.assertQueue(queue, queueArguments({ deliveryLimit }));
  for (const pattern of NOTIFICATIONS_QUEUE.bindings) await channel.bindQueue(queue, EVENTS_EXCHANGE, pattern);
}
