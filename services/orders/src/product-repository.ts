/** Catalog persistence: reads, keyset pages and the CreateProduct transaction. */
import { EVENT_TYPE } from '@orderlab/contracts/events';
import { randomUUID } from 'node:crypto';
import { keysetPage } from '@orderlab/platform';
import { type CallContext } from '@orderlab/platform/grpc';
import type pg from 'pg';
import { DomainError, OrdersErrorCode } from './domain/errors.js';
import { encodeProductCursor, type ProductCursor } from './domain/paging.js';
import type { CreateProductInput, Product } from './domain/product.js';
import { inTransaction, type Queryable } from './database.js';
import {
  findStoredResponse,
  lockKey,
  rethrowKeyConflict,
  type IdempotencyRequest,
} from './idempotency.js';

/** One page of the catalog. */
export interface ProductsPage {
  products: Product[];
  nextPageToken: string;
}

/** Where an event row of a call gets its correlation from (request id and traceparent of its call). */
export type Correlation = Pick<CallContext, 'requestId' | 'traceparent'>;

interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  price_cents: string;
  currency: string;
  created_at: Date;
}

const PRODUCT_COLUMNS = 'id, sku, name, description, price_cents, currency, created_at';

function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    priceCents: Number(row.price_cents),
    currency: row.currency,
    createdAt: row.created_at.toISOString(),
  };
}

/** A product by id, or undefined. */
export async function findProduct(db: Queryable, id: string): Promise<Product | undefined> {
  const { rows } = await db.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = $1`, [id]);
  return rows[0] && toProduct(rows[0]);
}

/** A page of the catalog ordered by (name, id), starting after `after`. */
export async function listProducts(db: Queryable, pageSize: number, after: ProductCursor | undefined): Promise<ProductsPage> {
  // One row more than asked tells whether a next page exists without a count query (keysetPage).
  const { rows } = after
    ? await db.query<ProductRow>(
        `SELECT ${PRODUCT_COLUMNS} FROM products WHERE (name, id) > ($1, $2::uuid) ORDER BY name, id LIMIT $3`,
        [after.name, after.id, pageSize + 1],
      )
    : await db.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products ORDER BY name, id LIMIT $1`, [pageSize + 1]);
  const { items, nextAfter } = keysetPage(rows, pageSize);
  return {
    products: items.map(toProduct),
    nextPageToken: nextAfter ? encodeProductCursor({ name: nextAfter.name, id: nextAfter.id }) : '',
  };
}

/** The result of CreateProduct: the product, and whether it is a replay of an earlier call. */
export interface CreateProductResult {
  product: Product;
  replayed: boolean;
}

/**
 * Creates a product and its `item.created` event in one transaction, guarded by the idempotency
 * key. A taken SKU is ALREADY_EXISTS PRODUCT_SKU_EXISTS and leaves nothing behind.
 */
export async function createProduct(
  pool: pg.Pool,
  input: CreateProductInput,
  idempotency: IdempotencyRequest,
  options: { correlation: Correlation; idempotencyTtlHours: number; beforeBegin?: () => void },
): Promise<CreateProductResult> {
  try {
    return await inTransaction(
      pool,
      async (client) => {
        const now = await lockKey(client, idempotency);
        const stored = await findStoredResponse<Product>(client, idempotency);
        if (stored) return { product: stored, replayed: true };

        const product: Product = { id: randomUUID(), ...input, createdAt: now.toISOString() };
        // Product, event and key row in one round trip; ON CONFLICT makes a taken SKU insert nothing.
        const { rowCount } = await client.query(
          `WITH product AS (
             INSERT INTO products (id, sku, name, description, price_cents, currency, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (sku) DO NOTHING
             RETURNING id
           ), event AS (
             INSERT INTO outbox (destination, type, aggregate_id, payload, request_id, traceparent, idempotency_key)
             SELECT 'events', '${EVENT_TYPE.itemCreated}', id, $8::jsonb, $9::text, $10::text, $12::text FROM product
           )
           INSERT INTO idempotency_keys (scope, key, fingerprint, response, expires_at)
           SELECT $11::text, $12::text, $13::text, $8::jsonb, now() + make_interval(hours => $14::int) FROM product`,
          [
            product.id, product.sku, product.name, product.description, product.priceCents, product.currency, now,
            JSON.stringify(product), options.correlation.requestId, options.correlation.traceparent ?? null,
            idempotency.scope, idempotency.key, idempotency.fingerprint, options.idempotencyTtlHours,
          ],
        );
        if (rowCount === 0) {
          throw new DomainError('already_exists', OrdersErrorCode.productSkuExists, `a product with sku ${input.sku} already exists`);
        }
        return { product, replayed: false };
      },
      options.beforeBegin,
    );
  } catch (err) {
    return rethrowKeyConflict(err);
  }
}
