/** The gateway: the public REST API, validated and documented, in front of orders' gRPC API. */
import type { AddressInfo } from 'node:net';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createOrderServiceClient, type OrderServiceClient } from '@orderlab/contracts';
import { httpServerOptions, registerHealthRoutes, registerHttpDefaults, type Logger } from '@orderlab/platform';
import Fastify, { type FastifyRequest } from 'fastify';
import { corsOrigins, type GatewayConfig } from './config.js';
import { registerInFlightLimit } from './in-flight-limit.js';
import { buildOrdersApi } from './orders-client.js';
import { ordersReadinessCheck } from './orders-readiness.js';
import { corsOptions } from './plugins/cors.js';
import { DOCS_PREFIX, OPENAPI_PATH, swaggerOptions, swaggerUiOptions } from './plugins/openapi.js';
import { orderRoutes } from './routes/orders.js';
import { productRoutes } from './routes/products.js';

/** Every API route lives under this prefix. */
export const API_PREFIX = '/api/v1';

/** Readiness must answer quickly even when orders hangs. */
const MAX_READINESS_TIMEOUT_MS = 1_000;

export interface GatewayDeps {
  logger: Logger;
  /** The orders client; when omitted one is made from ORDERS_GRPC_ADDR, and stop() closes it. */
  ordersClient?: OrderServiceClient;
}

/** A built gateway: start() listens on HOST:PORT and resolves the bound port. */
export interface Gateway {
  app: ReturnType<typeof createApp>;
  start(): Promise<number>;
  stop(): Promise<void>;
}

function createApp(config: GatewayConfig, logger: Logger) {
  return Fastify(
    httpServerOptions({ logger, bodyLimit: config.BODY_LIMIT_BYTES, requestTimeoutMs: config.REQUEST_TIMEOUT_MS }),
  ).withTypeProvider<TypeBoxTypeProvider>();
}

/** Builds the gateway; nothing listens until start(). */
export function buildGateway(config: GatewayConfig, { logger, ordersClient: givenClient }: GatewayDeps): Gateway {
  const ordersClient = givenClient ?? createOrderServiceClient(config.ORDERS_GRPC_ADDR);
  const orders = buildOrdersApi(ordersClient, { deadlineMs: config.GRPC_DEADLINE_MS });
  let stopping = false;

  const app = createApp(config, logger);
  registerHttpDefaults(app);
  registerInFlightLimit(app, { max: config.MAX_IN_FLIGHT, exempt: isOpsRequest });
  app.register(cors, corsOptions(corsOrigins(config)));

  // The generator must be loaded before the routes it documents are added.
  app.register(swagger, swaggerOptions(API_PREFIX));
  app.register(swaggerUi, swaggerUiOptions);
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());

  const readinessTimeoutMs = Math.min(config.GRPC_DEADLINE_MS, MAX_READINESS_TIMEOUT_MS);
  registerHealthRoutes(app, [ordersReadinessCheck(ordersClient, { timeoutMs: readinessTimeoutMs })], {
    timeoutMs: readinessTimeoutMs,
    accepting: () => !stopping,
  });

  app.register(productRoutes(orders, API_PREFIX), { prefix: API_PREFIX });
  app.register(orderRoutes(orders, API_PREFIX), { prefix: API_PREFIX });

  return {
    app,
    async start() {
      await app.listen({ port: config.PORT, host: config.HOST });
      return (app.server.address() as AddressInfo).port;
    },
    async stop() {
      stopping = true;
      // Stops accepting, lets in-flight requests finish, then closes idle keep-alive sockets.
      await app.close();
      if (givenClient === undefined) ordersClient.close();
    },
  };
}

/** Probes and docs are never shed: an overloaded gateway must still say so and explain itself. */
function isOpsRequest(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  if (route === undefined) return false;
  return route === '/healthz' || route === '/readyz' || route === OPENAPI_PATH || route.startsWith(DOCS_PREFIX);
}
