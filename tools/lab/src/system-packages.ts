/**
 * Debian packages the lab runs or tests with (the data stores' servers, Nginx for the edge,
 * Prometheus and the exporters for metrics, Chromium, docker-compose and make for tests). The
 * missing ones are installed in one apt-get run when we are root and apt-get exists, saying so
 * and how long it took; otherwise each is reported with the exact command that installs it.
 */
import { findExecutable, isRoot } from './config.js';
import { DATA_STORE_PACKAGES, locateDataStore } from './data-stores.js';
import { silentReporter, type Reporter } from './reporter.js';
import { runCaptured } from './run-captured.js';

/** A program the lab needs and the Debian package that provides it. */
export interface SystemPackage {
  binary: string;
  aptPackage: string;
  /** What it is for, shown when it is installed or missing. */
  why: string;
  /** Finds the installed program when it is not simply `binary` on the PATH. */
  locate?: () => string | undefined;
}

/** The servers of the lab's own data stores (data-stores.ts runs them; it never uses the system services). */
export const DATA_STORE_SERVERS: SystemPackage[] = [
  { binary: 'postgres', aptPackage: DATA_STORE_PACKAGES.postgres, why: "the lab's own PostgreSQL", locate: () => locateDataStore('postgres') },
  { binary: 'redis-server', aptPackage: DATA_STORE_PACKAGES.redis, why: "the lab's own Redis", locate: () => locateDataStore('redis') },
  { binary: 'rabbitmq-server', aptPackage: DATA_STORE_PACKAGES.rabbitmq, why: "the lab's own RabbitMQ", locate: () => locateDataStore('rabbitmq') },
];

/** Nginx, the edge of the native lab. */
export const NGINX: SystemPackage = { binary: 'nginx', aptPackage: 'nginx', why: 'the edge' };
/** Chromium, for the browser test of the traffic generator's status page. */
export const CHROMIUM: SystemPackage = { binary: 'chromium', aptPackage: 'chromium', why: 'the browser test of the status page' };
/** docker-compose (v1 from Debian), for the static checks of compose.yaml (no Docker engine needed). */
export const DOCKER_COMPOSE: SystemPackage = { binary: 'docker-compose', aptPackage: 'docker-compose', why: 'the static checks of compose.yaml' };
/** GNU make, for the check that each Makefile target runs its documented command. */
export const MAKE: SystemPackage = { binary: 'make', aptPackage: 'make', why: 'the checks of the Makefile' };

/** Prometheus (and promtool), scraping the lab and checking its rules. */
export const PROMETHEUS: SystemPackage = { binary: 'prometheus', aptPackage: 'prometheus', why: 'metrics and alert rules' };
/** The exporters Prometheus scrapes for Postgres, Redis and the Nginx edge (Debian's 0.11, 1.45, 0.11). */
export const EXPORTERS: SystemPackage[] = [
  { binary: 'prometheus-postgres-exporter', aptPackage: 'prometheus-postgres-exporter', why: "Postgres's metrics" },
  { binary: 'prometheus-redis-exporter', aptPackage: 'prometheus-redis-exporter', why: "Redis's metrics" },
  { binary: 'prometheus-nginx-exporter', aptPackage: 'prometheus-nginx-exporter', why: "the edge's metrics" },
];

/** Outcome: `missing` lists what is still not installed, one problem line (with its fix) each. */
export interface SystemPackageReport {
  ok: boolean;
  installed: string[];
  problems: string[];
}

const APT_TIMEOUT_MS = 15 * 60_000;

async function run(command: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  const result = await runCaptured(command, args, { timeoutMs: APT_TIMEOUT_MS, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, keepChars: 8_000 });
  return { ok: result.code === 0, output: result.output };
}

/** Makes sure every package's binary exists, installing the missing ones with apt-get when allowed. */
export async function ensureSystemPackages(
  packages: SystemPackage[],
  options: { reporter?: Reporter; install?: boolean } = {},
): Promise<SystemPackageReport> {
  const reporter = options.reporter ?? silentReporter;
  const missing = () => packages.filter((p) => (p.locate ? p.locate() : findExecutable(p.binary)) === undefined);
  const before = missing();
  if (before.length === 0) return { ok: true, installed: [], problems: [] };
  const names = before.map((p) => p.aptPackage);
  const canInstall = (options.install ?? true) && isRoot() && findExecutable('apt-get') !== undefined;
  if (canInstall) {
    reporter.info(`installing ${before.map((p) => `${p.aptPackage} (${p.why})`).join(', ')}: apt-get update && apt-get install -y ${names.join(' ')}`);
    const started = Date.now();
    // apt-get is quiet for a minute or more on a new machine: say it is still at work.
    const ticker = setInterval(() => reporter.info(`still installing (${((Date.now() - started) / 1000).toFixed(0)} s)`), 15_000);
    const update = await run('apt-get', ['update', '-qq']);
    if (!update.ok) reporter.warn(`apt-get update failed: ${update.output.trim().split('\n').slice(-2).join(' / ')}`);
    const install = await run('apt-get', ['install', '-y', '-qq', ...names]);
    if (!install.ok) reporter.error(`apt-get install failed: ${install.output.trim().split('\n').slice(-3).join(' / ')}`);
    else reporter.info(`installed ${names.join(', ')} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    clearInterval(ticker);
  }
  const after = missing();
  const sudo = isRoot() ? '' : 'sudo ';
  return {
    ok: after.length === 0,
    installed: before.filter((p) => !after.includes(p)).map((p) => p.aptPackage),
    problems: after.map((p) => `${p.binary} is not installed (needed for ${p.why}); fix: ${sudo}apt-get update && ${sudo}apt-get install -y ${p.aptPackage}`),
  };
}
