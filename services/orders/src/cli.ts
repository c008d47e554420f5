/**
 * One-shot commands of the orders service, used by the native runner and Compose jobs:
 *   node services/orders/dist/src/cli.js migrate   apply pending migrations
 *   node services/orders/dist/src/cli.js seed      load the demo catalog and order history (no-op if present)
 * Both read LOG_LEVEL and DATABASE_URL like the service (runMigrateCommand).
 */
import { createPgPool, runMigrateCommand, type DatabaseCommand } from '@orderlab/platform/postgres';
import { ordersConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './migrations.js';
import { seedDatabase } from './seed.js';

/** Seeds through a small pool of its own, with room for the bulk inserts' statements. */
const seed: DatabaseCommand = async ({ databaseUrl, logger }) => {
  const pool = createPgPool({ connectionString: databaseUrl, max: 2, applicationName: 'orders-seed', statementTimeoutMs: 60_000 }, logger);
  try {
    const result = await seedDatabase(pool);
    logger.info(result, result.skipped ? 'seed skipped: the catalog already has products' : 'database seeded');
  } finally {
    await pool.end();
  }
};

await runMigrateCommand({ service: 'orders', databaseUrl: ordersConfigSchema.properties.DATABASE_URL, dir: MIGRATIONS_DIR, commands: { seed } });
