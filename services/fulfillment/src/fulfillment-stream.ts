/**
 * The Redis side of the worker: the `fulfillment:requests` stream read through the consumer
 * group `fulfillment`, and the `fulfillment:dead` stream (FULFILLMENT_STREAMS of
 * @orderlab/contracts; keys in docs/configuration.md).
 */
import { FULFILLMENT_STREAMS } from '@orderlab/contracts/fulfillment-requests';
import type { Redis } from 'ioredis';
import type { StreamEntry } from './fulfillment-request.js';
import { parseAutoClaimReply, parsePendingReply, parseReadGroupReply, type AutoClaimReply } from './stream-replies.js';

/** The consumer group every fulfillment worker joins. */
export const CONSUMER_GROUP = 'fulfillment';

/** Approximate cap of the dead-letter stream, so a flood of poison messages cannot fill Redis. */
export const DEAD_LETTER_MAXLEN = 10_000;

/** The stream keys behind REDIS_KEY_PREFIX. */
export interface StreamKeys {
  requests: string;
  dead: string;
}

/** The stream keys for a key prefix (which must equal the orders service's prefix). */
export function streamKeys(prefix: string): StreamKeys {
  return { requests: `${prefix}${FULFILLMENT_STREAMS.requests}`, dead: `${prefix}${FULFILLMENT_STREAMS.dead}` };
}

/** XADD arguments of a dead letter: the original fields plus `deliveries` and `reason`, trimmed with `MAXLEN ~`. */
export function deadLetterArgs(
  deadKey: string,
  fields: Record<string, string>,
  deliveries: number,
  reason: string,
): (string | number)[] {
  const record = { ...fields, deliveries: String(deliveries), reason };
  return [deadKey, 'MAXLEN', '~', DEAD_LETTER_MAXLEN, '*', ...Object.entries(record).flat()];
}

/** True for the error Redis gives when the stream or the group vanished (e.g. the key was deleted). */
export function isNoGroupError(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOGROUP');
}

/** The stream operations the consumer needs. */
export interface FulfillmentStream {
  readonly keys: StreamKeys;
  /** Creates the group at id 0 (so requests written before any worker started are consumed). */
  ensureGroup(): Promise<void>;
  /** New entries for this consumer, waiting up to blockMs for the first one. */
  readNew(count: number, blockMs: number): Promise<StreamEntry[]>;
  /** This consumer's own pending entries after `afterId` (work it had before a restart). */
  readOwnPending(count: number, afterId: string): Promise<StreamEntry[]>;
  /** Takes over entries idle for at least minIdleMs, whoever held them. */
  claimIdle(minIdleMs: number, cursor: string, count: number): Promise<AutoClaimReply>;
  /** Delivery counts of pending entries; ids no longer pending are absent. */
  deliveryCounts(ids: readonly string[]): Promise<Map<string, number>>;
  /** Resets the idle time of entries this consumer is still working on, so no one reclaims them. */
  keepAlive(ids: readonly string[]): Promise<void>;
  ack(id: string): Promise<void>;
  /** Moves an entry to the dead-letter stream and acks it, atomically. */
  deadLetter(id: string, fields: Record<string, string>, deliveries: number, reason: string): Promise<void>;
}

export interface FulfillmentStreamOptions {
  /** For short commands (XACK, XADD, XGROUP). */
  commands: Redis;
  /** Used only by the read loop, because XREADGROUP BLOCK holds its connection. */
  reader: Redis;
  keys: StreamKeys;
  consumerName: string;
}

/** The stream adapter over two ioredis connections. */
export function createFulfillmentStream({ commands, reader, keys, consumerName }: FulfillmentStreamOptions): FulfillmentStream {
  const read = async (count: number, id: string, blockMs?: number) => {
    const block = blockMs === undefined ? [] : ['BLOCK', blockMs];
    const reply = await reader.call('XREADGROUP', 'GROUP', CONSUMER_GROUP, consumerName, 'COUNT', count, ...block, 'STREAMS', keys.requests, id);
    return parseReadGroupReply(reply);
  };

  return {
    keys,
    async ensureGroup() {
      try {
        await commands.xgroup('CREATE', keys.requests, CONSUMER_GROUP, '0', 'MKSTREAM');
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
      }
    },
    readNew: (count, blockMs) => read(count, '>', blockMs),
    readOwnPending: (count, afterId) => read(count, afterId),
    async claimIdle(minIdleMs, cursor, count) {
      const reply = await reader.xautoclaim(keys.requests, CONSUMER_GROUP, consumerName, minIdleMs, cursor, 'COUNT', count);
      return parseAutoClaimReply(reply);
    },
    async deliveryCounts(ids) {
      const counts = new Map<string, number>();
      if (ids.length === 0) return counts;
      const pipeline = reader.pipeline();
      for (const id of ids) pipeline.xpending(keys.requests, CONSUMER_GROUP, id, id, 1);
      for (const [err, reply] of (await pipeline.exec()) ?? []) {
        if (err) throw err;
        for (const info of parsePendingReply(reply)) counts.set(info.id, info.deliveries);
      }
      return counts;
    },
    async keepAlive(ids) {
      if (ids.length === 0) return;
      // JUSTID: claim without incrementing the delivery counter; min-idle 0 resets the idle time.
      await commands.xclaim(keys.requests, CONSUMER_GROUP, consumerName, 0, ...ids, 'JUSTID');
    },
    async ack(id) {
      await commands.xack(keys.requests, CONSUMER_GROUP, id);
    },
    async deadLetter(id, fields, deliveries, reason) {
      const results = await commands
        .multi()
        .call('XADD', ...deadLetterArgs(keys.dead, fields, deliveries, reason))
        .xack(keys.requests, CONSUMER_GROUP, id)
        .exec();
      const failed = results?.find(([err]) => err !== null);
      if (results === null || failed !== undefined) {
        throw failed?.[0] ?? new Error('dead-letter transaction was aborted');
      }
    },
  };
}
