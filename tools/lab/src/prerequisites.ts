/**
 * System prerequisites of the native lab: Postgres, Redis and RabbitMQ on localhost. Each is
 * probed; one that is down is started when we are root and its server is installed (saying
 * so, then waiting with a deadline); whatever is still missing is reported one line each,
 * with the exact command that fixes it.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { PG_ADMIN_URL, isRoot, searchPath } from './config.js';
import { silentReporter, type Reporter } from './reporter.js';

/** The system services the lab needs. */
export type PrerequisiteName = 'postgres' | 'redis' | 'rabbitmq';

/** Host and port a prerequisite is expected at. */
export interface Address {
  host: string;
  port: number;
}

/** Outcome of one prerequisite after checking (and maybe starting) it. */
export interface PrerequisiteResult {
  name: PrerequisiteName;
  title: string;
  address: Address;
  required: boolean;
  ok: boolean;
  /** True when the runner started it during this check. */
  started: boolean;
  /** Why it is not ok (probe error), when it is not. */
  error?: string;
  /** The exact shell command that fixes it, when it is not ok. */
  fix?: string;
}

/** All results; `ok` is false when a required prerequisite is missing. */
export interface PrerequisiteReport {
  ok: boolean;
  results: PrerequisiteResult[];
  /** One line per missing prerequisite (required or not), with its fix command. */
  problems: string[];
}

/** Options of ensurePrerequisites; every field has a sensible default for the native lab. */
export interface PrerequisiteOptions {
  /** Which to check (default all three). */
  check?: PrerequisiteName[];
  /** Which must be up for `ok` (default all three: orders publishes to RabbitMQ, notifications consumes from it). */
  required?: PrerequisiteName[];
  /** Where each one is expected (default 127.0.0.1 and its standard port). */
  addresses?: Partial<Record<PrerequisiteName, Partial<Address>>>;
  /** Start what is down when possible (default true; only for the standard local address). */
  autoStart?: boolean;
  /** Superuser URL for the Postgres probe (default TEST_PG_ADMIN_URL or postgres@127.0.0.1). */
  pgAdminUrl?: string;
  reporter?: Reporter;
}

interface Spec {
  title: string;
  defaultPort: number;
  /** Binary whose presence says the server is installed. */
  binary: string;
  aptPackage: string;
  startCommand: string;
  /** How long a freshly started server may take to answer. */
  startTimeoutMs: number;
}

const SPECS: Record<PrerequisiteName, Spec> = {
  postgres: {
    title: 'PostgreSQL',
    defaultPort: 5432,
    binary: 'pg_ctlcluster',
    aptPackage: 'postgresql',
    startCommand: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    startTimeoutMs: 30_000,
  },
  redis: {
    title: 'Redis',
    defaultPort: 6379,
    binary: 'redis-server',
    aptPackage: 'redis-server',
    startCommand:
      'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
    startTimeoutMs: 15_000,
  },
  rabbitmq: {
    title: 'RabbitMQ',
    defaultPort: 5672,
    binary: 'rabbitmq-server',
    aptPackage: 'rabbitmq-server',
    startCommand: 'rabbitmq-server -detached',
    startTimeoutMs: 90_000,
  },
};

const DEFAULT_HOST = '127.0.0.1';
const PROBE_TIMEOUT_MS = 2_000;
const POLL_INTERVAL_MS = 250;
/** The start commands return once the server forks; this bounds a hung one. */
const START_COMMAND_TIMEOUT_MS = 60_000;
/** Errors that mean "nothing answers there" (so starting the server may help). */
const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'PROBE_TIMEOUT']);

class ProbeError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

function asProbeError(err: unknown): ProbeError {
  if (err instanceof ProbeError) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message || e.code || String(err);
  // pg reports a connect timeout as a plain Error.
  const code = e.code ?? (/timeout/i.test(message) ? 'PROBE_TIMEOUT' : 'UNKNOWN');
  return new ProbeError(message, code);
}

/** Opens a TCP connection, optionally sends `send` and waits for a reply that satisfies `accept`. */
function tcpProbe(address: Address, send?: string, accept?: (reply: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port });
    let reply = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => done(new ProbeError(`no answer within ${PROBE_TIMEOUT_MS} ms`, 'PROBE_TIMEOUT')), PROBE_TIMEOUT_MS);
    socket.on('error', (err) => done(asProbeError(err)));
    socket.on('connect', () => {
      if (!send) return done();
      socket.write(send);
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (!reply.includes('\r\n')) return;
      if (accept?.(reply)) done();
      else done(new ProbeError(`unexpected reply ${JSON.stringify(reply.trim())}`, 'BAD_REPLY'));
    });
    socket.on('end', () => done(new ProbeError('connection closed without an answer', 'ECONNRESET')));
  });
}

/** AMQP 0-9-1 protocol header; a broker answers with a Connection.Start method frame (type 1). */
const AMQP_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

/** Opens a TCP connection, sends the AMQP protocol header and waits for the broker's first frame. */
function amqpProbe(address: Address): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port });
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => done(new ProbeError(`no answer within ${PROBE_TIMEOUT_MS} ms`, 'PROBE_TIMEOUT')), PROBE_TIMEOUT_MS);
    socket.on('error', (err) => done(asProbeError(err)));
    socket.on('connect', () => socket.write(AMQP_HEADER));
    socket.on('data', (chunk: Buffer) => {
      if (chunk[0] === 1) done();
      else done(new ProbeError(`not an AMQP 0-9-1 broker (reply starts ${JSON.stringify(chunk.subarray(0, 8).toString('latin1'))})`, 'BAD_REPLY'));
    });
    socket.on('end', () => done(new ProbeError('connection closed without an answer', 'ECONNRESET')));
  });
}

async function probePostgres(address: Address, adminUrl: string): Promise<void> {
  const url = new URL(adminUrl);
  url.hostname = address.host;
  url.port = String(address.port);
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  // A failed connect also emits 'error'; without a listener it would crash the runner.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw asProbeError(err);
  } finally {
    await client.end().catch(() => {});
  }
}

function probe(name: PrerequisiteName, address: Address, adminUrl: string): Promise<void> {
  switch (name) {
    case 'postgres':
      return probePostgres(address, adminUrl);
    case 'redis':
      return tcpProbe(address, 'PING\r\n', (reply) => reply.startsWith('+PONG'));
    case 'rabbitmq':
      return amqpProbe(address);
  }
}

/** Absolute path of an installed executable, looked up in PATH and the sbin folders root uses. */
export function findExecutable(binary: string): string | undefined {
  for (const dir of searchPath()) {
    if (!dir) continue;
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return join(dir, binary);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Runs a start command through sh (it contains `$(…)`), bounded; resolves to its output on failure. */
function runStartCommand(command: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    // Own session: a server started here must outlive a Ctrl-C of the runner.
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), START_COMMAND_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, output: err.message });
    });
    // 'exit', not 'close': a daemon that forked off may keep our pipes open for its lifetime.
    child.on('exit', (code) => {
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ ok: code === 0, output: output.trim() });
    });
  });
}

async function waitUntilUp(name: PrerequisiteName, address: Address, adminUrl: string, timeoutMs: number): Promise<ProbeError | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: ProbeError | undefined;
  while (Date.now() < deadline) {
    try {
      await probe(name, address, adminUrl);
      return undefined;
    } catch (err) {
      last = asProbeError(err);
    }
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
  return last ?? new ProbeError(`not up within ${timeoutMs} ms`, 'PROBE_TIMEOUT');
}

function fixCommand(spec: Spec, installed: boolean): string {
  const sudo = isRoot() ? '' : 'sudo ';
  const start = `${sudo}${spec.startCommand}`;
  return installed ? start : `${sudo}apt-get install -y ${spec.aptPackage} && ${start}`;
}

async function ensureOne(name: PrerequisiteName, options: Required<Omit<PrerequisiteOptions, 'addresses'>> & { address: Address }): Promise<PrerequisiteResult> {
  const spec = SPECS[name];
  const { address, reporter } = options;
  const result: PrerequisiteResult = {
    name,
    title: spec.title,
    address,
    required: options.required.includes(name),
    ok: false,
    started: false,
  };
  let error: ProbeError;
  try {
    await probe(name, address, options.pgAdminUrl);
    return { ...result, ok: true };
  } catch (err) {
    error = asProbeError(err);
  }
  const where = `${address.host}:${address.port}`;
  if (!DOWN_CODES.has(error.code)) {
    // It answers but not as expected (auth, protocol): starting it again would not help.
    const fix = name === 'postgres' ? 'set TEST_PG_ADMIN_URL to a superuser URL that can connect' : `check what listens on ${where}`;
    return { ...result, error: error.message, fix };
  }
  const installed = findExecutable(spec.binary) !== undefined;
  const standardAddress = address.host === DEFAULT_HOST && address.port === spec.defaultPort;
  if (options.autoStart && standardAddress && installed && isRoot()) {
    reporter.info(`${spec.title} is down at ${where}; starting it: ${spec.startCommand}`);
    const run = await runStartCommand(spec.startCommand);
    if (!run.ok) reporter.warn(`${spec.title} start command failed: ${run.output.split('\n').slice(-3).join(' / ')}`);
    const stillDown = await waitUntilUp(name, address, options.pgAdminUrl, spec.startTimeoutMs);
    if (!stillDown) {
      reporter.info(`${spec.title} is up at ${where}`);
      return { ...result, ok: true, started: true };
    }
    error = stillDown;
  }
  return { ...result, error: error.message, fix: fixCommand(spec, installed) };
}

/**
 * Checks every prerequisite, starts the ones that are down when it can, and returns what is
 * still missing. Never throws: a probe failure is a result.
 */
export async function ensurePrerequisites(options: PrerequisiteOptions = {}): Promise<PrerequisiteReport> {
  const names = options.check ?? ['postgres', 'redis', 'rabbitmq'];
  const full = {
    check: names,
    required: options.required ?? ['postgres', 'redis', 'rabbitmq'],
    autoStart: options.autoStart ?? true,
    pgAdminUrl: options.pgAdminUrl ?? PG_ADMIN_URL,
    reporter: options.reporter ?? silentReporter,
  };
  const results = await Promise.all(
    names.map((name) => {
      const override = options.addresses?.[name] ?? {};
      const address = { host: override.host ?? DEFAULT_HOST, port: override.port ?? SPECS[name].defaultPort };
      return ensureOne(name, { ...full, address });
    }),
  );
  const problems = results
    .filter((r) => !r.ok)
    .map(
      (r) =>
        `${r.required ? 'missing' : 'optional, missing'}: ${r.title} at ${r.address.host}:${r.address.port} (${r.error}) — fix: ${r.fix}`,
    );
  return { ok: results.every((r) => r.ok || !r.required), results, problems };
}

/** Tells the user what is up and, one line each, what is missing and how to fix it. */
export function reportPrerequisites(report: PrerequisiteReport, reporter: Reporter): void {
  const up = report.results.filter((r) => r.ok).map((r) => `${r.title} (${r.address.host}:${r.address.port})`);
  if (up.length > 0) reporter.info(`up: ${up.join(', ')}`);
  for (const line of report.problems) reporter.error(line);
}
