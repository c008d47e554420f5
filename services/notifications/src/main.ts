/** Entry point of the notifications service (runService: logger, signals, migrations, start). */
import { loadConfig, runService } from '@orderlab/platform';
import { notificationsConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './migrations.js';
import { buildNotificationsService } from './notifications-service.js';

// stop() cancels the consumer, lets in-flight messages finish and be acked, then closes HTTP, AMQP and Postgres.
await runService({ name: 'notifications', config: loadConfig(notificationsConfigSchema), migrationsDir: MIGRATIONS_DIR, build: buildNotificationsService });
