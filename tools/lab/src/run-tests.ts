/**
 * `npm test [-- filters…]` (after tools/lab/test.mjs installed and built): the Debian packages
 * it needs (installed when missing), the lab's own data stores (started when down, see
 * data-stores.ts), the generated-code check, lint, then every compiled test file in parallel
 * with node:test, then the serial ones (`*.serial.test.ts`) one at a time; the data stores are
 * released at the end. Exit code is node --test's (or 1 when a step before it failed).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { REPO_ROOT } from './paths.js';
import { acquireForCommand } from './data-stores.js';
import { ensureSystemPackages, NGINX, CHROMIUM, DOCKER_COMPOSE, MAKE, PROMETHEUS, EXPORTERS, DATA_STORE_SERVERS } from './system-packages.js';
import { createReporter, type Reporter } from './reporter.js';
import { JAEGER, OTEL_COLLECTOR, SCHEMATHESIS, ToolInstalls, VICTORIALOGS } from './tools.js';

/**
 * Pinned tools the tests use, installed by the tool installer (tools.ts): Schemathesis, and the
 * tracing backends (cold: ~4 min for the Collector, ~6-8 min for Jaeger) and VictoriaLogs (~30 s), started first.
 */
const TEST_TOOLS = [JAEGER, OTEL_COLLECTOR, VICTORIALOGS, SCHEMATHESIS];
/**
 * The tools the tests wait for before they start: a cold build of Jaeger and the Collector
 * takes both cores for 10–15 minutes, and run beside the tests it starved them (a run on a new
 * machine hit the phase's 15-minute limit, and the tracing tests their 5-minute deadline,
 * while the builds were still going). Cached, this wait is nothing.
 */
const AWAITED_TOOLS = [JAEGER, OTEL_COLLECTOR, VICTORIALOGS];

/**
 * Test files run at once. Each file uses its own databases, Redis prefix and ports, so files
 * are independent; on this 2-core machine 4 keeps both cores busy while files wait on I/O.
 */
export const DEFAULT_CONCURRENCY = 4;
/**
 * Per-test deadline: generous, because end-to-end tests start the whole lab and four run at
 * once on two cores (the Bruno run alone needs up to 200 s on a slow day).
 */
export const TEST_TIMEOUT_MS = 300_000;
/** Deadline of each node --test run, so CI (20 min budget) ends even if something hangs. */
export const RUN_TIMEOUT_MS = 15 * 60_000;
/**
 * Files that must run alone, after every other file: they disturb what is shared by all tests
 * (e.g. stop the RabbitMQ broker), which would break tests running beside them.
 */
export const SERIAL_SUFFIX = '.serial.test.ts';

const USAGE = `usage: npm test [-- [--concurrency N] [filter…]]
  filter         run only test files whose path contains it (e.g. services/orders,
                 idempotency, tools/lab/test/supervisor.test.ts); with filters the
                 proto check and lint are skipped
  --concurrency  test files run at once (default ${DEFAULT_CONCURRENCY}); files named
                 *${SERIAL_SUFFIX} always run afterwards, one at a time`;

/** Workspace folders of the root package.json ("services/*" expanded): where tests may live. */
function workspaceDirs(): string[] {
  const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces?: string[] };
  const dirs: string[] = [];
  for (const pattern of root.workspaces ?? []) {
    if (!pattern.endsWith('/*')) {
      dirs.push(join(REPO_ROOT, pattern));
      continue;
    }
    const parent = join(REPO_ROOT, pattern.slice(0, -2));
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push(join(parent, entry.name));
    }
  }
  return dirs.sort();
}

/** A compiled test file and the source it came from, both relative to the repository. */
export interface TestFile {
  compiled: string;
  source: string;
  /** True for `*.serial.test.ts`: it runs alone, after the parallel phase. */
  serial: boolean;
}

/**
 * Every `<workspace>/dist/test/**\/*.test.js` (packages/*, services/*, tools/lab, …) whose `test/**\/*.test.ts` source still exists
 * (tsc -b never deletes outputs, so a deleted test would otherwise keep running).
 */
export function findTestFiles(filters: string[] = []): TestFile[] {
  const files: TestFile[] = [];
  for (const dir of workspaceDirs()) {
    const distTest = join(dir, 'dist', 'test');
    if (!existsSync(distTest)) continue;
    for (const name of readdirSync(distTest, { recursive: true, encoding: 'utf8' })) {
      if (!name.endsWith('.test.js')) continue;
      const source = join(dir, 'test', name.replace(/\.js$/, '.ts'));
      if (!existsSync(source)) continue;
      files.push({
        compiled: relative(REPO_ROOT, join(distTest, name)),
        source: relative(REPO_ROOT, source),
        serial: source.endsWith(SERIAL_SUFFIX),
      });
    }
  }
  const wanted = filters.map((f) => f.replace(/^\.\//, '').split('/').join(sep));
  return files
    .filter((f) => wanted.length === 0 || wanted.some((w) => f.source.includes(w) || f.compiled.includes(w)))
    .sort((a, b) => a.source.localeCompare(b.source));
}

/** Runs a command with inherited stdio; resolves to its exit code (SIGTERM, then SIGKILL, past `timeoutMs`). */
function run(command: string, args: string[], timeoutMs = RUN_TIMEOUT_MS, onTimeout?: () => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
    const timer = setTimeout(() => {
      onTimeout?.();
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, timeoutMs);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(127);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function step(reporter: Reporter, what: string, command: string, args: string[]): Promise<boolean> {
  const started = Date.now();
  reporter.info(`${what}: ${[command === process.execPath ? 'node' : command, ...args].join(' ')}`);
  const code = await run(command, args);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (code !== 0) {
    reporter.error(`${what} failed (exit code ${code}) after ${seconds} s`);
    return false;
  }
  reporter.info(`${what} passed in ${seconds} s`);
  return true;
}

function parseArgs(argv: string[]): { filters: string[]; concurrency: number; help: boolean } | string {
  const filters: string[] = [];
  let concurrency = DEFAULT_CONCURRENCY;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--concurrency' || arg.startsWith('--concurrency=')) {
      const value = arg.includes('=') ? arg.split('=')[1] : argv[++i];
      concurrency = Number(value);
      if (!Number.isInteger(concurrency) || concurrency < 1) return `--concurrency needs a positive integer, got ${value}`;
    } else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else filters.push(arg);
  }
  return { filters, concurrency, help };
}

/** The whole test run; resolves to the exit code. */
export async function main(argv: string[], context: { startedAt?: number } = {}): Promise<number> {
  // Counted from the bootstrap, so install and build time are part of the total.
  const started = context.startedAt ?? Date.now();
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string' || parsed.help) {
    if (typeof parsed === 'string') process.stderr.write(`${parsed}\n`);
    process.stdout.write(`${USAGE}\n`);
    return typeof parsed === 'string' ? 2 : 0;
  }
  const reporter = createReporter({ print: true, color: process.stdout.isTTY === true });
  const total = () => `total time ${((Date.now() - started) / 1000).toFixed(1)} s`;

  const packages = await ensureSystemPackages([...DATA_STORE_SERVERS, NGINX, CHROMIUM, DOCKER_COMPOSE, MAKE, PROMETHEUS, ...EXPORTERS], { reporter });
  for (const line of packages.problems) reporter.error(line);
  if (!packages.ok) {
    reporter.error(`cannot test: install the missing packages above (${total()})`);
    return 1;
  }

  // Every test process inherits their addresses (see @orderlab/platform/testing and config.ts).
  const stores = await acquireForCommand(reporter, 'test');
  if (!stores) return 1;
  const releaseOnSignal = (signal: NodeJS.Signals) => {
    reporter.warn(`${signal}: stopping the data stores`);
    void stores.release().finally(() => process.exit(130));
  };
  process.once('SIGINT', releaseOnSignal);
  process.once('SIGTERM', releaseOnSignal);
  try {
    return await runAll(parsed, reporter, total);
  } finally {
    await stores.release();
  }
}

async function runAll(parsed: { filters: string[]; concurrency: number }, reporter: Reporter, total: () => string): Promise<number> {
  // Tools that Debian lacks build in the background while lint and the first tests run; the
  // tests that need them wait for the same install (the installer's lock) or find it cached.
  const installs = new ToolInstalls({ reporter });
  const started = new Map((parsed.filters.length === 0 ? TEST_TOOLS : []).map((tool) => [tool, installs.start(tool)]));
  for (const install of started.values()) install.catch((err: unknown) => reporter.error(err instanceof Error ? err.message : String(err)));
  if (parsed.filters.length === 0) {
    if (!(await step(reporter, 'generated gRPC code is current', 'npm', ['run', '--silent', 'proto:check']))) return 1;
    const eslint = join(REPO_ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
    if (!(await step(reporter, 'lint', process.execPath, [eslint, '.']))) return 1;
    const building = AWAITED_TOOLS.filter((tool) => started.has(tool));
    const waitStarted = Date.now();
    if (building.length > 0) reporter.info(`the tests start once ${building.map((t) => t.name).join(' and ')} are built (cached: at once; cold: 10–15 minutes on 2 cores)`);
    // A failed install was reported above; the tests that need the tool say so again.
    await Promise.allSettled(building.flatMap((tool) => started.get(tool) ?? []));
    if (building.length > 0) reporter.info(`waited ${((Date.now() - waitStarted) / 1000).toFixed(1)} s for them`);
  } else {
    reporter.info(`filters given (${parsed.filters.join(' ')}): skipping the proto check and lint`);
  }

  const files = findTestFiles(parsed.filters);
  if (files.length === 0) {
    reporter.error(parsed.filters.length ? `no test file matches ${parsed.filters.join(' ')}` : 'no test files found (is everything built?)');
    return 1;
  }
  const parallel = files.filter((f) => !f.serial);
  const serial = files.filter((f) => f.serial);
  const phase = async (name: string, phaseFiles: TestFile[], concurrency: number): Promise<number> => {
    if (phaseFiles.length === 0) return 0;
    const started = Date.now();
    reporter.info(`${name}: ${phaseFiles.length} test file(s), ${concurrency === 1 ? 'one at a time' : `${concurrency} at a time`}`);
    const code = await run(
      process.execPath,
      [
        '--test',
        `--test-concurrency=${concurrency}`,
        `--test-timeout=${TEST_TIMEOUT_MS}`,
        // No --test-force-exit: with it, Node drops the tail of a file's results that were still
        // in the pipe from the file's process (https://github.com/nodejs/node/issues/64833; seen
        // here: a run reported 607 tests of 628, exit 0). A file that leaks a handle instead keeps
        // its phase running until RUN_TIMEOUT_MS, which stops it and fails loudly.
        '--test-reporter=spec',
        ...phaseFiles.map((f) => f.compiled),
      ],
      RUN_TIMEOUT_MS,
      () => reporter.error(`${name} exceeded ${RUN_TIMEOUT_MS / 60_000} min; stopping it`),
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (code === 0) reporter.info(`${name} passed in ${seconds} s`);
    else reporter.error(`${name} failed (exit code ${code}) after ${seconds} s`);
    return code;
  };
  // The serial phase runs even when the parallel one failed: its results are independent.
  const parallelCode = await phase('parallel tests', parallel, parsed.concurrency);
  const serialCode = await phase(`serial tests (*${SERIAL_SUFFIX})`, serial, 1);
  const code = parallelCode || serialCode;
  if (code === 0) reporter.info(`all tests passed — ${total()}`);
  else reporter.error(`tests failed (exit code ${code}) — ${total()}`);
  return code;
}
