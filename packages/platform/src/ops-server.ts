/** A small HTTP server for services that are not HTTP servers: health and metrics. */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerHealthRoutes, type HealthOptions, type ReadinessCheck } from './health.js';
import { httpServerOptions, registerHttpDefaults } from './http.js';
import { registerMetrics } from './http-metrics.js';
import type { Logger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';

export interface OpsServerOptions extends HealthOptions {
  logger: Logger;
  checks: ReadinessCheck[];
  /** Served at GET /metrics when enabled. */
  metrics?: ServiceMetrics;
}

export interface OpsServer {
  app: FastifyInstance;
  /** Listens on host:port (0 = any free port); resolves to the bound port. */
  start(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

/** Builds the ops server with /healthz, /readyz and (metrics enabled) /metrics. */
export function buildOpsServer(options: OpsServerOptions): OpsServer {
  const app = Fastify(httpServerOptions({ logger: options.logger, bodyLimit: 1024 }));
  registerHttpDefaults(app);
  registerHealthRoutes(app, options.checks, options);
  if (options.metrics) registerMetrics(app, options.metrics, { recordRequests: false });
  return {
    app,
    async start(port, host) {
      await app.listen({ port, host });
      const address = app.server.address();
      return typeof address === 'object' && address !== null ? address.port : port;
    },
    async stop() {
      await app.close();
    },
  };
}
