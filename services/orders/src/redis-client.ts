/** The service's Redis connection, configured to fail fast so an outage degrades instead of hanging. */
import type { Logger } from '@orderlab/platform';
import { Redis } from 'ioredis';
import { throttledWarn } from './throttled-log.js';

/** Per-command ceiling: a cache read slower than this is a miss, a relay XADD a retry later. */
export const REDIS_COMMAND_TIMEOUT_MS = 200;

/**
 * A Redis client that never queues commands while disconnected (enableOfflineQueue false: they
 * fail at once), times every command out, and reconnects in the background with capped backoff.
 */
export function createRedisClient(url: string, logger: Logger): Redis {
  const warn = throttledWarn(logger.child({ component: 'redis' }));
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  // Without a listener ioredis prints every connection error to the console.
  redis.on('error', (err: unknown) => warn(err, 'redis connection error'));
  return redis;
}

/** How long start-up waits for Redis before serving without the cache (it joins when Redis does). */
export const REDIS_START_WAIT_MS = 2_000;

/**
 * True once the client is ready, false after timeoutMs. Never rejects: the service runs without
 * Redis, but when Redis is there it should serve its first requests from a connected cache
 * rather than race the connection (a read before 'ready' is a miss that also skips the write).
 */
export function waitForRedis(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once('ready', onReady);
  });
}
