/** Entry point: config, logger, migrations, the service, and graceful shutdown. */
import { createLifecycle, createLogger, loadConfig } from '@orderlab/platform';
import { notificationsConfigSchema } from './config.js';
import { migrate } from './migrations.js';
import { buildNotificationsService } from './notifications-service.js';

const config = loadConfig(notificationsConfigSchema);
const logger = createLogger({ service: 'notifications', level: config.LOG_LEVEL });
const lifecycle = createLifecycle({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
lifecycle.installSignalHandlers();

if (config.MIGRATE_ON_START) await migrate(config.DATABASE_URL, logger);

const service = buildNotificationsService(config, { logger });
// stop() cancels the consumer, lets in-flight messages finish and be acked, then closes HTTP, AMQP and Postgres.
lifecycle.onShutdown('notifications service', () => service.stop());
try {
  await service.start();
} catch (err) {
  logger.fatal({ err }, 'notifications failed to start');
  await lifecycle.shutdown('start failed');
  process.exitCode = 1;
}
