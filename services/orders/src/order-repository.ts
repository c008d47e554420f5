/**
 * Order persistence: reads, keyset pages, the CreateOrder transaction and CompleteFulfillment.
 * The write paths keep round trips to a minimum (Postgres CPU is the first limit of the order
 * path, see docs/benchmarks.md): CreateOrder is BEGIN, lock + catalog,
 * key lookup, one multi-CTE insert, COMMIT.
 */
import { EVENT_TYPE } from '@orderlab/contracts/events';
import { keysetPage } from '@orderlab/platform';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { DomainError, OrdersErrorCode } from './domain/errors.js';
import {
  decideCompletion,
  priceOrder,
  type CatalogPrice,
  type CreateOrderInput,
  type FulfillmentOutcome,
  type Order,
  type OrderItem,
  type OrderStatus,
} from './domain/order.js';
import { encodeOrderCursor, type OrderCursor } from './domain/paging.js';
import { inTransaction, type Queryable } from './database.js';
import {
  advisoryLockKey,
  findStoredResponse,
  keyInUse,
  rethrowKeyConflict,
  tryLockSql,
  type IdempotencyRequest,
} from './idempotency.js';
import type { Correlation } from './product-repository.js';

interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatus;
  total_cents: string;
  currency: string;
  created_at: Date;
  updated_at: Date;
  items: OrderItem[];
  /** created_at with microseconds, for cursors (a JS Date would drop them). */
  created_key: string;
}

// Items come back as one JSON array in line order, so an order is one row and one round trip.
const ORDER_COLUMNS = `
  o.id, o.customer_id, o.status, o.total_cents, o.currency, o.created_at, o.updated_at,
  to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key,
  (SELECT coalesce(json_agg(json_build_object(
            'productId', i.product_id, 'quantity', i.quantity, 'unitPriceCents', i.unit_price_cents)
            ORDER BY i.line), '[]'::json)
     FROM order_items i WHERE i.order_id = o.id) AS items`;
const ORDER_SELECT = `SELECT ${ORDER_COLUMNS} FROM orders o`;

function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    customerId: row.customer_id,
    status: row.status,
    items: row.items,
    totalCents: Number(row.total_cents),
    currency: row.currency,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** An order by id, or undefined. */
export async function findOrder(db: Queryable, id: string): Promise<Order | undefined> {
  const { rows } = await db.query<OrderRow>(`${ORDER_SELECT} WHERE o.id = $1`, [id]);
  return rows[0] && toOrder(rows[0]);
}

/** One page of a customer's orders. */
export interface OrdersPage {
  orders: Order[];
  nextPageToken: string;
}

/** A customer's orders, newest first (created_at DESC, id DESC), starting after `after`. */
export async function listOrders(
  db: Queryable,
  customerId: string,
  pageSize: number,
  after: OrderCursor | undefined,
): Promise<OrdersPage> {
  const { rows } = after
    ? await db.query<OrderRow>(
        `${ORDER_SELECT}
          WHERE o.customer_id = $1 AND (o.created_at, o.id) < ($2::timestamptz, $3::uuid)
          ORDER BY o.created_at DESC, o.id DESC LIMIT $4`,
        [customerId, after.createdAt, after.id, pageSize + 1],
      )
    : await db.query<OrderRow>(
        `${ORDER_SELECT} WHERE o.customer_id = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT $2`,
        [customerId, pageSize + 1],
      );
  const { items, nextAfter } = keysetPage(rows, pageSize);
  return {
    orders: items.map(toOrder),
    nextPageToken: nextAfter ? encodeOrderCursor({ createdAt: nextAfter.created_key, id: nextAfter.id }) : '',
  };
}

/** The result of CreateOrder: the order as first returned, and whether this is a replay. */
export interface CreateOrderResult {
  order: Order;
  replayed: boolean;
}

/** Options of the write paths. */
export interface WriteOptions {
  correlation: Correlation;
  /** Runs once a connection is held, before BEGIN: throws to avoid starting late work. */
  beforeBegin?: () => void;
}

// One statement: order, items, both outbox rows and the key row. No NOTIFY here: a notifying
// transaction holds a database-wide lock through its commit, which serialises commits (measured
// with pgbench on this statement: about half the throughput). The relay in this process is woken
// directly after COMMIT instead (see OrdersAppDeps.onOutboxWritten).
const INSERT_ORDER_SQL = `
  WITH new_order AS (
    INSERT INTO orders (id, customer_id, status, total_cents, currency, created_at, updated_at, fulfillment_requested_at, request_id)
    VALUES ($1, $2, 'pending', $3, $4, $5, $5, $5, $11)
  ), items AS (
    INSERT INTO order_items (order_id, line, product_id, quantity, unit_price_cents)
    SELECT $1, item.line, item.product_id, item.quantity, item.unit_price_cents
      FROM unnest($6::uuid[], $7::int[], $8::bigint[]) WITH ORDINALITY
           AS item(product_id, quantity, unit_price_cents, line)
  ), outbox_rows AS (
    INSERT INTO outbox (destination, type, aggregate_id, payload, request_id, traceparent, idempotency_key)
    VALUES ('fulfillment', 'fulfillment.requested', $1, $9::jsonb, $11, $12, $13),
           ('events', '${EVENT_TYPE.orderCreated}', $1, $10::jsonb, $11, $12, $13)
  )
  INSERT INTO idempotency_keys (scope, key, fingerprint, response, expires_at)
  VALUES ($14, $13, $15, $10::jsonb, now() + make_interval(hours => $16))`;

/**
 * Places an order in ONE transaction: idempotency key, order, items priced from the catalog,
 * a fulfillment request and an `order.created` event in the outbox, and the key row holding
 * the response. Unknown products → FAILED_PRECONDITION PRODUCT_NOT_FOUND with nothing written.
 */
export async function createOrder(
  pool: pg.Pool,
  input: CreateOrderInput,
  idempotency: IdempotencyRequest,
  options: WriteOptions & { idempotencyTtlHours: number },
): Promise<CreateOrderResult> {
  try {
    return await inTransaction(
      pool,
      async (client) => {
        // The lock and the catalog in one round trip: reading prices does not depend on the lock.
        const { rows } = await client.query<{ locked: boolean; now: Date; catalog: ({ id: string } & CatalogPrice)[] }>(
          `SELECT ${tryLockSql('$1')} AS locked, now() AS now,
                  (SELECT coalesce(json_agg(json_build_object('id', id, 'priceCents', price_cents, 'currency', currency)), '[]'::json)
                     FROM products WHERE id = ANY($2::uuid[])) AS catalog`,
          [advisoryLockKey(idempotency), input.items.map((item) => item.productId)],
        );
        const head = rows[0];
        if (!head?.locked) throw keyInUse();

        const stored = await findStoredResponse<Order>(client, idempotency);
        if (stored) return { order: stored, replayed: true };

        const priced = priceOrder(input.items, new Map(head.catalog.map((p) => [p.id, p])));
        const createdAt = head.now.toISOString();
        const order: Order = {
          id: randomUUID(),
          customerId: input.customerId,
          status: 'pending',
          items: priced.items,
          totalCents: priced.totalCents,
          currency: priced.currency,
          createdAt,
          updatedAt: createdAt,
        };
        const orderJson = JSON.stringify(order);
        await client.query(INSERT_ORDER_SQL, [
          order.id, order.customerId, order.totalCents, order.currency, head.now,
          order.items.map((i) => i.productId), order.items.map((i) => i.quantity), order.items.map((i) => i.unitPriceCents),
          JSON.stringify({ orderId: order.id }), orderJson,
          options.correlation.requestId, options.correlation.traceparent ?? null, idempotency.key,
          idempotency.scope, idempotency.fingerprint, options.idempotencyTtlHours,
        ]);
        return { order, replayed: false };
      },
      options.beforeBegin,
    );
  } catch (err) {
    return rethrowKeyConflict(err);
  }
}

/** What the fulfillment worker reports. */
export interface FulfillmentReport {
  outcome: FulfillmentOutcome;
  shipmentId: string;
  trackingNumber: string;
  failureReason: string;
}

/** The order after CompleteFulfillment, and whether this call changed it. */
export interface CompleteFulfillmentResult {
  order: Order;
  changed: boolean;
}

/**
 * Records the outcome of fulfillment: pending/fulfilling → fulfilled or failed, with an
 * `order.fulfilled` / `order.failed` event in the same transaction. Idempotent: an order that is
 * already final is returned unchanged and no event is written. Unknown id → NOT_FOUND.
 */
export async function completeFulfillment(
  pool: pg.Pool,
  orderId: string,
  report: FulfillmentReport,
  options: WriteOptions,
): Promise<CompleteFulfillmentResult> {
  return inTransaction(
    pool,
    async (client) => {
      const { rows } = await client.query<OrderRow & { now: Date }>(
        `SELECT ${ORDER_COLUMNS}, now() AS now FROM orders o WHERE o.id = $1 FOR UPDATE OF o`,
        [orderId],
      );
      const row = rows[0];
      if (!row) throw new DomainError('not_found', OrdersErrorCode.orderNotFound, `order ${orderId} does not exist`);
      const current = toOrder(row);
      const decision = decideCompletion(current.status, report.outcome);
      if (decision.kind === 'unchanged') return { order: current, changed: false };

      const order: Order = { ...current, status: decision.to, updatedAt: row.now.toISOString() };
      const fulfilled = decision.to === 'fulfilled';
      const payload = fulfilled
        ? { ...order, shipmentId: report.shipmentId, trackingNumber: report.trackingNumber }
        : { ...order, failureReason: report.failureReason };
      await client.query(
        `WITH updated AS (
           UPDATE orders
              SET status = $2, updated_at = $3,
                  fulfilled_at = CASE WHEN $2 = 'fulfilled' THEN $3::timestamptz END,
                  failure_reason = CASE WHEN $2 = 'failed' THEN $4 END
            WHERE id = $1
         )
         INSERT INTO outbox (destination, type, aggregate_id, payload, request_id, traceparent)
         VALUES ('events', $5, $1, $6::jsonb, $7, $8)`,
        [
          order.id, order.status, row.now, report.failureReason || null,
          fulfilled ? EVENT_TYPE.orderFulfilled : EVENT_TYPE.orderFailed, JSON.stringify(payload),
          options.correlation.requestId, options.correlation.traceparent ?? null,
        ],
      );
      return { order, changed: true };
    },
    options.beforeBegin,
  );
}
