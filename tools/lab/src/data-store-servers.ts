/**
 * How each of the lab's data stores is found, set up and launched: Postgres (initdb, run as the
 * postgres user when root), Redis (append-only, bounded memory) and RabbitMQ (its own node,
 * config, plugins, cookie and port mapper). data-stores.ts decides when; this file knows how.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PORTS } from '@orderlab/contracts/topology';
import { findExecutable, isRoot } from './config.js';
import type { Reporter } from './reporter.js';

/** The data stores, in start order. */
export const DATA_STORES = ['postgres', 'redis', 'rabbitmq'] as const;
/** One of the data stores. */
export type DataStoreName = (typeof DATA_STORES)[number];

/** The Debian packages that provide them (installed by the runner when missing, see system-packages.ts). */
export const DATA_STORE_PACKAGES: Record<DataStoreName, string> = {
  postgres: 'postgresql',
  redis: 'redis-server',
  rabbitmq: 'rabbitmq-server',
};

/** Standard ports (from the topology), used when free. */
export const DATA_STORE_PORTS = {
  postgres: PORTS.postgres,
  redis: PORTS.redis,
  rabbitmq: PORTS.rabbitmq,
  /** rabbitmq_prometheus, scraped by the lab's Prometheus. */
  rabbitmqPrometheus: PORTS.rabbitmqPrometheus,
  /** The management UI and HTTP API. */
  rabbitmqManagement: PORTS.rabbitmqManagement,
  /** Erlang distribution (rabbitmqctl talks to the node through it). */
  rabbitmqDist: PORTS.rabbitmqDist,
} as const;

/** Thrown when a data store cannot be installed, started or reached; the message says what to do. */
export class DataStoreError extends Error {
  constructor(
    message: string,
    readonly store: DataStoreName | undefined,
    readonly logTail: string[] = [],
  ) {
    super(message);
    this.name = 'DataStoreError';
  }
}

const INITDB_TIMEOUT_MS = 120_000;

/** The folders of a data-stores root. */
export interface Layout {
  root: string;
  run: string;
  users: string;
  lock: string;
  logs: string;
  bin: string;
  data: string;
}

/** The folders under `root`. */
export function layout(root: string): Layout {
  return {
    root,
    run: join(root, 'run'),
    users: join(root, 'run', 'users'),
    lock: join(root, 'run', 'data-stores.lock'),
    logs: join(root, 'logs'),
    bin: join(root, 'bin'),
    data: join(root, 'data'),
  };
}


/** Stable per checkout, so two checkouts' brokers never share a node name. */
export function checkoutId(root: string): string {
  return createHash('sha256').update(root).digest('hex').slice(0, 8);
}

// --- finding the servers --------------------------------------------------------------------

/** Folder of Postgres's server programs (initdb, postgres): PATH, else Debian's newest /usr/lib/postgresql/<v>/bin. */
export function postgresBinDir(): string | undefined {
  const onPath = findExecutable('initdb');
  if (onPath && findExecutable('postgres')) return dirname(onPath);
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

/** RabbitMQ's own scripts (Debian's /usr/sbin ones switch to the rabbitmq user and its cookie). */
function rabbitmqScripts(): { server: string; ctl: string } | undefined {
  const debian = '/usr/lib/rabbitmq/bin';
  if (existsSync(join(debian, 'rabbitmq-server'))) return { server: join(debian, 'rabbitmq-server'), ctl: join(debian, 'rabbitmqctl') };
  const server = findExecutable('rabbitmq-server');
  const ctl = findExecutable('rabbitmqctl');
  return server && ctl ? { server, ctl } : undefined;
}

/** Where each store's server is, or undefined when it is not installed. */
export function locateDataStore(name: DataStoreName): string | undefined {
  if (name === 'postgres') return postgresBinDir();
  if (name === 'redis') return findExecutable('redis-server');
  return rabbitmqScripts()?.server;
}

/** Runs a command as the postgres user when we are root (Postgres refuses to run as root). */
function asPostgresUser(command: string, args: string[]): { command: string; args: string[] } {
  if (!isRoot()) return { command, args };
  return { command: 'setpriv', args: ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args] };
}

/**
 * Postgres's data folder: `<root>/data/postgres`, or — when we are root and the postgres user
 * cannot reach that path (a checkout under a private home or temp folder) —
 * `/var/lib/orderlab/<checkout id>/postgres`.
 */
function postgresDataDir(l: Layout): string {
  const inside = join(l.data, 'postgres');
  mkdirSync(inside, { recursive: true });
  if (!isRoot()) return inside;
  chownPostgres(inside);
  const probe = spawnSync('setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', 'test', '-w', inside, '-a', '-x', inside]);
  if (probe.status === 0) return inside;
  const outside = join('/var/lib/orderlab', checkoutId(l.root), 'postgres');
  mkdirSync(outside, { recursive: true });
  chownPostgres(outside);
  writeFileSync(join(inside, 'LOCATION'), `${outside}\n(the postgres user cannot reach this folder, so the data lives there; npm run reset removes both)\n`);
  return outside;
}

function chownPostgres(dir: string): void {
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) throw new DataStoreError('the postgres user does not exist (it comes with the postgresql package); fix: apt-get install -y postgresql', 'postgres');
  chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  chmodSync(dir, 0o700);
}

// --- starting -------------------------------------------------------------------------------

/** How to start a store: its command, environment, helpers, ports and data folder. */
export interface Launch {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Processes to start before it (RabbitMQ's epmd), detached likewise. */
  helpers?: { command: string; args: string[] }[];
  ports: Record<string, number>;
  node?: string;
  dataDir: string;
}

/** Starts a detached process (own session and process group) writing to logFile; returns its pid. */
export function spawnDetached(command: string, args: string[], env: Record<string, string>, logFile: string, cwd: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env, cwd });
    child.on('error', () => {}); // surfaced by the readiness wait (the pid is gone)
    child.unref();
    if (child.pid === undefined) throw new DataStoreError(`could not start ${command}`, undefined);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'LANG', 'LC_ALL', 'TZ']) {
    const value = process.env[key];
    if (value) env[key] = value;
  }
  env.PATH = `${env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;
  return env;
}

async function preparePostgres(l: Layout, ports: Record<string, number>, reporter: Reporter): Promise<Launch> {
  const bin = postgresBinDir();
  if (!bin) throw new DataStoreError('PostgreSQL is not installed; fix: apt-get install -y postgresql', 'postgres');
  const dataDir = postgresDataDir(l);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    reporter.info(`postgres: creating its cluster in ${dataDir} (initdb)`);
    const init = asPostgresUser(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-instructions']);
    const run = spawnSync(init.command, init.args, { encoding: 'utf8', timeout: INITDB_TIMEOUT_MS, cwd: '/' });
    if (run.status !== 0) throw new DataStoreError(`initdb failed: ${(run.stderr || run.error?.message || '').trim().split('\n').slice(-3).join(' / ')}`, 'postgres');
  }
  const launch = asPostgresUser(join(bin, 'postgres'), [
    '-D', dataDir,
    '-p', String(ports.main),
    '-c', 'listen_addresses=127.0.0.1',
    // TCP only: a socket path inside a deep checkout can exceed the 107-byte limit.
    '-c', 'unix_socket_directories=',
    // Four test files at once, each with a lab of three pooled services, plus admin connections.
    '-c', 'max_connections=300',
  ]);
  return { ...launch, env: baseEnv(), ports, dataDir };
}

function prepareRedis(l: Layout, ports: Record<string, number>): Launch {
  const server = findExecutable('redis-server');
  if (!server) throw new DataStoreError('Redis is not installed; fix: apt-get install -y redis-server', 'redis');
  const dataDir = join(l.data, 'redis');
  mkdirSync(dataDir, { recursive: true });
  const args = [
    '--bind', '127.0.0.1',
    '--port', String(ports.main),
    '--dir', dataDir,
    // The stream holds fulfillment requests the outbox already marked sent: an append-only file
    // (fsync once a second) keeps them across a crash or a chaos kill.
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    '--daemonize', 'no',
    '--logfile', '',
    // Bounded: writes fail (the relay retries) rather than the machine swapping; nothing is evicted.
    '--maxmemory', '512mb',
    '--maxmemory-policy', 'noeviction',
  ];
  return { command: server, args, env: baseEnv(), ports, dataDir };
}

function rabbitmqEnv(l: Layout, node: string, ports: Record<string, number>): Record<string, string> {
  const base = join(l.data, 'rabbitmq');
  return {
    // Its own Erlang cookie lives here, shared by the broker and .lab/bin/rabbitmqctl.
    HOME: join(base, 'home'),
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(ports.main),
    RABBITMQ_DIST_PORT: String(ports.dist),
    RABBITMQ_MNESIA_BASE: join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: join(base, 'log'),
    RABBITMQ_CONFIG_FILE: join(base, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(base, 'enabled_plugins'),
    RABBITMQ_PLUGINS_EXPAND_DIR: join(base, 'plugins-expand'),
    // An empty env file, so a system /etc/rabbitmq/rabbitmq-env.conf changes nothing here.
    RABBITMQ_CONF_ENV_FILE: join(base, 'rabbitmq-env.conf'),
    RABBITMQ_PID_FILE: join(base, 'rabbitmq.pid'),
    // Erlang distribution on loopback only, through the lab's own port mapper (epmd).
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_EPMD_PORT: String(ports.epmd),
  };
}

function prepareRabbitmq(l: Layout, ports: Record<string, number>): Launch {
  const scripts = rabbitmqScripts();
  const epmd = findExecutable('epmd');
  if (!scripts || !epmd) throw new DataStoreError('RabbitMQ is not installed; fix: apt-get install -y rabbitmq-server', 'rabbitmq');
  const base = join(l.data, 'rabbitmq');
  for (const dir of ['home', 'mnesia', 'log', 'plugins-expand']) mkdirSync(join(base, dir), { recursive: true });
  const node = `orderlab-${checkoutId(l.root)}@localhost`;
  writeFileSync(
    join(base, 'rabbitmq.conf'),
    [
      '# The lab own broker (written by the lab runner on every start; edits are overwritten).',
      `listeners.tcp.default = 127.0.0.1:${ports.main}`,
      'prometheus.tcp.ip = 127.0.0.1',
      `prometheus.tcp.port = ${ports.prometheus}`,
      'management.tcp.ip = 127.0.0.1',
      `management.tcp.port = ${ports.management}`,
      'log.console = true',
      'log.console.level = warning',
      'log.file = false',
      // A full disk blocks publishers instead of corrupting the message store.
      'disk_free_limit.absolute = 200MB',
      '',
    ].join('\n'),
  );
  writeFileSync(join(base, 'enabled_plugins'), '[rabbitmq_prometheus,rabbitmq_management].\n');
  writeFileSync(join(base, 'rabbitmq-env.conf'), '');
  const env = { ...baseEnv(), ...rabbitmqEnv(l, node, ports) };
  writeCtlScript(l, scripts.ctl, rabbitmqEnv(l, node, ports));
  return {
    command: scripts.server,
    args: [],
    env,
    helpers: [{ command: epmd, args: ['-address', '127.0.0.1', '-port', String(ports.epmd)] }],
    ports,
    node,
    dataDir: base,
  };
}

/** `.lab/bin/rabbitmqctl`: the real rabbitmqctl pointed at the lab's node, for tests and for you. */
function writeCtlScript(l: Layout, ctl: string, env: Record<string, string>): void {
  mkdirSync(l.bin, { recursive: true });
  const keep = ['HOME', 'RABBITMQ_NODENAME', 'RABBITMQ_CONF_ENV_FILE', 'ERL_EPMD_ADDRESS', 'ERL_EPMD_PORT'];
  const exports = keep.map((k) => `export ${k}='${env[k] ?? ''}'`);
  const script = ['#!/bin/sh', "# rabbitmqctl for the lab's own RabbitMQ node (written by the lab runner).", ...exports, `exec '${ctl}' "$@"`, ''];
  const file = join(l.bin, 'rabbitmqctl');
  writeFileSync(file, script.join('\n'));
  chmodSync(file, 0o755);
}

/** The launch of `name` on these ports, its folders prepared (Postgres: initdb on first use). */
export async function prepareLaunch(l: Layout, name: DataStoreName, ports: Record<string, number>, reporter: Reporter): Promise<Launch> {
  if (name === 'postgres') return preparePostgres(l, ports, reporter);
  return name === 'redis' ? prepareRedis(l, ports) : prepareRabbitmq(l, ports);
}
