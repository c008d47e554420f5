/** Operator command: `node services/notifications/dist/src/cli.js migrate`. */
import { runMigrateCommand } from '@orderlab/platform/postgres';
import { notificationsConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './migrations.js';

await runMigrateCommand({ service: 'notifications', databaseUrl: notificationsConfigSchema.properties.DATABASE_URL, dir: MIGRATIONS_DIR });
