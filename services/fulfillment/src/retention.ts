/**
 * What the fulfillment worker prunes by age, and why (docs/configuration.md, "Retention"); the
 * platform's pruner runs it every PRUNE_INTERVAL_MS.
 */
import { HOUR_MS, type PruneTable } from '@orderlab/platform/postgres';
import type { FulfillmentConfig } from './config.js';

/** The tables the worker keeps bounded. */
export function fulfillmentPruneTables(config: Pick<FulfillmentConfig, 'SHIPMENTS_RETENTION_HOURS'>): PruneTable[] {
  return [
    // By updated_at and whatever the status: every delivery that works on a shipment touches it,
    // and orders re-queues an open order within minutes (its reconciler), so a shipment untouched
    // for the retention is either reported or was given up (its order failed).
    { table: 'shipments', ageColumn: 'updated_at', retentionMs: config.SHIPMENTS_RETENTION_HOURS * HOUR_MS },
  ];
}
