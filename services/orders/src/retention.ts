/**
 * What the orders service prunes by age, and why each retention (docs/configuration.md,
 * "Retention"); the platform's pruner runs it every PRUNE_INTERVAL_MS.
 */
import { HOUR_MS, type PruneTable } from '@orderlab/platform/postgres';
import type { OrdersConfig } from './config.js';

type RetentionConfig = Pick<OrdersConfig, 'IDEMPOTENCY_TTL_HOURS' | 'OUTBOX_RETENTION_HOURS' | 'ORDERS_RETENTION_HOURS'>;

/** The tables the orders service keeps bounded, in the order they are pruned. */
export function ordersPruneTables(config: RetentionConfig): PruneTable[] {
  return [
    // A key is stored with expires_at = created + IDEMPOTENCY_TTL_HOURS (24 h) and
    // goes as soon as it has expired: a retry after that is a new request anyway.
    { table: 'idempotency_keys', ageColumn: 'expires_at', retentionMs: 0 },
    // Sent rows only (sent_at is NULL until then): an undelivered row is never pruned, however old.
    { table: 'outbox', ageColumn: 'sent_at', retentionMs: config.OUTBOX_RETENTION_HOURS * HOUR_MS },
    // Finished orders; open ones are the reconciler's business. Their order_items go by ON DELETE CASCADE.
    { table: 'orders', ageColumn: 'created_at', retentionMs: config.ORDERS_RETENTION_HOURS * HOUR_MS, where: "status IN ('fulfilled', 'failed')" },
  ];
}
