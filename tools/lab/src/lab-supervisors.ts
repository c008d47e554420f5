/**
 * One Supervisor per process of the lab: the services (node on their compiled main.js, the
 * edge as nginx on its rendered config) and the monitors, each with its log file, restart
 * backoff and stop deadline.
 */
import { join } from 'node:path';
import { nginxArgs, type EdgeFiles } from './edge.js';
import { LAB_SERVICES, type LabOptions, type LabService, type ResolvedLabOptions } from './lab-options.js';
import { monitorSpec, type MonitoringPlan } from './lab-monitoring.js';
import { readyUrl, serviceEnv, TRACED_SERVICES } from './lab-service-env.js';
import { SERVICE_STOP_TIMEOUT_MS } from './lab-stop-stages.js';
import type { LogOutput } from './log-sink.js';
import { REPO_ROOT, serviceEntry, TRACING_REGISTER } from './paths.js';
import type { Monitor } from './prometheus.js';
import type { Reporter } from './reporter.js';
import { Supervisor, type SupervisorOptions } from './supervisor.js';

/** What every supervisor of a lab shares: where it reports, how it restarts and stops. */
function supervisorOptions(logFile: string, output: LogOutput, r: ResolvedLabOptions, options: LabOptions, reporter: Reporter): SupervisorOptions {
  return {
    logFile,
    output,
    color: r.color,
    reporter,
    ...(options.restartDelayMs ? { restartDelayMs: options.restartDelayMs } : {}),
    stopTimeoutMs: options.stopTimeoutMs ?? SERVICE_STOP_TIMEOUT_MS,
  };
}

/** The edge (nginx, when found) and the services' processes. */
export interface ServiceCommands {
  nginx: string | undefined;
  edgeFiles: EdgeFiles;
}

/**
 * How a service runs: nginx on its rendered config for the edge, else node on the compiled
 * main.js — for a traced service with the tracing hook first, which starts the SDK when
 * TRACING_ENABLED is true and loads nothing when it is false.
 */
function serviceCommand(service: LabService, commands: ServiceCommands): { command: string; args: string[] } {
  if (service === 'edge') return { command: commands.nginx ?? 'nginx', args: nginxArgs(commands.edgeFiles) };
  const hook = TRACED_SERVICES.includes(service) ? ['--import', TRACING_REGISTER] : [];
  return { command: process.execPath, args: [...hook, serviceEntry(service, 'main.js')] };
}

/** A supervisor for every service (created, not started), logging to <logsDir>/<service>.log. */
export function serviceSupervisors(r: ResolvedLabOptions, options: LabOptions, commands: ServiceCommands, reporter: Reporter): Record<LabService, Supervisor> {
  return Object.fromEntries(
    LAB_SERVICES.map((service) => [
      service,
      new Supervisor(
        { name: service, ...serviceCommand(service, commands), env: serviceEnv(service, r, options.env), cwd: REPO_ROOT, readyUrl: readyUrl(service, r.ports) },
        supervisorOptions(join(r.logsDir, `${service}.log`), r.output, r, options, reporter),
      ),
    ]),
  ) as Record<LabService, Supervisor>;
}

/** A supervisor for every planned monitor (created, not started). */
export function monitorSupervisors(plan: MonitoringPlan, r: ResolvedLabOptions, options: LabOptions, reporter: Reporter): Partial<Record<Monitor, Supervisor>> {
  // Go programs' log lines are not the services' JSON: shown raw, and only in their file unless asked.
  const output: LogOutput = r.output === 'none' ? 'none' : 'raw';
  return Object.fromEntries(
    plan.monitors.map((monitor) => [
      monitor,
      new Supervisor(
        { name: monitor, cwd: REPO_ROOT, ...monitorSpec(monitor, plan, r, options) },
        supervisorOptions(join(r.logsDir, `${monitor}.log`), output, r, options, reporter),
      ),
    ]),
  );
}

/** Calls `onSpawn` with each child's name, pid and a string its command line contains, at every spawn. */
export function reportSpawns(supervisors: readonly Supervisor[], onSpawn: NonNullable<LabOptions['onSpawn']>): void {
  for (const supervisor of supervisors) {
    const { command, args } = supervisor.spec;
    // node's marker is its script (the last argument: flags such as --import come before it).
    const marker = command === process.execPath ? (args.at(-1) ?? command) : command;
    supervisor.on('spawn', (pid: number) => onSpawn(supervisor.name, pid, marker));
  }
}
