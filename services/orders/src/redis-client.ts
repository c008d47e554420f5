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
