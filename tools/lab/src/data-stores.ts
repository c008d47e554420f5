/**
 * The lab's own PostgreSQL, Redis and RabbitMQ: one instance each, data under `.lab/data`,
 * logs in `.lab/logs`, state in `.lab/run` — never the machine's system services, so
 * `npm run reset` can wipe everything and chaos can kill them without touching anything
 * else. Each listens on 127.0.0.1, on its standard port when that is free (else on a free one).
 *
 * They are shared: every runner of this checkout (`npm start`, `npm test`, benches) calls
 * acquireDataStores(), which registers it as a user and starts whatever is not running; its
 * release() unregisters it and, when no live user is left, stops them all. A runner killed with
 * SIGKILL leaves them running (they hold data and are not its children); the next acquire
 * adopts them and `npm run stop` stops them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { PORTS } from '@orderlab/contracts/topology';
import { findExecutable, isRoot } from './config.js';
import { tailLines } from './log-sink.js';
import { REPO_ROOT } from './paths.js';
import { freePort, portInUse } from './ports.js';
import { asProbeError, probeAmqp, probePostgres, probeRedis } from './probes.js';
import { silentReporter, type Reporter } from './reporter.js';

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

/** Where to reach the running data stores. */
export interface DataStoreEndpoints {
  postgres: { port: number; /** Superuser URL (trust authentication on 127.0.0.1). */ adminUrl: string };
  redis: { port: number; url: string };
  rabbitmq: {
    port: number;
    /** amqp://guest:guest@127.0.0.1:<port>, without a vhost. */
    url: string;
    /** Erlang node name, e.g. orderlab-1a2b3c4d@localhost. */
    node: string;
    /** A rabbitmqctl that talks to this node (a script the runner writes in .lab/bin). */
    ctl: string;
    prometheusPort: number;
    managementPort: number;
  };
}

/** Acquired data stores; release() exactly once. */
export interface DataStores extends DataStoreEndpoints {
  /** Which of them this acquire started (the others were running already). */
  readonly started: DataStoreName[];
  /** Unregisters this runner; the last live user stops them (bounded). */
  release(): Promise<void>;
}

/** Options of acquireDataStores; the defaults are the checkout's `.lab`. */
export interface DataStoreOptions {
  /** Folder holding data/, logs/, run/ and bin/ (default <repo>/.lab). */
  root?: string;
  reporter?: Reporter;
  /** Ports to prefer (default DATA_STORE_PORTS); taken ones fall back to free ports. */
  preferredPorts?: Partial<Record<keyof typeof DATA_STORE_PORTS, number>>;
  /** The user to register (default this process). */
  userPid?: number;
}

/** What run/<store>.json records about a started instance. */
interface StoreState {
  name: DataStoreName;
  /** Main process (its own process group); for RabbitMQ the broker script. */
  pid: number;
  /** Helper processes stopped after it (RabbitMQ's own epmd). */
  helperPids: number[];
  ports: Record<string, number>;
  node?: string;
  dataDir: string;
  startedAt: string;
}

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

const START_TIMEOUT_MS: Record<DataStoreName, number> = { postgres: 30_000, redis: 15_000, rabbitmq: 90_000 };
/** After SIGTERM/SIGINT, how long a store may take before SIGKILL (RabbitMQ needs ~8 s). */
const STOP_TIMEOUT_MS = 20_000;
/** A lock older than this belongs to a runner that hung or died mid-start. */
const LOCK_STALE_MS = 5 * 60_000;
const LOCK_WAIT_MS = 6 * 60_000;
const POLL_MS = 100;
const INITDB_TIMEOUT_MS = 120_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Layout {
  root: string;
  run: string;
  users: string;
  lock: string;
  logs: string;
  bin: string;
  data: string;
}

function layout(root: string): Layout {
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

/** The default root: the checkout's `.lab`. */
export const DEFAULT_DATA_STORES_ROOT = join(REPO_ROOT, '.lab');

/** True when the pid is a live process (optionally whose command line contains `marker`). */
export function processAlive(pid: number, marker?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!marker) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

const MARKER: Record<DataStoreName, string> = { postgres: 'postgres', redis: 'redis-server', rabbitmq: 'rabbitmq-server' };

// --- lock and users -------------------------------------------------------------------------

/** Serialises acquire/release between runners of one checkout (mkdir is atomic). */
async function withLock<T>(l: Layout, fn: () => Promise<T>): Promise<T> {
  mkdirSync(l.run, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(l.lock);
      writeFileSync(join(l.lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let stale = false;
      try {
        const owner = Number(readFileSync(join(l.lock, 'pid'), 'utf8'));
        stale = !processAlive(owner) || Date.now() - statSync(l.lock).mtimeMs > LOCK_STALE_MS;
      } catch {
        // the owner is between mkdir and writing its pid, or just released
        stale = existsSync(l.lock) && Date.now() - statSync(l.lock, { throwIfNoEntry: false })!.mtimeMs > 5_000;
      }
      if (stale) rmSync(l.lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new DataStoreError(`another runner holds ${l.lock} for too long; remove it if no npm start/test runs`, undefined);
      else await sleep(POLL_MS);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(l.lock, { recursive: true, force: true });
  }
}

function liveUsers(l: Layout): number[] {
  if (!existsSync(l.users)) return [];
  const live: number[] = [];
  for (const name of readdirSync(l.users)) {
    const pid = Number(name);
    if (Number.isInteger(pid) && processAlive(pid)) live.push(pid);
    else rmSync(join(l.users, name), { force: true });
  }
  return live;
}

// --- state ----------------------------------------------------------------------------------

function stateFile(l: Layout, name: DataStoreName): string {
  return join(l.run, `${name}.json`);
}

function readState(l: Layout, name: DataStoreName): StoreState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(l, name), 'utf8')) as StoreState;
  } catch {
    return undefined;
  }
}

/** Stable per checkout, so two checkouts' brokers never share a node name. */
function checkoutId(root: string): string {
  return createHash('sha256').update(root).digest('hex').slice(0, 8);
}

/** `preferred` when free (0: any), else a free port none of `taken`. */
async function pickPort(preferred: number, taken: Set<number>): Promise<number> {
  if (preferred > 0 && !taken.has(preferred) && !(await portInUse(preferred))) {
    taken.add(preferred);
    return preferred;
  }
  for (;;) {
    const port = await freePort();
    if (!taken.has(port)) {
      taken.add(port);
      return port;
    }
  }
}

function endpointsOf(l: Layout, states: Record<DataStoreName, StoreState>): DataStoreEndpoints {
  const pg = states.postgres.ports;
  const redis = states.redis.ports;
  const rabbit = states.rabbitmq.ports;
  return {
    postgres: { port: pg.main!, adminUrl: `postgres://postgres@127.0.0.1:${pg.main}/postgres` },
    redis: { port: redis.main!, url: `redis://127.0.0.1:${redis.main}` },
    rabbitmq: {
      port: rabbit.main!,
      url: `amqp://guest:guest@127.0.0.1:${rabbit.main}`,
      node: states.rabbitmq.node!,
      ctl: join(l.bin, 'rabbitmqctl'),
      prometheusPort: rabbit.prometheus!,
      managementPort: rabbit.management!,
    },
  };
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

interface Launch {
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
function spawnDetached(command: string, args: string[], env: Record<string, string>, logFile: string, cwd: string): number {
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

async function probeStore(name: DataStoreName, state: StoreState, endpoints?: DataStoreEndpoints): Promise<void> {
  const address = { host: '127.0.0.1', port: state.ports.main! };
  if (name === 'postgres') return probePostgres(address, `postgres://postgres@127.0.0.1:${address.port}/postgres`);
  if (name === 'redis') return probeRedis(address);
  await probeAmqp(address);
  // The AMQP port opens before the broker has finished booting; vhost commands need it booted.
  if (endpoints) {
    const ok = spawnSync(endpoints.rabbitmq.ctl, ['-q', 'await_startup', '--timeout', '30'], { timeout: 40_000, stdio: 'ignore' });
    if (ok.status !== 0) throw asProbeError(new Error('rabbitmqctl await_startup did not succeed'));
  }
}

async function waitUp(l: Layout, name: DataStoreName, state: StoreState, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!processAlive(state.pid)) {
      throw new DataStoreError(`${name} exited during start-up; see ${join(l.logs, `${name}.log`)}`, name, tailLines(join(l.logs, `${name}.log`), 15));
    }
    try {
      await probeStore(name, state);
      return;
    } catch (err) {
      last = asProbeError(err).message;
    }
    await sleep(POLL_MS * 2);
  }
  throw new DataStoreError(`${name} did not answer within ${timeoutMs / 1000} s (${last}); see ${join(l.logs, `${name}.log`)}`, name, tailLines(join(l.logs, `${name}.log`), 15));
}

async function startStore(l: Layout, name: DataStoreName, ports: Record<string, number>, reporter: Reporter): Promise<StoreState> {
  const started = Date.now();
  const launch = name === 'postgres' ? await preparePostgres(l, ports, reporter) : name === 'redis' ? prepareRedis(l, ports) : prepareRabbitmq(l, ports);
  mkdirSync(l.logs, { recursive: true });
  const logFile = join(l.logs, `${name}.log`);
  const helperPids = (launch.helpers ?? []).map((h) => spawnDetached(h.command, h.args, launch.env, logFile, l.root));
  const pid = spawnDetached(launch.command, launch.args, launch.env, logFile, name === 'postgres' ? '/' : l.root);
  const state: StoreState = {
    name,
    pid,
    helperPids,
    ports: launch.ports,
    ...(launch.node ? { node: launch.node } : {}),
    dataDir: launch.dataDir,
    startedAt: new Date().toISOString(),
  };
  // Recorded before waiting, so a runner killed now leaves something `npm run stop` can find.
  writeFileSync(stateFile(l, name), `${JSON.stringify(state, null, 2)}\n`);
  try {
    await waitUp(l, name, state, START_TIMEOUT_MS[name]);
  } catch (err) {
    await stopStore(l, state, silentReporter);
    throw err;
  }
  reporter.info(`${name}: own instance up on 127.0.0.1:${ports.main} in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${pid}, data ${launch.dataDir})`);
  return state;
}

/** The ports a store needs: its standard ones when free. */
async function portsFor(name: DataStoreName, preferred: DataStoreOptions['preferredPorts'], taken: Set<number>): Promise<Record<string, number>> {
  const p = { ...DATA_STORE_PORTS, ...preferred };
  if (name === 'postgres') return { main: await pickPort(p.postgres, taken) };
  if (name === 'redis') return { main: await pickPort(p.redis, taken) };
  return {
    main: await pickPort(p.rabbitmq, taken),
    dist: await pickPort(p.rabbitmqDist, taken),
    prometheus: await pickPort(p.rabbitmqPrometheus, taken),
    management: await pickPort(p.rabbitmqManagement, taken),
    // Never the standard 4369: a system Erlang node may rely on that one, and we stop ours.
    epmd: await pickPort(0, taken),
  };
}

// --- stopping -------------------------------------------------------------------------------

/** Sends the store its graceful stop signal, SIGKILLs its process group past the deadline, stops helpers. */
async function stopStore(l: Layout, state: StoreState, reporter: Reporter): Promise<void> {
  const name = state.name;
  // Postgres: SIGINT is its "fast" shutdown (SIGTERM would wait for every client to leave).
  const signal: NodeJS.Signals = name === 'postgres' ? 'SIGINT' : 'SIGTERM';
  const started = Date.now();
  if (processAlive(state.pid, MARKER[name])) {
    try {
      process.kill(state.pid, signal);
    } catch {
      // gone already
    }
    while (processAlive(state.pid, MARKER[name]) && Date.now() - started < STOP_TIMEOUT_MS) await sleep(POLL_MS);
    if (processAlive(state.pid, MARKER[name])) {
      reporter.warn(`${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s of ${signal}; killing it`);
      try {
        process.kill(-state.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    reporter.info(`${name} stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  for (const pid of state.helperPids) {
    try {
      if (processAlive(pid)) process.kill(-pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  rmSync(stateFile(l, name), { force: true });
}

/**
 * Stops every recorded data store of this root (npm run stop / reset) and resolves to their
 * names — unless `unlessUsed` and a live runner still uses them: then nothing stops, and it
 * resolves to that runner's pids instead.
 */
export async function stopDataStores(options: { root?: string; reporter?: Reporter; unlessUsed?: boolean } = {}): Promise<DataStoreName[] | { usedBy: number[] }> {
  const l = layout(options.root ?? DEFAULT_DATA_STORES_ROOT);
  const reporter = options.reporter ?? silentReporter;
  return withLock(l, async () => {
    const users = liveUsers(l);
    if (options.unlessUsed && users.length > 0) return { usedBy: users };
    const states = DATA_STORES.map((n) => readState(l, n)).filter((s): s is StoreState => s !== undefined);
    await Promise.all(states.map((s) => stopStore(l, s, reporter)));
    rmSync(l.users, { recursive: true, force: true });
    return states.map((s) => s.name);
  });
}

// --- acquire / release ------------------------------------------------------------------------

/**
 * Makes sure the checkout's Postgres, Redis and RabbitMQ run (starting the missing ones, in
 * parallel) and registers the caller as a user. Throws DataStoreError when one cannot start.
 */
export async function acquireDataStores(options: DataStoreOptions = {}): Promise<DataStores> {
  const l = layout(options.root ?? DEFAULT_DATA_STORES_ROOT);
  const reporter = options.reporter ?? silentReporter;
  const user = options.userPid ?? process.pid;
  const started: DataStoreName[] = [];
  const states = await withLock(l, async () => {
    mkdirSync(l.users, { recursive: true });
    const taken = new Set<number>();
    const running: Partial<Record<DataStoreName, StoreState>> = {};
    for (const name of DATA_STORES) {
      const state = readState(l, name);
      if (!state) continue;
      if (processAlive(state.pid, MARKER[name])) {
        try {
          await waitUp(l, name, state, 10_000);
          running[name] = state;
          for (const port of Object.values(state.ports)) taken.add(port);
          continue;
        } catch {
          reporter.warn(`${name} (pid ${state.pid}) runs but does not answer; restarting it`);
        }
      }
      await stopStore(l, state, silentReporter);
    }
    const missing = DATA_STORES.filter((n) => !running[n]);
    if (missing.length > 0) reporter.info(`starting the lab's own ${missing.join(', ')} (data in ${l.data})`);
    // Ports are chosen one store after another so none picks another's.
    const plans: [DataStoreName, Record<string, number>][] = [];
    for (const name of missing) plans.push([name, await portsFor(name, options.preferredPorts, taken)]);
    const results = await Promise.allSettled(plans.map(([name, ports]) => startStore(l, name, ports, reporter)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // Leave nothing half-started when this runner is the only user.
      if (liveUsers(l).length === 0) {
        for (const r of results) if (r.status === 'fulfilled') await stopStore(l, r.value, silentReporter);
      }
      throw failed.reason;
    }
    for (const r of results) {
      if (r.status === 'fulfilled') {
        running[r.value.name] = r.value;
        started.push(r.value.name);
      }
    }
    writeFileSync(join(l.users, String(user)), `${new Date().toISOString()}\n`);
    return running as Record<DataStoreName, StoreState>;
  });
  const endpoints = endpointsOf(l, states);
  // A broker adopted from another runner may still be booting; make sure it finished.
  if (!started.includes('rabbitmq')) await probeStore('rabbitmq', states.rabbitmq, endpoints).catch(() => {});
  else await probeStore('rabbitmq', states.rabbitmq, endpoints);
  let released = false;
  return {
    ...endpoints,
    started,
    release: async () => {
      if (released) return;
      released = true;
      await withLock(l, async () => {
        rmSync(join(l.users, String(user)), { force: true });
        if (liveUsers(l).length > 0) return;
        const current = DATA_STORES.map((n) => readState(l, n)).filter((s): s is StoreState => s !== undefined);
        await Promise.all(current.map((s) => stopStore(l, s, reporter)));
      });
    },
  };
}

/** The endpoints of data stores that run now (another runner's), or undefined when any is down. */
export function runningDataStores(root = DEFAULT_DATA_STORES_ROOT): DataStoreEndpoints | undefined {
  const l = layout(root);
  const states = Object.fromEntries(DATA_STORES.map((n) => [n, readState(l, n)])) as Record<DataStoreName, StoreState | undefined>;
  if (DATA_STORES.some((n) => !states[n] || !processAlive(states[n].pid, MARKER[n]))) return undefined;
  return endpointsOf(l, states as Record<DataStoreName, StoreState>);
}

/** Environment that points tests and the lab's services at these data stores (read by config.ts and @orderlab/platform/testing). */
export function dataStoreEnv(stores: DataStoreEndpoints): Record<string, string> {
  return {
    TEST_PG_ADMIN_URL: stores.postgres.adminUrl,
    TEST_REDIS_URL: stores.redis.url,
    TEST_AMQP_URL: stores.rabbitmq.url,
    TEST_RABBITMQCTL: stores.rabbitmq.ctl,
    TEST_RABBITMQ_PROMETHEUS_PORT: String(stores.rabbitmq.prometheusPort),
  };
}

/**
 * What `npm start`, `npm test` and `npm run bench` do first: acquire the data stores and point
 * this process and its children at them (dataStoreEnv). On failure it reports why — with the
 * tail of the store's log — and resolves to undefined.
 */
export async function acquireForCommand(reporter: Reporter, what: string): Promise<DataStores | undefined> {
  try {
    const stores = await acquireDataStores({ reporter });
    Object.assign(process.env, dataStoreEnv(stores));
    return stores;
  } catch (err) {
    if (!(err instanceof DataStoreError)) throw err;
    reporter.error(`cannot ${what}: ${err.message}`);
    for (const line of err.logTail) process.stderr.write(`    ${line}\n`);
    return undefined;
  }
}
