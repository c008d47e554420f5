/** Entry point of the orders service: the only module with side effects. */
import { createLifecycle, createLogger, loadConfig, runMigrations } from '@orderlab/platform';
import { ordersConfigSchema } from './config.js';
import { buildOrdersService, MIGRATIONS_DIR } from './orders-service.js';

const config = loadConfig(ordersConfigSchema);
const logger = createLogger({ service: 'orders', level: config.LOG_LEVEL });
const lifecycle = createLifecycle({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
lifecycle.installSignalHandlers();

try {
  if (config.MIGRATE_ON_START) await runMigrations({ databaseUrl: config.DATABASE_URL, dir: MIGRATIONS_DIR, logger });
  const service = buildOrdersService(config, { logger });
  lifecycle.onShutdown('orders service', () => service.stop());
  const { grpcPort, opsPort } = await service.start();
  logger.info({ grpcPort, opsPort }, 'orders service started');
} catch (err) {
  logger.fatal({ err }, 'orders service failed to start');
  await lifecycle.shutdown('start-up failed');
  logger.flush();
  process.exit(1);
}
