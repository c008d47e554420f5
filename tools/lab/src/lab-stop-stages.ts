/**
 * How a lab stops: stage by stage, in parallel within a stage, with a deadline per process and
 * one for the whole lab, so it is down within 15 s of SIGTERM whatever a service does.
 */
import { LAB_SERVICES, type LabService } from './lab-options.js';
import { LOG_BACKEND } from './lab-logs.js';
import { TRACE_BACKENDS, type TraceBackend } from './lab-tracing.js';
import { MONITORS, type Monitor } from './prometheus.js';
import type { Reporter } from './reporter.js';
import { describeExit, type Supervisor } from './supervisor.js';

/** A process of the lab: a service, a monitor, a tracing backend or the log store. */
export type LabProcess = LabService | Monitor | TraceBackend | typeof LOG_BACKEND;

/**
 * stop() goes stage by stage, each stage in parallel: first what observes or drives the lab
 * (Prometheus must not record the shutdown as an outage), then the edge, then the services
 * that drain work still calling orders, then orders; then the Collector, which flushes the
 * services' last spans to Jaeger and their last lines to VictoriaLogs, then those two.
 */
const STOP_STAGES: readonly (readonly LabProcess[])[] = [
  ['prometheus', 'edge-exporter', 'postgres-exporter', 'redis-exporter', 'traffic'],
  ['edge'],
  ['gateway', 'notifications', 'fulfillment'],
  ['orders'],
  ['otel-collector'],
  ['jaeger', LOG_BACKEND],
];
/** After this long every process still running is killed: the whole lab is down within 15 s of SIGTERM. */
const LAB_STOP_DEADLINE_MS = 13_000;
/** Per process, SIGKILL this long after SIGTERM (the services give themselves 10 s: SHUTDOWN_TIMEOUT_MS). */
export const SERVICE_STOP_TIMEOUT_MS = 11_000;

/** The supervisor of a service, monitor or tracing backend, if the lab has one. */
export type SupervisorOf = (name: LabProcess) => Supervisor | undefined;

/** Stops one process and reports it; a process that is not running is only awaited. */
async function stopOne(name: LabProcess, supervisor: Supervisor, reporter: Reporter): Promise<void> {
  if (!supervisor.running) return void (await supervisor.stop());
  reporter.info(`stopping ${name}`);
  const exit = await supervisor.stop();
  if (exit) reporter.info(`${name} stopped (${describeExit(exit)})`);
}

/** SIGTERM to every process in STOP_STAGES order, SIGKILL to whatever is left at LAB_STOP_DEADLINE_MS. */
export async function stopInStages(supervisorOf: SupervisorOf, reporter: Reporter): Promise<void> {
  const started = Date.now();
  const everything = ([...LAB_SERVICES, ...MONITORS, ...TRACE_BACKENDS, LOG_BACKEND] as LabProcess[]).flatMap((name) => supervisorOf(name) ?? []);
  // Whatever a stage is still waiting for past the lab's deadline is killed.
  const killer = setTimeout(() => {
    reporter.warn(`the lab is not down ${LAB_STOP_DEADLINE_MS / 1000} s after SIGTERM; killing what is left`);
    for (const supervisor of everything) if (supervisor.running) void supervisor.kill('SIGKILL');
  }, LAB_STOP_DEADLINE_MS);
  try {
    for (const stage of STOP_STAGES) {
      await Promise.all(
        stage.map(async (name) => {
          const supervisor = supervisorOf(name);
          if (supervisor) await stopOne(name, supervisor, reporter);
        }),
      );
    }
  } finally {
    clearTimeout(killer);
  }
  reporter.info(`every service stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
