/** Starts the gateway: config, logger, orders client, HTTP server, graceful shutdown. */
import { createOrderServiceClient } from '@orderlab/contracts';
import { createLifecycle, createLogger } from '@orderlab/platform';
import { buildGateway, createGatewayMetrics } from './app.js';
import { loadGatewayConfig } from './config.js';

const config = loadGatewayConfig();
const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
const lifecycle = createLifecycle({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
lifecycle.installSignalHandlers();

// Closers run in reverse: first stop HTTP and drain in-flight requests, then close the gRPC channel.
const metrics = createGatewayMetrics(config);
const ordersClient = createOrderServiceClient(config.ORDERS_GRPC_ADDR);
lifecycle.onShutdown('orders gRPC client', () => ordersClient.close());

const gateway = buildGateway(config, { logger, ordersClient, metrics });
lifecycle.onShutdown('http server', () => gateway.stop());

try {
  const port = await gateway.start();
  logger.info({ port, host: config.HOST, orders: config.ORDERS_GRPC_ADDR }, 'gateway listening');
} catch (err) {
  logger.fatal({ err }, 'gateway failed to start');
  await lifecycle.shutdown('start failed');
  process.exitCode = 1;
}
