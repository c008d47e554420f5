/**
 * Redis connections (ioredis) set up one way: every connect and command has a timeout, reconnects
 * back off up to a cap, errors are logged instead of printed, and closing has a deadline.
 * The only platform module that loads ioredis.
 */
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { settleWithin } from './timeout.js';
import { traceRedisCommands } from './tracing/redis-spans.js';

export interface RedisOptions {
  url: string;
  logger: Logger;
  /** Shown by CLIENT LIST and logged with connection errors. */
  connectionName?: string;
  /** Ceiling of one command, including blocking ones such as XREADGROUP … BLOCK. */
  commandTimeoutMs: number;
  /** Ceiling of one connection attempt. */
  connectTimeoutMs: number;
  /** Reconnects wait attempt × stepMs, at most maxMs, for ever. */
  reconnectBackoff: { stepMs: number; maxMs: number };
  /** false: commands fail at once while disconnected instead of waiting for the connection. */
  offlineQueue?: boolean;
  /** true: nothing connects until connect() (a service connects in start()). */
  lazyConnect?: boolean;
  /** Replaces the warn line logged on each connection error (e.g. by a throttled one). */
  onError?: (err: unknown) => void;
}

/**
 * A client with every limit set; while Redis is down commands fail after one retry rather than
 * pile up. In a traced process its commands inside a recorded span get spans.
 */
export function createRedis(options: RedisOptions): Redis {
  const { stepMs, maxMs } = options.reconnectBackoff;
  const redis = new Redis(options.url, {
    connectionName: options.connectionName,
    lazyConnect: options.lazyConnect ?? false,
    enableOfflineQueue: options.offlineQueue ?? true,
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * stepMs, maxMs),
  });
  // Without a listener ioredis prints every connection error to the console.
  const onError = options.onError ?? ((err: unknown) => options.logger.warn({ err, connection: options.connectionName }, 'redis connection error'));
  redis.on('error', onError);
  // With tracing on, each command inside a recorded span gets its own (tracing/redis-spans.ts).
  traceRedisCommands(redis);
  return redis;
}

/** QUIT (pending replies still arrive) for at most timeoutMs, then the socket is closed regardless. */
export async function closeRedis(redis: Redis, timeoutMs: number): Promise<void> {
  await settleWithin(redis.quit().catch(() => undefined), timeoutMs);
  redis.disconnect();
}

/**
 * True once the client is ready, false after timeoutMs. Never rejects: a service that can run
 * without Redis waits this long so that its first requests find it connected, then goes on.
 */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  let onReady = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  redis.once('ready', onReady);
  try {
    return await settleWithin(ready, timeoutMs);
  } finally {
    redis.off('ready', onReady);
  }
}
