/**
 * The lab's monitoring: which of Prometheus and the exporters run (what is installed and
 * asked for), how each is started, and bringing them up once the services are ready, with a
 * prometheus.yml that scrapes only what runs (the jobs and commands are in prometheus.ts).
 */
import { join } from 'node:path';
import { HOST } from '@orderlab/contracts/topology';
import { findExecutable, inheritedEnv } from './config.js';
import type { LabOptions, LabPorts, LabService, ResolvedLabOptions } from './lab-options.js';
import { LabStartError } from './lab-start-error.js';
import { DEFAULT_PROMETHEUS_DATA_DIR } from './paths.js';
import {
  EXPORTER_PACKAGES,
  checkPrometheusConfig,
  ensureRabbitmqPrometheus,
  exporterCommand,
  nativeScrapeJobs,
  prometheusArgs,
  type Exporter,
  type Monitor,
  type ScrapeSource,
} from './prometheus.js';
import { writePrometheusConfig } from './prometheus-config.js';
import type { Reporter } from './reporter.js';
import type { ServiceSpec, Supervisor } from './supervisor.js';

/** The exporters a lab with Prometheus runs, unless `exporters: false`. */
const EXPORTERS: readonly Exporter[] = ['edge-exporter', 'postgres-exporter', 'redis-exporter'];

/** Which monitoring processes a lab runs, decided before anything starts. */
export interface MonitoringPlan {
  /** Where Prometheus is installed, if it is. */
  prometheusBinary: string | undefined;
  /** Whether Prometheus runs. */
  prometheusOn: boolean;
  /** The exporters asked for; with any of them, RabbitMQ's plugin is scraped too. */
  wantedExporters: readonly Exporter[];
  /** Those that run: installed, and the edge's only with the edge. */
  exporters: readonly Exporter[];
  /** Every monitoring process that runs, Prometheus last. */
  monitors: readonly Monitor[];
  /** Why parts of the monitoring do not run, one line each with its fix (startMonitoring adds RabbitMQ's). */
  problems: string[];
}

/**
 * Prometheus runs when asked for or, by default, when installed; asked for and missing is a
 * LabStartError. A missing exporter is only a problem line: the lab runs without it.
 */
export function planMonitoring(options: LabOptions, edgeOn: boolean): MonitoringPlan {
  const prometheusBinary = findExecutable('prometheus');
  const prometheusOn = options.prometheus ?? prometheusBinary !== undefined;
  if (prometheusOn && !prometheusBinary) {
    throw new LabStartError('prometheus is not installed; fix: apt-get install -y prometheus (npm start installs it when run as root)', 'prometheus');
  }
  const problems: string[] = [];
  const wantedExporters = prometheusOn && (options.exporters ?? true) ? EXPORTERS : [];
  const exporters = wantedExporters.filter((e) => {
    if (e === 'edge-exporter' && !edgeOn) return false;
    if (findExecutable(EXPORTER_PACKAGES[e])) return true;
    problems.push(`${e} does not run: ${EXPORTER_PACKAGES[e]} is not installed; fix: apt-get install -y ${EXPORTER_PACKAGES[e]}`);
    return false;
  });
  const monitors: Monitor[] = prometheusOn ? [...exporters, 'prometheus'] : [];
  return { prometheusBinary, prometheusOn, wantedExporters, exporters, monitors, problems };
}

/** The port each monitor listens on. */
function monitorPort(monitor: Monitor, ports: LabPorts): number {
  return { prometheus: ports.prometheus, 'edge-exporter': ports.edgeExporter, 'postgres-exporter': ports.postgresExporter, 'redis-exporter': ports.redisExporter }[monitor];
}

/** The ports the planned monitors need free, each named for PortInUseError with how to run without them. */
export function monitorPortsToClaim(plan: MonitoringPlan, ports: LabPorts): Record<string, number> {
  return Object.fromEntries(plan.monitors.map((m) => [`${m} HTTP (a system service? npm start -- --no-prometheus runs without)`, monitorPort(m, ports)]));
}

/** Where the native prometheus.yml is written: beside the lab's logs, rewritten on every start. */
export function prometheusConfigFile(logsDir: string): string {
  return join(logsDir, 'prometheus-conf', 'prometheus.yml');
}

/** How to run one monitor: Prometheus with the lab's config and storage, or an exporter pointed at the lab. */
export function monitorSpec(monitor: Monitor, plan: MonitoringPlan, r: ResolvedLabOptions, options: LabOptions): Omit<ServiceSpec, 'name'> {
  const readyUrl = (path: string) => `http://${HOST}:${monitorPort(monitor, r.ports)}${path}`;
  if (monitor === 'prometheus') {
    const dataDir = options.prometheusDataDir ?? DEFAULT_PROMETHEUS_DATA_DIR;
    const args = prometheusArgs(prometheusConfigFile(r.logsDir), dataDir, r.ports.prometheus);
    return { command: plan.prometheusBinary ?? 'prometheus', args, env: inheritedEnv(), readyUrl: readyUrl('/-/ready') };
  }
  const exporter = exporterCommand(monitor, { ports: r.ports, pgAdminUrl: r.pgAdminUrl, redisUrl: r.redisUrl });
  return { command: findExecutable(exporter.binary) ?? exporter.binary, args: exporter.args, env: { ...inheritedEnv(), ...exporter.env }, readyUrl: readyUrl('/metrics') };
}

/** The running Prometheus's scrape jobs, and a way to add a source that came up later. */
export interface RunningMonitoring {
  /** The jobs Prometheus scrapes now. */
  readonly scrapeJobs: readonly string[];
  /**
   * Scrapes these sources too (e.g. the Collector, once built and started): rewrites the config
   * and has Prometheus reload it (SIGHUP). Resolves to a problem line, or undefined when done.
   */
  addSources(sources: readonly ScrapeSource[]): Promise<string | undefined>;
}

/** Writes the native prometheus.yml for these sources and checks it; returns the jobs, or throws the complaint. */
function writeChecked(r: ResolvedLabOptions, running: ReadonlySet<ScrapeSource>): string[] {
  const jobs = nativeScrapeJobs(r.ports, running);
  const configFile = writePrometheusConfig(join(r.logsDir, 'prometheus-conf'), jobs);
  const complaint = checkPrometheusConfig(configFile);
  if (complaint) throw new LabStartError(`the native prometheus.yml does not pass promtool check config: ${complaint}`, 'prometheus');
  return jobs.map((j) => j.job);
}

/**
 * After the services: checks RabbitMQ's plugin, starts the exporters, writes a prometheus.yml
 * for what runs (checked by promtool; `alsoRunning` adds sources that run beside the services,
 * such as the Collector) and starts Prometheus.
 */
export async function startMonitoring(
  plan: MonitoringPlan,
  r: ResolvedLabOptions,
  enabled: readonly LabService[],
  startAndWait: (monitor: Monitor) => Promise<void>,
  reporter: Reporter,
  reload: { alsoRunning: () => readonly ScrapeSource[]; prometheus: () => Supervisor | undefined },
): Promise<RunningMonitoring> {
  // Scrape what runs: the services, the exporters that started, RabbitMQ's plugin if it answers.
  const running = new Set<ScrapeSource>(enabled.filter((s): s is Exclude<LabService, 'edge'> => s !== 'edge'));
  if (plan.wantedExporters.length > 0) {
    const problem = await ensureRabbitmqPrometheus(r.ports.rabbitmqPrometheus);
    if (problem) plan.problems.push(problem);
    else running.add('rabbitmq-plugin');
  }
  await Promise.all(plan.exporters.map(startAndWait));
  for (const exporter of plan.exporters) running.add(exporter);
  running.add('prometheus');
  for (const source of reload.alsoRunning()) running.add(source);
  let scrapeJobs = writeChecked(r, running);
  reporter.info(`prometheus scrapes ${scrapeJobs.join(', ')}`);
  await startAndWait('prometheus');
  const monitoring: RunningMonitoring = {
    get scrapeJobs() {
      return scrapeJobs;
    },
    async addSources(sources) {
      const before = running.size;
      for (const source of sources) running.add(source);
      if (running.size === before) return undefined;
      try {
        scrapeJobs = writeChecked(r, running);
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
      // Prometheus reloads its config on SIGHUP; one still starting reads the new file anyway.
      const prometheus = reload.prometheus();
      if (prometheus?.signal('SIGHUP')) reporter.info(`prometheus reloaded: now scrapes ${scrapeJobs.join(', ')}`);
      return undefined;
    },
  };
  // Sources that came up while Prometheus was starting.
  await monitoring.addSources(reload.alsoRunning());
  return monitoring;
}
