/** Where things are in the repository, resolved from this file so any working directory works. */
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** Absolute path of the repository root (this file is tools/lab/dist/src/paths.js once built). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

/** Default folder of the lab's log files (git-ignored). */
export const DEFAULT_LOGS_DIR = join(REPO_ROOT, '.lab', 'logs');

/** Pid files and state of the running lab and its data stores (git-ignored). */
export const DEFAULT_RUN_DIR = join(REPO_ROOT, '.lab', 'run');

/** Default storage of the native lab's Prometheus (git-ignored; kept between runs). */
export const DEFAULT_PROMETHEUS_DATA_DIR = join(REPO_ROOT, '.lab', 'prometheus');

/** Default storage of the native lab's logs: VictoriaLogs' data and the Collector's read offsets (git-ignored; kept between runs). */
export const DEFAULT_LOGS_DATA_DIR = join(REPO_ROOT, '.lab', 'logs-data');

/**
 * The tracing hook every traced service starts with (`node --import <this> main.js`): it starts
 * the OpenTelemetry SDK before the service's first import, or loads nothing with TRACING_ENABLED=false.
 */
export const TRACING_REGISTER = join(REPO_ROOT, 'packages', 'platform', 'dist', 'src', 'tracing', 'register.js');

/** Compiled entry point of a service: services/<name>/dist/src/<file>. */
export function serviceEntry(service: string, file: 'main.js' | 'cli.js'): string {
  return join(REPO_ROOT, 'services', service, 'dist', 'src', file);
}
