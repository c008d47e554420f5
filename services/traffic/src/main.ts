/** Entry point: config, logger, the service, and graceful shutdown. */
import { createLifecycle, createLogger } from '@orderlab/platform';
import { loadTrafficConfig } from './config.js';
import { buildTrafficService } from './traffic-service.js';

const config = loadTrafficConfig();
const logger = createLogger({ service: 'traffic', level: config.LOG_LEVEL });
const lifecycle = createLifecycle({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
lifecycle.installSignalHandlers();

const service = buildTrafficService(config, { logger });
// stop() stops scheduling, lets requests in flight finish (with a deadline), then closes the pool and HTTP.
lifecycle.onShutdown('traffic service', () => service.stop());
try {
  await service.start();
} catch (err) {
  logger.fatal({ err }, 'traffic failed to start');
  await lifecycle.shutdown('start failed');
  process.exitCode = 1;
}
