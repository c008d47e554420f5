/** Operator command: `node services/fulfillment/dist/src/cli.js migrate`. */
import { runMigrateCommand } from '@orderlab/platform/postgres';
import { fulfillmentConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './migrations.js';

await runMigrateCommand({ service: 'fulfillment', databaseUrl: fulfillmentConfigSchema.properties.DATABASE_URL, dir: MIGRATIONS_DIR });
