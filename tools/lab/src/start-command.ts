/**
 * `npm start` (after tools/lab/start.mjs installed and built): the Debian packages it needs
 * (installed when missing), the lab's own data stores (data-stores.ts), databases, migrations
 * and seed, every service supervised and ready, then the URLs; Ctrl-C stops everything —
 * services, then the data stores unless another runner still uses them — and exits 0.
 */
import { join, relative } from 'node:path';
import { startLab, type Lab } from './lab.js';
import { LabStartError } from './lab-start-error.js';
import type { LogOutput } from './log-sink.js';
import { DEFAULT_RUN_DIR, REPO_ROOT } from './paths.js';
import { removeLabRecord, stopRecordedLab, writeLabRecord, type LabRecord } from './lab-record.js';
import { PortInUseError } from './ports.js';
import { acquireForCommand, type DataStores } from './data-stores.js';
import { DATA_STORE_SERVERS, ensureSystemPackages, EXPORTERS, NGINX, PROMETHEUS } from './system-packages.js';
import { createReporter } from './reporter.js';
import { logsFromEnv, tracingFromEnv } from './config.js';

const USAGE = `usage: npm start [-- options]
  --raw        show the services' raw JSON log lines instead of pretty ones
  --quiet      show no service log lines (they still go to .lab/logs)
  --no-seed    do not seed the orders database
  --no-traffic do not start the traffic generator
  --no-prometheus  do not start Prometheus and the exporters
  --no-tracing do not trace the services (TRACING_ENABLED=false) and do not run the
               OpenTelemetry Collector and Jaeger (nor the logs pipeline, which the
               Collector runs); TRACING_ENABLED=false npm start does the same
  --no-logs    do not ship the log files to VictoriaLogs and do not run it;
               LOGS_ENABLED=false npm start does the same
  --help       this text

A lab already running from this checkout (another terminal, or left behind) is stopped first.
npm run stop stops it from another terminal; npm run reset also deletes its data (.lab/).`;

interface Args {
  output?: LogOutput;
  seed: boolean;
  traffic: boolean;
  prometheus: boolean;
  tracing: boolean;
  logs: boolean;
  help: boolean;
  unknown: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seed: true, traffic: true, prometheus: true, tracing: true, logs: true, help: false, unknown: [] };
  for (const arg of argv) {
    if (arg === '--raw') args.output = 'raw';
    else if (arg === '--quiet') args.output = 'none';
    else if (arg === '--no-seed') args.seed = false;
    else if (arg === '--no-traffic') args.traffic = false;
    else if (arg === '--no-prometheus') args.prometheus = false;
    else if (arg === '--no-tracing') args.tracing = false;
    else if (arg === '--no-logs') args.logs = false;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else args.unknown.push(arg);
  }
  return args;
}

/** The banner's Prometheus line: its URL and what it scrapes, or why it does not run and how to fix that. */
function prometheusRow(lab: Lab, wanted: boolean): string {
  if (lab.urls.prometheus) {
    return `${lab.urls.prometheus}  (targets: /targets, alerts: /alerts; scrapes ${lab.scrapeJobs.join(', ')})`;
  }
  if (!wanted) return 'not started (--no-prometheus)';
  return `not installed; to get metrics and alerts: ${process.getuid?.() === 0 ? '' : 'sudo '}apt-get install -y prometheus ${EXPORTERS.map((p) => p.aptPackage).join(' ')}`;
}

/** The banner's tracing lines: the console's traces view and Jaeger's API, or what is still being built, or why not. */
function tracingRows(lab: Lab): [string, string][] {
  const urls = lab.urls.tracing;
  if (!lab.tracing || !urls) return [['traces', 'off (--no-tracing or TRACING_ENABLED=false): the services export no spans']];
  const states: Record<ReturnType<Lab['tracingStatus']>, string> = {
    running: 'the Collector and Jaeger run',
    starting: 'the Collector and Jaeger are starting',
    installing: `${lab.describeTracing()}; they start once built (see lab.log), the services' spans until then are dropped`,
    failed: lab.describeTracing(),
    cancelled: lab.describeTracing(),
    off: 'off',
  };
  const state = states[lab.tracingStatus()];
  return [
    ['traces', `${lab.urls.traces ?? '(the console needs the traffic generator)'}  (the console's traces view; ${state})`],
    ['Jaeger API', `${urls.jaegerQuery}/api/traces/<trace id>, /api/services  (no web UI in Jaeger's Go module)`],
    ['OTLP', `${urls.otlpHttp}/v1/traces  (the Collector; span metrics: ${urls.spanMetrics})`],
  ];
}

/** The banner's logs line: VictoriaLogs' UI and API, or what is still being built, or why not. */
function logsRow(lab: Lab, wanted: boolean): [string, string] {
  if (!lab.logs || !lab.urls.logs) {
    const why = !wanted ? '--no-logs or LOGS_ENABLED=false' : '--no-tracing: the Collector ships the lines';
    return ['log store', `off (${why}); the lines are still in the log files`];
  }
  const states: Record<ReturnType<Lab['logsStatus']>, string> = {
    running: 'VictoriaLogs runs',
    starting: 'VictoriaLogs is starting',
    installing: `${lab.describeLogs()}; it starts once built and the Collector then ships every line written so far`,
    failed: lab.describeLogs(),
    cancelled: lab.describeLogs(),
    off: 'off',
  };
  const base = lab.urls.logs;
  return ['log store', `${base}/select/vmui/  (VictoriaLogs' UI; LogsQL: ${base}/select/logsql/query; ${states[lab.logsStatus()]})`];
}

function banner(lab: Lab, color: boolean, prometheusWanted: boolean, logsWanted: boolean, stores: DataStores): string {
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
  const logs = relative(REPO_ROOT, lab.logsDir) || '.';
  const edge = lab.urls.edge;
  const trafficOn = lab.enabled.includes('traffic');
  const rows: [string, string][] = [
    ['traffic', trafficOn ? `${lab.urls.traffic}/  (status page; modes: curl -X POST ${lab.urls.traffic}/mode/burst)` : 'not started (--no-traffic)'],
    ['REST API', `${edge}/api/v1  (through the Nginx edge, the only public entry)`],
    ['API docs', `${edge}/docs  (OpenAPI: ${edge}/api/v1/openapi.json)`],
    ['notifications', `${edge}/api/v1/notifications?orderId=<id>`],
    ['  its docs', `${edge}/api/v1/notifications/docs  (OpenAPI: …/notifications/openapi.json)`],
    ['behind it', `gateway ${lab.urls.gateway}, notifications ${lab.urls.notifications}, stub_status ${lab.urls.edgeStatus}`],
    ['orders gRPC', lab.urls.ordersGrpc],
    ['PostgreSQL', `${stores.postgres.adminUrl}  (the lab's own; databases orders, fulfillment, notifications)`],
    ['Redis', `${stores.redis.url}  (the lab's own)`],
    ['RabbitMQ', `${lab.rabbitmq.url.replace(/\/\/[^@]*@/, '//')} (vhost ${lab.rabbitmq.vhost}), exchange orderlab.events; management UI http://127.0.0.1:${stores.rabbitmq.managementPort}/ (guest/guest); CLI ${relative(REPO_ROOT, stores.rabbitmq.ctl)}`],
    ['Prometheus', prometheusRow(lab, prometheusWanted)],
    ...lab.monitoringProblems.map((line): [string, string] => ['', line]),
    ...tracingRows(lab),
    logsRow(lab, logsWanted),
    ['health', `${lab.urls.gateway}/readyz  ${lab.urls.ordersOps}/readyz  ${lab.urls.fulfillmentOps}/readyz  ${lab.urls.notifications}/readyz`],
    ['logs', `${logs}/<service>.log (JSON lines; edge.log: Nginx's access log; rotated by size to .1 … .3), ${logs}/lab.log (this runner)`],
    ['try', `curl -i ${edge}/api/v1/products`],
  ];
  return [
    '',
    bold('OrderLab is running'),
    ...rows.map(([k, v]) => `  ${k.padEnd(14)} ${v}`),
    '',
    bold('Ctrl-C to stop'),
    '',
  ].join('\n');
}

/** Runs the native lab until SIGINT/SIGTERM; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const tracingEnv = tracingFromEnv();
  if (typeof tracingEnv === 'string') {
    process.stderr.write(`${tracingEnv}\n`);
    return 2;
  }
  if (tracingEnv === false) args.tracing = false;
  const logsEnv = logsFromEnv();
  if (typeof logsEnv === 'string') {
    process.stderr.write(`${logsEnv}\n`);
    return 2;
  }
  if (logsEnv === false) args.logs = false;
  if (args.help || args.unknown.length > 0) {
    if (args.unknown.length > 0) process.stderr.write(`unknown option(s): ${args.unknown.join(' ')}\n`);
    process.stdout.write(`${USAGE}\n`);
    return args.help ? 0 : 2;
  }
  const color = process.stdout.isTTY === true;
  const reporter = createReporter({ print: true, color });

  // Until the lab is up a Ctrl-C stops what started (the supervisor's exit hook kills the
  // services; the data stores are released) and exits.
  const held: { stores?: DataStores } = {};
  const abortStartup = () => {
    reporter.warn('interrupted during start-up');
    void (held.stores?.release() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', abortStartup);
  process.once('SIGTERM', abortStartup);

  const packages = await ensureSystemPackages([...DATA_STORE_SERVERS, NGINX], { reporter });
  for (const line of packages.problems) reporter.error(line);
  if (!packages.ok) {
    reporter.error(`cannot start: install the missing packages above and run npm start again`);
    return 1;
  }
  if (args.prometheus) {
    // Optional: installed when we are root; without them the lab runs, unobserved.
    const monitoring = await ensureSystemPackages([PROMETHEUS, ...EXPORTERS], { reporter });
    for (const line of monitoring.problems) reporter.warn(`optional: ${line}`);
  }

  const stores = await acquireForCommand(reporter, 'start');
  if (!stores) return 1;
  held.stores = stores;
  // A lab started from this checkout in another terminal, or left behind by a runner that was
  // killed: stopped first, saying so (npm start "takes over").
  await stopRecordedLab(DEFAULT_RUN_DIR, reporter);
  const record: LabRecord = { runnerPid: process.pid, startedAt: new Date().toISOString(), children: {} };
  writeLabRecord(DEFAULT_RUN_DIR, record);
  try {
    return await runLab(args, color, stores, record);
  } finally {
    removeLabRecord(DEFAULT_RUN_DIR);
    await stores.release();
  }
}

async function runLab(args: Args, color: boolean, stores: DataStores, record: LabRecord): Promise<number> {
  const reporter = createReporter({ print: true, color });
  let lab: Lab;
  try {
    lab = await startLab({
      onSpawn: (name, pid, marker) => {
        record.children[name] = { pid, marker };
        writeLabRecord(DEFAULT_RUN_DIR, record);
      },
      seed: args.seed,
      traffic: args.traffic,
      ...(args.prometheus ? {} : { prometheus: false }),
      tracing: args.tracing,
      logs: args.logs,
      color,
      ...(args.output ? { output: args.output } : {}),
    });
  } catch (err) {
    if (err instanceof PortInUseError) {
      reporter.error(err.message);
      return 1;
    }
    if (err instanceof LabStartError) {
      reporter.error(err.message);
      if (err.logTail.length > 0) {
        reporter.error(`last lines of ${err.service ?? 'its'} log:`);
        for (const line of err.logTail) process.stderr.write(`    ${line}\n`);
      }
      return 1;
    }
    throw err;
  }
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  record.edge = lab.urls.edge;
  writeLabRecord(DEFAULT_RUN_DIR, record);
  process.stdout.write(banner(lab, color, args.prometheus, args.logs, stores));
  const labReporter = createReporter({ print: true, color, logFile: join(lab.logsDir, 'lab.log') });

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  if (color) process.stdout.write('\n');
  labReporter.info(`${signal}: stopping every service (Ctrl-C again to kill them)`);
  const force = () => {
    // The exit hook SIGKILLs every child's process group.
    labReporter.warn('killing every service now (the data stores keep running: npm run stop stops them)');
    process.exit(1);
  };
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await lab.stop();
  labReporter.info('services stopped');
  return 0;
}
