/**
 * The start-up every service's main.ts runs, written once: logger → shutdown on signals →
 * migrations → build → stop() registered → start, and a failure anywhere on the way is fatal.
 */
import { createLifecycle } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { settleWithin } from './timeout.js';
import { tracingRuntime } from './tracing/runtime.js';

/** The settings runService reads from every service's configuration (commonConfig). */
export interface RunnableConfig {
  LOG_LEVEL: string;
  SHUTDOWN_TIMEOUT_MS: number;
}

/** The settings of a service with a database of its own. */
export interface MigratingConfig {
  DATABASE_URL: string;
  /** false: the runner or a Compose job applies the migrations (`cli.js migrate`). */
  MIGRATE_ON_START: boolean;
}

/** A built service: nothing runs until start(); stop() drains and closes, bounding its own waits. */
export interface RunnableService {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

export interface RunServiceOptions<C extends RunnableConfig & Partial<MigratingConfig>> {
  /** The service's name: the `service` of every log line. */
  name: string;
  /** The parsed configuration (its loader has already exited 1 on bad variables). */
  config: C;
  /** The service's migrations folder, applied before build() when MIGRATE_ON_START is true. */
  migrationsDir?: C extends MigratingConfig ? string : never;
  /** Builds the service from its configuration; runService starts it and stops it on shutdown. */
  build: (config: C, deps: { logger: Logger }) => RunnableService;
}

/**
 * Runs one service process. SIGTERM/SIGINT stop it within SHUTDOWN_TIMEOUT_MS (createLifecycle).
 * If migrating, building or starting fails, the failure is logged as fatal, whatever was started
 * is stopped, and the process exits 1 at once: waiting for the event loop to empty instead would
 * let the lifecycle's exit handler end it with 0.
 */
export async function runService<C extends RunnableConfig & Partial<MigratingConfig>>({ name, config, migrationsDir, build }: RunServiceOptions<C>): Promise<void> {
  const logger = createLogger({ service: name, level: config.LOG_LEVEL });
  const lifecycle = createLifecycle({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  lifecycle.installSignalHandlers();
  try {
    if (migrationsDir !== undefined && config.MIGRATE_ON_START === true && config.DATABASE_URL !== undefined) {
      await migrate(config.DATABASE_URL, migrationsDir, logger);
    }
    // Registered first, so it runs last: the spans of the drained work leave too, within a bound.
    lifecycle.onShutdown('tracing', () => flushTracing(logger));
    const service = build(config, { logger });
    lifecycle.onShutdown(name, () => service.stop());
    await service.start();
  } catch (err) {
    logger.fatal({ err }, `${name} failed to start`);
    await lifecycle.shutdown('start failed');
    logger.flush();
    process.exit(1);
  }
}

/** At most this long exporting the last spans at shutdown (the Collector may be gone). */
const TRACING_FLUSH_MS = 2_000;

/** Exports the spans still queued and stops the SDK, when tracing runs; never longer than TRACING_FLUSH_MS. */
async function flushTracing(logger: Logger): Promise<void> {
  const runtime = tracingRuntime();
  if (runtime === undefined) return;
  const flushed = await settleWithin(runtime.shutdown(), TRACING_FLUSH_MS);
  if (!flushed) logger.warn({ spans: runtime.stats }, 'spans not all exported at shutdown');
}

/** Loaded only here, so a service without a database never loads pg and node-pg-migrate. */
async function migrate(databaseUrl: string, dir: string, logger: Logger): Promise<void> {
  const { runMigrations } = await import('./postgres.js');
  await runMigrations({ databaseUrl, dir, logger });
}
