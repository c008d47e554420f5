/**
 * The traffic generator assembled: the undici pool to the target, the generator, and the
 * Fastify control API with the status page, the traces view (reading Jaeger or Tempo), the logs view
 * (reading VictoriaLogs) and health routes.
 */
import type { AddressInfo } from 'node:net';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { closeInOrder, drainBudgetMs, settleWithin, type Logger } from '@orderlab/platform';
import { httpServerOptions, registerHealthRoutes, registerHttpDefaults, registerMetrics } from '@orderlab/platform/http';
import { createServiceMetrics, type ServiceMetrics } from '@orderlab/platform/metrics';
import Fastify from 'fastify';
import { configuredModeParams, type TrafficConfig } from './config.js';
import { createJaegerClient } from './jaeger-client.js';
import { createTempoClient } from './tempo-client.js';
import { createLogsClient } from './logs-client.js';
import { parseJourneyWeights } from './journeys.js';
import { controlRoutes } from './routes/control.js';
import { logRoutes, QUIET_LOG_ROUTES } from './routes/logs.js';
import { QUIET_TRACE_ROUTES, traceRoutes } from './routes/traces.js';
import { createTargetClient } from './target-client.js';
import { createTrafficGenerator, type TrafficGenerator } from './traffic-generator.js';

export interface TrafficServiceDeps {
  logger: Logger;
  /** Monotonic ms clock (tests of the service use the real one). */
  now?: () => number;
  /** The process's metrics; made from METRICS_ENABLED when omitted. */
  metrics?: ServiceMetrics;
}

/** The package.json whose version the service's orderlab_build_info reports. */
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/** How long the console's open pages may keep the HTTP server from closing. */
const HTTP_CLOSE_GRACE_MS = 1_000;

/**
 * Closes the HTTP server. A browser on the console keeps sockets it opened ahead of time and never
 * sent a request on; Node counts them as busy, not idle, so close() would wait for them until the
 * connection timeout (15 s, past the shutdown deadline). What is left after a short grace is cut.
 */
async function closeHttpServer(app: ReturnType<typeof createApp>): Promise<void> {
  const closing = app.close();
  if (!(await settleWithin(closing, HTTP_CLOSE_GRACE_MS))) app.server.closeAllConnections();
  await closing;
}

/** A built service: start() listens on HOST:PORT and starts sending; stop() drains and closes. */
export interface TrafficService {
  /** The Fastify instance (for app.inject in tests). */
  app: ReturnType<typeof createApp>;
  generator: TrafficGenerator;
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

function createApp(logger: Logger) {
  // Control bodies are a few numbers; the pages poll /status, /api/traces/recent and the logs view's tail and rate, so those are quiet.
  return Fastify(httpServerOptions({ logger, bodyLimit: 16 * 1024, quietRoutes: ['/healthz', '/readyz', '/status', '/', ...QUIET_TRACE_ROUTES, ...QUIET_LOG_ROUTES] })).withTypeProvider<TypeBoxTypeProvider>();
}

/** Builds the service from its configuration; nothing is sent or listened to until start(). */
export function buildTrafficService(config: TrafficConfig, { logger, now, metrics = createServiceMetrics({ enabled: config.METRICS_ENABLED, service: 'traffic', version: PACKAGE_JSON }) }: TrafficServiceDeps): TrafficService {
  const client = createTargetClient({ url: config.TARGET_URL, connections: config.TARGET_CONNECTIONS, timeoutMs: config.REQUEST_TIMEOUT_MS });
  // TRACES_QUERY_API names the store outright: probing would guess wrong while the store is down.
  const traceStore = (config.TRACES_QUERY_API === 'tempo' ? createTempoClient : createJaegerClient)({ url: config.TRACES_QUERY_URL });
  const logs = createLogsClient({ url: config.LOGS_QUERY_URL });
  const modeParams = configuredModeParams(config);
  const generator = createTrafficGenerator({
    client,
    logger,
    targetUrl: config.TARGET_URL,
    initialMode: config.TRAFFIC_MODE,
    modeParams,
    maxInFlight: config.MAX_IN_FLIGHT,
    weights: parseJourneyWeights(config.JOURNEY_WEIGHTS),
    retryRatio: config.ORDER_RETRY_RATIO,
    windowSeconds: config.STATUS_WINDOW_S,
    metrics,
    ...(now ? { now } : {}),
  });
  let stopping: Promise<void> | undefined;

  const app = createApp(logger);
  registerHttpDefaults(app);
  registerMetrics(app, metrics);
  // Ready once it is sending. The target is not a readiness dependency: measuring a failing
  // target is this service's job, and its status says how the target is doing.
  registerHealthRoutes(
    app,
    [
      {
        name: 'scheduler',
        check: async () => {
          if (!generator.running) throw new Error('not started');
        },
      },
    ],
    { accepting: () => stopping === undefined },
  );
  app.register(controlRoutes(generator, modeParams));
  app.register(traceRoutes(generator, traceStore));
  app.register(logRoutes(logs));

  return {
    app,
    generator,
    async start() {
      await app.listen({ port: config.PORT, host: config.HOST });
      generator.start();
      const port = (app.server.address() as AddressInfo).port;
      logger.info({ port, host: config.HOST, target: config.TARGET_URL, mode: config.TRAFFIC_MODE, traceStore: traceStore.storeName, traceStoreUrl: config.TRACES_QUERY_URL }, 'traffic service started');
      return { port };
    },
    stop() {
      // In order: no new arrivals, let running requests finish (deadline), close the pool
      // (aborting stragglers), then the HTTP server.
      stopping ??= (async () => {
        generator.stopScheduling();
        const drainMs = drainBudgetMs(config.SHUTDOWN_TIMEOUT_MS);
        const drained = await generator.drain(drainMs);
        if (!drained) logger.warn({ in_flight: generator.status().inFlight, deadline_ms: drainMs }, 'requests still running at the drain deadline; aborting them');
        await closeInOrder(
          [
            { name: 'target pool', close: () => (drained ? client.close() : client.destroy()) },
            { name: 'http server', close: () => closeHttpServer(app) },
            { name: 'trace store client', close: () => traceStore.close() },
            { name: 'logs client', close: () => logs.close() },
          ],
          logger,
        );
      })();
      return stopping;
    },
  };
}
