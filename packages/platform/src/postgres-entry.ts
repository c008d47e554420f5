/** @orderlab/platform/postgres — PostgreSQL: pools with metrics, migrations, the migrate command and the retention pruner. */
export * from './postgres.js';
export * from './postgres-metrics.js';
export * from './pruner.js';
export * from './migrate-command.js';
