/** The service's Redis connection, configured to fail fast so an outage degrades instead of hanging. */
import { type Logger } from '@orderlab/platform';
import { createRedis } from '@orderlab/platform/redis';
import type { Redis } from 'ioredis';
import { throttledWarn } from './throttled-log.js';

/** Per-command ceiling: a cache read slower than this is a miss, a relay XADD a retry later. */
export const REDIS_COMMAND_TIMEOUT_MS = 200;

/** How long stop() lets QUIT take before it closes the socket. */
export const REDIS_CLOSE_TIMEOUT_MS = 1_000;

/**
 * A Redis client that never queues commands while disconnected (they fail at once), times every
 * command out, reconnects in the background with capped backoff, and logs a connection error at
 * most once per interval (it repeats on every attempt while Redis is down).
 */
export function createRedisClient(url: string, logger: Logger): Redis {
  const warn = throttledWarn(logger.child({ component: 'redis' }));
  return createRedis({
    url,
    logger,
    offlineQueue: false,
    commandTimeoutMs: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: 1_000,
    reconnectBackoff: { stepMs: 100, maxMs: 2_000 },
    onError: (err) => warn(err, 'redis connection error'),
  });
}

/**
 * How long start-up waits for Redis before serving without the cache (it joins when Redis does):
 * a read before 'ready' would be a miss that also skips the write.
 */
export const REDIS_START_WAIT_MS = 2_000;
