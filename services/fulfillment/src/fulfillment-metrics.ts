/**
 * The fulfillment worker's metrics (docs/metrics.md, "fulfillment"): what the consumer does with
 * each delivery, and the stream's backlog read from Redis on scrape.
 */
import { FULFILLMENT_STREAMS } from '@orderlab/contracts/fulfillment-requests';
import { messagingConsumerMetrics, NO_METRICS, registerSnapshotGauges, type ServiceMetrics } from '@orderlab/platform/metrics';
import type { Redis } from 'ioredis';
import { CONSUMER_GROUP, type StreamKeys } from './fulfillment-stream.js';

/** messaging_destination_name of the stream (without the key prefix, so every lab reads alike). */
export const DESTINATION = FULFILLMENT_STREAMS.requests;

/** How processing one delivery ended, as error_type: empty on success. */
export type ProcessErrorType = '' | 'invalid' | 'failed';

/** What the consumer reports; every method is a no-op when metrics are off. */
export interface ConsumerMetrics {
  /** A delivery arrived (deliveries > 1: a reclaim or a retry). */
  consumed(deliveries: number): void;
  processed(errorType: ProcessErrorType, seconds: number): void;
  deadLettered(): void;
}

/** The platform's consumer metrics for the stream; a delivery after the first counts as redelivered. */
export function consumerMetrics(metrics: ServiceMetrics = NO_METRICS): ConsumerMetrics {
  const consumer = messagingConsumerMetrics('redis', DESTINATION, metrics);
  return { ...consumer, consumed: (deliveries) => consumer.consumed(deliveries > 1) };
}

/** Milliseconds since the epoch of a stream id (`1700000000000-0`). */
function idTime(id: string): number {
  return Number(id.split('-')[0]);
}

/**
 * orderlab_queue_messages{state=lag|pending|dead} and orderlab_queue_oldest_message_age_seconds,
 * read on scrape with XINFO GROUPS, XLEN, XPENDING and XRANGE (each O(1) or O(log n)): four quick
 * commands per scrape.
 */
export function registerQueueGauges(metrics: ServiceMetrics, { redis, keys, now = Date.now }: { redis: Redis; keys: StreamKeys; now?: () => number }): void {
  interface Snapshot { lag: number; pending: number; dead: number; oldestAgeSeconds: number }

  async function read(): Promise<Snapshot | undefined> {
    // A scrape while Redis is down shows no queue series rather than failing or waiting.
    if (redis.status !== 'ready') return undefined;
    const groups = (await redis.xinfo('GROUPS', keys.requests).catch(() => [])) as unknown[][];
    const group = groups.map(toRecord).find((g) => g.name === CONSUMER_GROUP);
    const dead = await redis.xlen(keys.dead);
    if (!group) return { lag: 0, pending: 0, dead, oldestAgeSeconds: 0 };
    const pending = Number(group.pending ?? 0);
    const lastDelivered = typeof group['last-delivered-id'] === 'string' ? group['last-delivered-id'] : '0-0';
    // lag is null when Redis cannot tell (e.g. after entries were deleted); then count what is left.
    const lag = group.lag === null || group.lag === undefined
      ? (await redis.xrange(keys.requests, `(${lastDelivered}`, '+')).length
      : Number(group.lag);
    const times: number[] = [];
    if (pending > 0) {
      const summary = (await redis.xpending(keys.requests, CONSUMER_GROUP)) as [number, string | null, string | null, unknown];
      if (summary[1]) times.push(idTime(summary[1]));
    }
    if (lag > 0) {
      const [first] = await redis.xrange(keys.requests, `(${lastDelivered}`, '+', 'COUNT', 1);
      if (first) times.push(idTime(first[0]));
    }
    const oldest = times.length > 0 ? Math.min(...times) : undefined;
    return { lag, pending, dead, oldestAgeSeconds: oldest === undefined ? 0 : Math.max(0, (now() - oldest) / 1000) };
  }

  const destination = { messaging_destination_name: DESTINATION };
  registerSnapshotGauges<Snapshot>(metrics, read, [
    {
      name: 'orderlab_queue_messages',
      help: 'Messages of the stream: lag (not yet delivered to the group), pending (delivered, not acked), dead (dead-letter stream length).',
      labelNames: ['messaging_destination_name', 'state'],
      show(gauge, s) {
        for (const state of ['lag', 'pending', 'dead'] as const) gauge.set({ ...destination, state }, s[state]);
      },
    },
    {
      name: 'orderlab_queue_oldest_message_age_seconds',
      help: 'Age of the oldest pending or undelivered entry (0 when none).',
      labelNames: ['messaging_destination_name'],
      show: (gauge, s) => gauge.set(destination, s.oldestAgeSeconds),
    },
  ]);
}

function toRecord(flat: unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = flat[i + 1];
  return record;
}
