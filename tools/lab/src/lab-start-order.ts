/**
 * How a lab starts: what is checked before anything starts (free ports, nginx, the build), and
 * the order the services come up in — orders (with the seed alongside), then what needs only
 * orders side by side, then the edge in front of them, then the traffic that goes through it.
 */
import { existsSync } from 'node:fs';
import { findNginx } from './edge.js';
import type { LabPorts, LabService } from './lab-options.js';
import { LabStartError } from './lab-start-error.js';
import { serviceEntry, TRACING_REGISTER } from './paths.js';
import type { Monitor } from './prometheus.js';
import type { Reporter } from './reporter.js';
import { NotReadyError } from './supervisor.js';
import type { SupervisorOf } from './lab-stop-stages.js';

/** The services' ports that must be free, each named for PortInUseError. */
export function servicePortsToClaim(ports: LabPorts, edgeOn: boolean, trafficOn: boolean): Record<string, number> {
  return {
    'gateway HTTP': ports.gateway,
    'orders gRPC': ports.ordersGrpc,
    'orders ops HTTP': ports.ordersOps,
    'fulfillment ops HTTP': ports.fulfillmentOps,
    'notifications HTTP': ports.notifications,
    ...(edgeOn ? { 'edge HTTP': ports.edge, 'edge stub_status': ports.edgeStatus } : {}),
    ...(trafficOn ? { 'traffic HTTP': ports.traffic } : {}),
  };
}

/** Refuses at once what would fail later: no nginx for the edge, a service or the tracing hook not built. Returns nginx's path. */
export function assertRunnable(enabled: readonly LabService[], edgeOn: boolean): string | undefined {
  const nginx = edgeOn ? findNginx() : undefined;
  if (edgeOn && !nginx) {
    throw new LabStartError('nginx is not installed (the edge); fix: apt-get install -y nginx (npm start installs it when run as root)', 'edge');
  }
  for (const service of enabled) {
    if (service === 'edge') continue;
    if (!existsSync(serviceEntry(service, 'main.js'))) {
      throw new LabStartError(`services/${service} is not built (${serviceEntry(service, 'main.js')} is missing); run: npx tsc -b`, service);
    }
  }
  if (!existsSync(TRACING_REGISTER)) {
    throw new LabStartError(`packages/platform is not built (${TRACING_REGISTER}, the services' tracing hook, is missing); run: npx tsc -b`);
  }
  return nginx;
}

/** Starts one process and resolves once it is ready. */
export type StartAndWait = (name: LabService | Monitor) => Promise<void>;

/** startAndWait for a lab: each process gets what is left of `readyTimeoutMs` from its own start, at least 1 s. */
export function starter(supervisorOf: SupervisorOf, readyTimeoutMs: number, reporter: Reporter): StartAndWait {
  return async (name) => {
    const supervisor = supervisorOf(name);
    if (!supervisor) throw new Error(`no supervisor for ${name}`);
    const started = Date.now();
    reporter.info(`starting ${name}`);
    supervisor.start();
    try {
      await supervisor.waitReady({ timeoutMs: Math.max(1_000, readyTimeoutMs - (Date.now() - started)) });
    } catch (err) {
      if (err instanceof NotReadyError) {
        throw new LabStartError(`${err.message}; see ${supervisor.logFile}`, name, err.logTail);
      }
      throw err;
    }
    reporter.info(`${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${supervisor.pid})`);
  };
}

/** What startServices needs besides startAndWait. */
export interface StartPlan {
  /** Seeds orders' catalog (undefined: no seed). */
  seed: (() => Promise<void>) | undefined;
  edgeOn: boolean;
  trafficOn: boolean;
}

/** Starts the services in their order; resolves once the last one is ready. */
export async function startServices(startAndWait: StartAndWait, plan: StartPlan): Promise<void> {
  // Seeding only inserts rows, so it overlaps with the orders process starting up; both
  // finish before anything else starts, so no client ever sees a half-seeded catalog.
  await Promise.all([plan.seed?.(), startAndWait('orders')]);
  // The rest need only orders (or nothing) and come up side by side, started in list order;
  // then the edge in front of them, then the traffic that goes through it.
  const backends: LabService[] = ['fulfillment', 'notifications', 'gateway'];
  await Promise.all(backends.map(startAndWait));
  if (plan.edgeOn) await startAndWait('edge');
  if (plan.trafficOn) await startAndWait('traffic');
}
