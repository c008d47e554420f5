/**
 * The runner's only reader of process.env: the environment the runner itself was started
 * with, which children inherit (PATH, HOME, …) before the lab sets their own variables.
 */

/** Superuser connection to the local Postgres server; TEST_PG_ADMIN_URL as in @orderlab/platform/testing. */
export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The local RabbitMQ broker without a vhost; TEST_AMQP_URL as in @orderlab/platform/testing. */
export const AMQP_URL = process.env.TEST_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';

/** The local Redis server. */
export const REDIS_URL = 'redis://127.0.0.1:6379';

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
