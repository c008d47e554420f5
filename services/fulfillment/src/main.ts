/** Entry point: config, logger, migrations, the worker, and graceful shutdown. */
import { createLifecycle, createLogger, loadConfig } from '@orderlab/platform';
import { fulfillmentConfigSchema } from './config.js';
import { buildFulfillmentWorker } from './fulfillment-worker.js';
import { migrate } from './migrations.js';

const config = loadConfig(fulfillmentConfigSchema);
const logger = createLogger({ service: 'fulfillment', level: config.LOG_LEVEL });
const lifecycle = createLifecycle({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
lifecycle.installSignalHandlers();

if (config.MIGRATE_ON_START) await migrate(config.DATABASE_URL, logger);

const worker = buildFulfillmentWorker(config, { logger });
// stop() stops reading, lets in-flight requests finish and ack, then closes Redis, Postgres and gRPC.
lifecycle.onShutdown('fulfillment worker', () => worker.stop());
await worker.start();
