/**
 * The use cases of the orders service, independent of gRPC: validation, idempotency,
 * repositories and the cache put together. grpc-server.ts maps protobuf to and from these.
 */
import { type Logger } from '@orderlab/platform';
import { type CallContext as Correlation } from '@orderlab/platform/grpc';
import { NO_METRICS, type ServiceMetrics } from '@orderlab/platform/metrics';
import type pg from 'pg';
import { DomainError, OrdersErrorCode, invalidArgument } from './domain/errors.js';
import { requestFingerprint } from './domain/fingerprint.js';
import { isUuid } from '@orderlab/contracts/formats';
import { validateCreateOrder, validateCustomerId, type FulfillmentOutcome, type Order } from './domain/order.js';
import { decodeOrderCursor, decodeProductCursor, resolvePageSize } from './domain/paging.js';
import { validateCreateProduct, type Product } from './domain/product.js';
import { orderScope, PRODUCT_SCOPE, requireIdempotencyKey } from './idempotency.js';
import * as orders from './order-repository.js';
import * as products from './product-repository.js';
import { idempotencyCounter, type IdempotencyOutcome } from './orders-metrics.js';
import type { OrdersCache } from './redis-cache.js';

/** What a use case knows about the call that triggered it: the platform's call context, and more. */
export interface CallContext extends Correlation {
  log: Logger;
  /** Throws DEADLINE_EXCEEDED / CANCELLED when the caller is gone; called (unbound) before each transaction. */
  checkActive: () => void;
}

export interface OrdersAppDeps {
  pool: pg.Pool;
  cache: OrdersCache;
  idempotencyTtlHours: number;
  /** Called after a commit that wrote outbox rows, to wake this process's relays at once. */
  onOutboxWritten?: () => void;
  /** orderlab_orders_idempotency_requests_total. */
  metrics?: ServiceMetrics;
}

const MAX_FAILURE_REASON = 1000;

function requireUuid(value: string, field: string): string {
  if (!isUuid(value)) throw invalidArgument(`${field} must be a UUID`);
  return value.toLowerCase();
}

/**
 * Cache-aside read: the cached value, else the loaded one, cached on the way out. Nothing found is
 * not cached (the next read asks Postgres again). Truthiness as a hit test: cached values are objects.
 */
async function cacheAside<T>(
  cached: () => Promise<T | undefined>,
  load: () => Promise<T>,
  store: (value: NonNullable<T>) => Promise<void>,
): Promise<T> {
  const hit = await cached();
  if (hit) return hit;
  const value = await load();
  if (value) await store(value);
  return value;
}

/** Builds the use cases over a pool and a cache. */
export function buildOrdersApp({ pool, cache, idempotencyTtlHours, onOutboxWritten = () => undefined, metrics = NO_METRICS }: OrdersAppDeps) {
  const idempotency = idempotencyCounter(metrics);
  /** Counts how an idempotent create ended: created, replayed, or refused for its key. */
  async function countOutcome<T extends { replayed: boolean }>(create: Promise<T>): Promise<T> {
    let outcome: IdempotencyOutcome | undefined;
    try {
      const result = await create;
      outcome = result.replayed ? 'replayed' : 'created';
      return result;
    } catch (err) {
      if (err instanceof DomainError && err.code === OrdersErrorCode.idempotencyKeyInUse) outcome = 'conflict';
      if (err instanceof DomainError && err.code === OrdersErrorCode.idempotencyKeyMismatch) outcome = 'mismatch';
      throw err;
    } finally {
      if (outcome) idempotency.inc({ outcome });
    }
  }

  return {
    /** A page of the catalog, cached per (page size, token). */
    async listProducts(request: { pageSize: number; pageToken: string }): Promise<products.ProductsPage> {
      const pageSize = resolvePageSize(request.pageSize);
      const after = decodeProductCursor(request.pageToken);
      return cacheAside(
        () => cache.getProductsPage(pageSize, request.pageToken),
        () => products.listProducts(pool, pageSize, after),
        (page) => cache.setProductsPage(pageSize, request.pageToken, page),
      );
    },

    /** One product; NOT_FOUND PRODUCT_NOT_FOUND if unknown. */
    async getProduct(request: { id: string }): Promise<Product> {
      const id = requireUuid(request.id, 'id');
      const product = await cacheAside(() => cache.getProduct(id), () => products.findProduct(pool, id), (p) => cache.setProduct(p));
      if (!product) throw new DomainError('not_found', OrdersErrorCode.productNotFound, `product ${id} does not exist`);
      return product;
    },

    /** Adds a product (idempotent per key); emits `item.created`; drops cached catalog pages. */
    async createProduct(request: Record<string, unknown>, ctx: CallContext): Promise<products.CreateProductResult> {
      const key = requireIdempotencyKey(ctx.idempotencyKey);
      const input = validateCreateProduct(request);
      const result = await countOutcome(products.createProduct(
        pool,
        input,
        { scope: PRODUCT_SCOPE, key, fingerprint: requestFingerprint('CreateProduct', input) },
        { correlation: ctx, idempotencyTtlHours, beforeBegin: ctx.checkActive },
      ));
      if (!result.replayed) {
        onOutboxWritten();
        await cache.invalidateProductPages();
        ctx.log.info({ productId: result.product.id, sku: result.product.sku }, 'product created');
      }
      return result;
    },

    /** Places an order (idempotent per customer and key). */
    async createOrder(
      request: { customerId?: unknown; items?: { productId?: unknown; quantity?: unknown }[] },
      ctx: CallContext,
    ): Promise<orders.CreateOrderResult> {
      const key = requireIdempotencyKey(ctx.idempotencyKey);
      const input = validateCreateOrder(request);
      const result = await countOutcome(orders.createOrder(
        pool,
        input,
        { scope: orderScope(input.customerId), key, fingerprint: requestFingerprint('CreateOrder', input) },
        { correlation: ctx, idempotencyTtlHours, beforeBegin: ctx.checkActive },
      ));
      if (result.replayed) {
        ctx.log.info({ orderId: result.order.id }, 'order replayed for a repeated idempotency key');
        return result;
      }
      onOutboxWritten();
      ctx.log.info({ orderId: result.order.id, totalCents: result.order.totalCents, items: result.order.items.length }, 'order created');
      return result;
    },

    /** One order, cached until its status changes; NOT_FOUND ORDER_NOT_FOUND if unknown. */
    async getOrder(request: { id: string }): Promise<Order> {
      const id = requireUuid(request.id, 'id');
      const order = await cacheAside(() => cache.getOrder(id), () => orders.findOrder(pool, id), (o) => cache.setOrder(o));
      if (!order) throw new DomainError('not_found', OrdersErrorCode.orderNotFound, `order ${id} does not exist`);
      return order;
    },

    /** A customer's orders, newest first. */
    async listOrders(request: { customerId: string; pageSize: number; pageToken: string }): Promise<orders.OrdersPage> {
      const customerId = validateCustomerId(request.customerId);
      const pageSize = resolvePageSize(request.pageSize);
      return orders.listOrders(pool, customerId, pageSize, decodeOrderCursor(request.pageToken));
    },

    /** Records fulfillment's outcome; repeating it changes nothing. */
    async completeFulfillment(
      request: { orderId: string; outcome: FulfillmentOutcome | undefined; shipmentId: string; trackingNumber: string; failureReason: string },
      ctx: CallContext,
    ): Promise<Order> {
      const orderId = requireUuid(request.orderId, 'order_id');
      if (!request.outcome) throw invalidArgument('outcome must be FULFILLMENT_OUTCOME_SHIPPED or FULFILLMENT_OUTCOME_FAILED');
      if (request.failureReason.length > MAX_FAILURE_REASON) {
        throw invalidArgument(`failure_reason must be at most ${MAX_FAILURE_REASON} characters`);
      }
      const result = await orders.completeFulfillment(
        pool,
        orderId,
        { outcome: request.outcome, shipmentId: request.shipmentId, trackingNumber: request.trackingNumber, failureReason: request.failureReason },
        { correlation: ctx, beforeBegin: ctx.checkActive },
      );
      if (result.changed) {
        onOutboxWritten();
        await cache.invalidateOrders([orderId]);
        ctx.log.info({ orderId, status: result.order.status }, 'fulfillment recorded');
      }
      return result.order;
    },
  };
}

/** The use cases, as built by buildOrdersApp. */
export type OrdersApp = ReturnType<typeof buildOrdersApp>;
