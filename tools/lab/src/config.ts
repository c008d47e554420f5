/**
 * The runner's only reader of process.env: the environment the runner itself was started
 * with, which children inherit (PATH, HOME, …) before the lab sets their own variables. The
 * data stores' addresses are read when asked, because the runner sets them (acquireForCommand
 * in data-stores.ts) once it has started them.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_URLS, PORTS } from '@orderlab/contracts/topology';

/** Superuser connection to the lab's Postgres; TEST_PG_ADMIN_URL as in @orderlab/platform/testing. */
export function pgAdminUrl(): string {
  return process.env.TEST_PG_ADMIN_URL || DEFAULT_URLS.postgresAdmin;
}

/** The lab's RabbitMQ broker without a vhost; TEST_AMQP_URL as in @orderlab/platform/testing. */
export function amqpUrl(): string {
  return process.env.TEST_AMQP_URL || DEFAULT_URLS.rabbitmq;
}

/** The lab's Redis server; TEST_REDIS_URL as in @orderlab/platform/testing. */
export function redisUrl(): string {
  return process.env.TEST_REDIS_URL || DEFAULT_URLS.redis;
}

/**
 * TRACING_ENABLED of the runner's own environment, for `TRACING_ENABLED=false npm start` (the
 * same switch the services read): true, false, or undefined when unset; a string when malformed.
 */
export function tracingFromEnv(): boolean | undefined | string {
  const value = process.env.TRACING_ENABLED;
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return `TRACING_ENABLED must be true or false (got ${JSON.stringify(value)})`;
}

/**
 * LOGS_ENABLED of the runner's own environment, for `LOGS_ENABLED=false npm start`: true, false,
 * or undefined when unset; a string when malformed.
 */
export function logsFromEnv(): boolean | undefined | string {
  const value = process.env.LOGS_ENABLED;
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return `LOGS_ENABLED must be true or false (got ${JSON.stringify(value)})`;
}

/** Port of the lab's broker's rabbitmq_prometheus plugin. */
export function rabbitmqPrometheusPort(): number {
  return Number(process.env.TEST_RABBITMQ_PROMETHEUS_PORT || PORTS.rabbitmqPrometheus);
}


/** Variables a child must not inherit: node:test's marker would make a child service think it is a test file. */
const NOT_INHERITED = new Set(['NODE_TEST_CONTEXT', 'NODE_OPTIONS']);

/** The runner's environment minus what must not leak into children. */
export function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !NOT_INHERITED.has(key)) env[key] = value;
  }
  return env;
}

/** True when the runner runs as root (so it may start system services). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Folders searched for server binaries: PATH plus the sbin folders root uses. */
export function searchPath(): string[] {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];
  return [...new Set(dirs.filter(Boolean))];
}

/** Absolute path of an installed executable, looked up in PATH and the sbin folders root uses. */
export function findExecutable(binary: string): string | undefined {
  for (const dir of searchPath()) {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return join(dir, binary);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}
