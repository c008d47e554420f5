/**
 * Cache-aside in Redis for products, catalog pages and orders (keys: docs/configuration.md).
 * Postgres is the source of truth; every method here swallows Redis failures (a failed read is a
 * miss, a failed write is skipped) so a Redis outage costs latency, never errors.
 */
import { type Logger } from '@orderlab/platform';
import { NO_METRICS, type ServiceMetrics } from '@orderlab/platform/metrics';
import type { Redis } from 'ioredis';
import type { Order } from './domain/order.js';
import type { Product } from './domain/product.js';
import { cacheRequestsCounter, type CacheName } from './orders-metrics.js';
import type { ProductsPage } from './product-repository.js';
import { throttledWarn } from './throttled-log.js';

/** The cache operations the service uses. None of them ever rejects. */
export interface OrdersCache {
  getProduct(id: string): Promise<Product | undefined>;
  setProduct(product: Product): Promise<void>;
  getProductsPage(pageSize: number, pageToken: string): Promise<ProductsPage | undefined>;
  setProductsPage(pageSize: number, pageToken: string, page: ProductsPage): Promise<void>;
  /** Drops every cached catalog page (a new product can land on any page). */
  invalidateProductPages(): Promise<void>;
  getOrder(id: string): Promise<Order | undefined>;
  setOrder(order: Order): Promise<void>;
  /** Drops the cached copies of orders whose status changed. */
  invalidateOrders(ids: readonly string[]): Promise<void>;
}

export interface CacheOptions {
  redis: Redis;
  keyPrefix: string;
  productTtlS: number;
  orderTtlS: number;
  logger: Logger;
  /** orderlab_cache_requests_total of every read. */
  metrics?: ServiceMetrics;
}

/**
 * After a status change the order key holds this marker for a few seconds instead of being
 * deleted. Fills use SET NX, so a reader that loaded the old row just before the change cannot
 * put the stale copy back (the classic cache-aside race); readers treat the marker as a miss.
 */
const INVALIDATED = '"invalidated"';
const INVALIDATED_TTL_MS = 5_000;
const MAX_SCAN_ROUNDS = 100;

/** Escapes glob characters so a prefix is matched literally by SCAN MATCH. */
function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}

/** Builds the cache over one ioredis client. */
export function buildOrdersCache({ redis, keyPrefix, productTtlS, orderTtlS, logger, metrics = NO_METRICS }: CacheOptions): OrdersCache {
  const warn = throttledWarn(logger.child({ component: 'cache' }));
  const requests = cacheRequestsCounter(metrics);
  const keys = {
    product: (id: string) => `${keyPrefix}cache:product:${id}`,
    page: (pageSize: number, pageToken: string) => `${keyPrefix}cache:products:${pageSize}:${pageToken}`,
    order: (id: string) => `${keyPrefix}cache:order:${id}`,
  };

  async function read<T>(cacheName: CacheName, key: string): Promise<T | undefined> {
    if (redis.status !== 'ready') {
      requests.inc({ cache_name: cacheName, result: 'error' });
      return undefined;
    }
    try {
      const raw = await redis.get(key);
      if (raw === null || raw === INVALIDATED) {
        requests.inc({ cache_name: cacheName, result: 'miss' });
        return undefined;
      }
      const value = JSON.parse(raw) as T;
      requests.inc({ cache_name: cacheName, result: 'hit' });
      return value;
    } catch (err) {
      requests.inc({ cache_name: cacheName, result: 'error' });
      warn(err, 'cache read failed; reading from postgres');
      return undefined;
    }
  }

  async function attempt(what: string, fn: () => Promise<unknown>): Promise<void> {
    if (redis.status !== 'ready') return;
    try {
      await fn();
    } catch (err) {
      warn(err, `cache ${what} failed`);
    }
  }

  return {
    getProduct: (id) => read<Product>('product', keys.product(id)),
    setProduct: (product) => attempt('write', () => redis.set(keys.product(product.id), JSON.stringify(product), 'EX', productTtlS)),
    // Catalog pages count as the product cache: both hold the catalog.
    getProductsPage: (pageSize, pageToken) => read<ProductsPage>('product', keys.page(pageSize, pageToken)),
    setProductsPage: (pageSize, pageToken, page) =>
      attempt('write', () => redis.set(keys.page(pageSize, pageToken), JSON.stringify(page), 'EX', productTtlS)),
    invalidateProductPages: () =>
      attempt('invalidation', async () => {
        // A page filled concurrently with this scan can survive until its TTL; pages are
        // short-lived and products are only ever added, so the cost is a late new product.
        const match = `${escapeGlob(keyPrefix)}cache:products:*`;
        let cursor = '0';
        for (let round = 0; round < MAX_SCAN_ROUNDS; round += 1) {
          const [next, found] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
          if (found.length > 0) await redis.unlink(...found);
          cursor = next;
          if (cursor === '0') break;
        }
      }),
    getOrder: (id) => read<Order>('order_status', keys.order(id)),
    setOrder: (order) => attempt('write', () => redis.set(keys.order(order.id), JSON.stringify(order), 'EX', orderTtlS, 'NX')),
    invalidateOrders: (ids) =>
      attempt('invalidation', async () => {
        if (ids.length === 0) return;
        const pipeline = redis.pipeline();
        for (const id of ids) pipeline.set(keys.order(id), INVALIDATED, 'PX', INVALIDATED_TTL_MS);
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([err]) => err)?.[0];
        if (failed) throw failed;
      }),
  };
}
