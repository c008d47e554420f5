/** The gateway: the public REST API, validated and documented, in front of orders' gRPC API. */
import type { AddressInfo } from 'node:net';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createOrderServiceClient, type OrderServiceClient } from '@orderlab/contracts';
import { type Logger } from '@orderlab/platform';
import {
  httpServerOptions,
  METRICS_PATH,
  parseCorsOrigins,
  registerCors,
  registerHealthRoutes,
  registerHttpDefaults,
  registerMetrics,
  registerOpenApi,
} from '@orderlab/platform/http';
import { grpcClientCallRecorder } from '@orderlab/platform/grpc';
import { createServiceMetrics, type ServiceMetrics } from '@orderlab/platform/metrics';
import Fastify, { type FastifyRequest } from 'fastify';
import type { GatewayConfig } from './config.js';
import { registerInFlightLimit } from './in-flight-limit.js';
import { buildOrdersApi } from './orders-client.js';
import { ordersReadinessCheck } from './orders-readiness.js';
import { orderRoutes } from './routes/orders.js';
import { productRoutes } from './routes/products.js';

/** Every API route lives under this prefix. */
export const API_PREFIX = '/api/v1';
/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = '/api/v1/openapi.json';
/** Where Swagger UI is served. */
export const DOCS_PREFIX = '/docs';

const API_DESCRIPTION =
  'The public REST API of OrderLab. Every error is RFC 9457 `application/problem+json` with a stable `code` ' +
  'and the `request_id`. Money is integer cents plus an ISO 4217 currency. POST requests need an ' +
  '`Idempotency-Key`; retrying with the same key replays the first response with `Idempotent-Replayed: true`.';

/** Browsers may POST with an Idempotency-Key and read what a 201 says about it. */
const CORS_POLICY = {
  methods: ['GET', 'HEAD', 'POST'],
  allowedHeaders: ['Content-Type', 'Idempotency-Key', 'X-Request-Id', 'traceparent'],
  exposedHeaders: ['X-Request-Id', 'Retry-After', 'Location', 'Idempotent-Replayed'],
};

/** Readiness must answer quickly even when orders hangs. */
const MAX_READINESS_TIMEOUT_MS = 1_000;

export interface GatewayDeps {
  logger: Logger;
  /** The orders client; when omitted one is made from ORDERS_GRPC_ADDR, and stop() closes it. */
  ordersClient?: OrderServiceClient;
  /** The process's metrics; when omitted they are made from METRICS_ENABLED. */
  metrics?: ServiceMetrics;
}

/** The package.json whose version the service's orderlab_build_info reports. */
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

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
export function buildGateway(config: GatewayConfig, { logger, ordersClient: givenClient, metrics = createServiceMetrics({ enabled: config.METRICS_ENABLED, service: 'gateway', version: PACKAGE_JSON }) }: GatewayDeps): Gateway {
  const ordersClient = givenClient ?? createOrderServiceClient(config.ORDERS_GRPC_ADDR);
  const rejected = metrics.counter({
    name: 'orderlab_gateway_rejected_requests_total',
    help: 'Requests the gateway answered 503 without handling them, by reason.',
    labelNames: ['reason'],
  });
  const orders = buildOrdersApi(ordersClient, { deadlineMs: config.GRPC_DEADLINE_MS, recordCall: grpcClientCallRecorder(metrics) });
  let stopping = false;

  const app = createApp(config, logger);
  registerHttpDefaults(app);
  // Before the limit, so shed requests (503) are recorded too.
  registerMetrics(app, metrics);
  registerInFlightLimit(app, {
    max: config.MAX_IN_FLIGHT,
    exempt: isOpsRequest,
    onReject: () => rejected.inc({ reason: 'overload' }),
  });
  registerCors(app, { origins: parseCorsOrigins(config.CORS_ORIGINS), ...CORS_POLICY });

  // The generator must be loaded before the routes it documents are added.
  registerOpenApi(app, {
    title: 'OrderLab API',
    version: '1.0.0',
    description: API_DESCRIPTION,
    jsonPath: OPENAPI_PATH,
    docsPath: DOCS_PREFIX,
    apiPrefix: API_PREFIX,
    tags: [
      { name: 'products', description: 'The catalog' },
      { name: 'orders', description: 'Placing orders and following their status' },
    ],
  });

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
      const port = (app.server.address() as AddressInfo).port;
      logger.info({ port, host: config.HOST, orders: config.ORDERS_GRPC_ADDR }, 'gateway listening');
      return port;
    },
    async stop() {
      stopping = true;
      // Stops accepting, lets in-flight requests finish, then closes idle keep-alive sockets.
      await app.close();
      if (givenClient === undefined) ordersClient.close();
    },
  };
}

/** Probes, scrapes and docs are never shed: an overloaded gateway must still say so and explain itself. */
function isOpsRequest(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  if (route === undefined) return false;
  return route === '/healthz' || route === '/readyz' || route === METRICS_PATH || route === OPENAPI_PATH || route.startsWith(DOCS_PREFIX);
}
