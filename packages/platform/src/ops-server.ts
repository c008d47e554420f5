/** A small HTTP server for services that are not HTTP servers: health now, metrics later. */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerHealthRoutes, type HealthOptions, type ReadinessCheck } from './health.js';
import { httpServerOptions, registerHttpDefaults } from './http.js';
import type { Logger } from './logger.js';

export interface OpsServerOptions extends HealthOptions {
  logger: Logger;
  checks: ReadinessCheck[];
}

export interface OpsServer {
  app: FastifyInstance;
  /** Listens on host:port (0 = any free port); resolves to the bound port. */
  start(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

/** Builds the ops server with /healthz and /readyz. */
export function buildOpsServer(options: OpsServerOptions): OpsServer {
  const app = Fastify(httpServerOptions({ logger: options.logger, bodyLimit: 1024 }));
  registerHttpDefaults(app);
  registerHealthRoutes(app, options.checks, options);
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
