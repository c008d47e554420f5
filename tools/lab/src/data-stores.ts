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
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DATA_STORE_PORTS,
  DATA_STORES,
  DataStoreError,
  layout,
  prepareLaunch,
  spawnDetached,
  type DataStoreName,
  type Layout,
} from './data-store-servers.js';
import { liveUsers, readState, stateFile, withLock, type StoreState } from './data-store-registry.js';
import { tailLines } from './log-sink.js';
import { REPO_ROOT } from './paths.js';
import { freePort, portInUse } from './ports.js';
import { asProbeError, probeAmqp, probePostgres, probeRedis } from './probes.js';
import { processAlive } from './processes.js';
import { silentReporter, type Reporter } from './reporter.js';
import { runCaptured } from './run-captured.js';

export { DATA_STORES, DATA_STORE_PACKAGES, DATA_STORE_PORTS, DataStoreError, locateDataStore, postgresBinDir, type DataStoreName } from './data-store-servers.js';
export { processAlive } from './processes.js';

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

const START_TIMEOUT_MS: Record<DataStoreName, number> = { postgres: 30_000, redis: 15_000, rabbitmq: 90_000 };
/** After SIGTERM/SIGINT, how long a store may take before SIGKILL (RabbitMQ needs ~8 s). */
const STOP_TIMEOUT_MS = 20_000;
const POLL_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The default root: the checkout's `.lab`. */
export const DEFAULT_DATA_STORES_ROOT = join(REPO_ROOT, '.lab');

const MARKER: Record<DataStoreName, string> = { postgres: 'postgres', redis: 'redis-server', rabbitmq: 'rabbitmq-server' };

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
    postgres: { port: pg.main!, adminUrl: postgresAdminUrl(pg.main!) },
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

/** The superuser URL of the lab's Postgres on this port (trust authentication on 127.0.0.1). */
function postgresAdminUrl(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

async function probeStore(name: DataStoreName, state: StoreState): Promise<void> {
  const address = { host: '127.0.0.1', port: state.ports.main! };
  if (name === 'postgres') return probePostgres(address, postgresAdminUrl(address.port));
  if (name === 'redis') return probeRedis(address);
  return probeAmqp(address);
}

/** The AMQP port opens before the broker has finished booting, and vhost commands need it booted. */
async function awaitBrokerBoot(l: Layout): Promise<void> {
  const result = await runCaptured(join(l.bin, 'rabbitmqctl'), ['-q', 'await_startup', '--timeout', '60'], { timeoutMs: 70_000 });
  if (result.code !== 0) {
    throw new DataStoreError(`rabbitmq did not finish booting (rabbitmqctl await_startup: ${result.output.trim().split('\n').at(-1) ?? ''})`, 'rabbitmq', tailLines(join(l.logs, 'rabbitmq.log'), 15));
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
  const launch = await prepareLaunch(l, name, ports, reporter);
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
    if (name === 'rabbitmq') await awaitBrokerBoot(l);
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
  let released = false;
  return {
    ...endpointsOf(l, states),
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
