/**
 * One-shot commands of the orders service, used by the native runner and Compose jobs:
 *   node services/orders/dist/src/cli.js migrate   apply pending migrations
 *   node services/orders/dist/src/cli.js seed      load the demo catalog and order history (no-op if present)
 * Configuration comes from the same environment variables as the service.
 */
import { createLogger, createPgPool, loadConfig, runMigrations } from '@orderlab/platform';
import { ordersConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './orders-service.js';
import { seedDatabase } from './seed.js';

const USAGE = 'usage: cli.js migrate|seed\n';

const command = process.argv[2];
if (command !== 'migrate' && command !== 'seed') {
  process.stderr.write(USAGE);
  process.exit(2);
}

const config = loadConfig(ordersConfigSchema);
const logger = createLogger({ service: 'orders', level: config.LOG_LEVEL });

try {
  if (command === 'migrate') {
    await runMigrations({ databaseUrl: config.DATABASE_URL, dir: MIGRATIONS_DIR, logger });
  } else {
    const pool = createPgPool({ connectionString: config.DATABASE_URL, max: 2, applicationName: 'orders-seed', statementTimeoutMs: 60_000 }, logger);
    try {
      const result = await seedDatabase(pool);
      logger.info(result, result.skipped ? 'seed skipped: the catalog already has products' : 'database seeded');
    } finally {
      await pool.end();
    }
  }
  logger.flush();
} catch (err) {
  logger.fatal({ err, command }, `${command} failed`);
  logger.flush();
  process.exitCode = 1;
}
