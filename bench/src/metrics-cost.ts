/**
 * What instrumentation costs on the order path: the same load against a lab with it on and one
 * with it off, in the same run. Two comparisons: `metrics` (METRICS_ENABLED=true vs false,
 * tracing off in both) and `telemetry` (metrics and tracing at 100 % sampling, spans exported to
 * the lab's real Collector and Jaeger, vs both off) — the second also reports the Collector's
 * and Jaeger's peak memory under that load.
 *
 * Both labs start side by side and are loaded at the same time, each by its own clients
 * (half the concurrency each), so that whatever the machine does meanwhile hits both alike.
 * Why not one lab after the other: on the shared 2-core lab machine throughput drifts by ±20 %
 * within seconds (neighbours, CPU steal; a probe saw the bench client itself, which does not
 * change with the flag, cost 25 % more per order from one run to the next). Runs of 10 s per
 * lab, one after the other, measured mostly that drift — and so did 3 s slices alternating
 * between the labs (single on/off pairs from 68 % to 127 %). Loaded together, the labs share
 * the CPU, and the one that needs more CPU per request completes fewer: the throughput ratio
 * is the cost of metrics. Each round also reports the CPU each lab's services spent per
 * request (from /proc), the cost measured directly. The fulfillment worker is paused in both
 * (the request path alone, as the main benchmark's placement row).
 *
 * Options (env): BENCH_METRICS_ROUNDS (default 3 per measurement), BENCH_METRICS_SECONDS
 * (default 10 per round), BENCH_METRICS_FIRST (`off` starts the off lab first), BENCH_TRACING_SAMPLE_RATIO
 * (telemetry: TRACING_SAMPLE_RATIO of the traced lab, default 1), BENCH_CONCURRENCY
 * (default 32, split between the labs), BENCH_METRICS_PROFILE_DIR (CPU profiles, see startSide).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_SERVICES, startTestLab, type Lab } from '@orderlab/lab';
import { httpClient, runLoad, type LoadResult } from './load.js';

/** The share of the metrics-off throughput that metrics-on must keep. */
export const METRICS_COST_GOAL = 0.95;
/** The share of the all-off throughput that metrics + tracing (100 % sampled) must keep. */
export const TELEMETRY_COST_GOAL = 0.8;
/** The Collector's and Jaeger's memory together under that load, at most (MB). */
export const TRACE_BACKENDS_RSS_GOAL_MB = 250;

/** What is compared: metrics alone, or metrics and tracing together. */
export type CostComparison = 'metrics' | 'telemetry';

export type MetricsCostMeasurement = 'placement' | 'reads';

export interface MetricsCostRound {
  measurement: MetricsCostMeasurement;
  on: LoadResult;
  off: LoadResult;
  /** CPU time of each lab's gateway, orders and notifications per completed request, µs. */
  onCpuUsPerRequest: number;
  offCpuUsPerRequest: number;
  /** The same, by service. */
  onCpuUsByService: Record<MeasuredService, number>;
  offCpuUsByService: Record<MeasuredService, number>;
}

export interface MetricsCostResult {
  comparison: CostComparison;
  rounds: MetricsCostRound[];
  /** Summed on-throughput / summed off-throughput. */
  placementRatio: number;
  readRatio: number;
  /** telemetry: the peak RSS of the Collector and of Jaeger during the run, MB (VmHWM). */
  traceBackendsPeakRssMb?: { collector: number; jaeger: number };
}

export interface MetricsCostOptions {
  comparison: CostComparison;
  rounds: number;
  seconds: number;
  concurrency: number;
  say: (line: string) => void;
}

function orderBody(productIds: string[], i: number) {
  const count = 1 + (i % 3);
  const start = (i * 7) % productIds.length;
  return {
    customerId: `bench-${i % 200}`,
    items: Array.from({ length: count }, (_, k) => ({ productId: productIds[(start + k) % productIds.length]!, quantity: 1 + ((i + k) % 4) })),
  };
}

const PROFILE_HOOK = fileURLToPath(new URL('../../scripts/cpu-profile-hook.mjs', import.meta.url));

/** The services whose CPU is measured (the fulfillment worker is paused). */
const MEASURED_SERVICES = ['gateway', 'orders', 'notifications'] as const;
type MeasuredService = (typeof MEASURED_SERVICES)[number];

interface Side {
  /** Instrumentation on (metrics, and tracing in the telemetry comparison) or off. */
  on: boolean;
  lab: Lab;
  api: ReturnType<typeof httpClient>;
  productIds: string[];
}

async function startSide(comparison: CostComparison, on: boolean, concurrency: number): Promise<Side> {
  const metrics = on;
  const tracing = on && comparison === 'telemetry';
  // BENCH_METRICS_PROFILE_DIR: each lab's gateway, orders and notifications write a V8 CPU
  // profile into <dir>/on or <dir>/off when the lab stops (bench/scripts/cpu-profile-hook.mjs).
  const profileDir = process.env.BENCH_METRICS_PROFILE_DIR;
  const profiled = new Set<string>(MEASURED_SERVICES);
  const env = Object.fromEntries(
    LAB_SERVICES.map((s) => [
      s,
      {
        METRICS_ENABLED: String(metrics),
        // BENCH_TRACING_SAMPLE_RATIO: the share of traces the traced lab records (default 1: all).
        ...(tracing && process.env.BENCH_TRACING_SAMPLE_RATIO ? { TRACING_SAMPLE_RATIO: process.env.BENCH_TRACING_SAMPLE_RATIO } : {}),
        ...(profileDir && profiled.has(s)
          ? { NODE_OPTIONS: `--import=${PROFILE_HOOK}`, ORDERLAB_CPU_PROFILE: join(profileDir, comparison, on ? 'on' : 'off', `${s}.cpuprofile`) }
          : {}),
      },
    ]),
  );
  const flag = env.gateway!;
  const lab = await startTestLab(`bench_${comparison}_${on ? 'on' : 'off'}`, {
    logLevel: 'warn',
    tracing,
    env: { ...env, gateway: { ...flag, MAX_IN_FLIGHT: '4096' } },
  });
  try {
    const api = httpClient(lab.urls.gateway, concurrency);
    // The switch must really be in effect, or the comparison means nothing.
    const scrape = await fetch(`${lab.urls.gateway}/metrics`);
    if (scrape.status !== (metrics ? 200 : 404)) {
      throw new Error(`gateway GET /metrics answered ${scrape.status} with METRICS_ENABLED=${metrics}`);
    }
    if (tracing) await lab.waitTracing();
    const probe = await fetch(`${lab.urls.gateway}/api/v1/products?limit=50`);
    if ((probe.headers.get('traceresponse') !== null) !== tracing) {
      throw new Error(`gateway answered ${probe.headers.get('traceresponse') === null ? 'without' : 'with'} traceresponse, with tracing ${tracing ? 'on' : 'off'}`);
    }
    const catalog = (await probe.json()) as { items: { id: string }[] };
    await lab.kill('fulfillment', 'SIGTERM');
    return { on, lab, api, productIds: catalog.items.map((p) => p.id) };
  } catch (err) {
    await lab.dispose();
    throw err;
  }
}

function load(side: Side, measurement: MetricsCostMeasurement, durationMs: number, warmupMs: number, concurrency: number, offset: number) {
  const label = side.on ? 'on ' : 'off';
  const { api, productIds } = side;
  return measurement === 'placement'
    ? runLoad({
        name: `${label}: POST /api/v1/orders (request path)`,
        concurrency,
        durationMs,
        warmupMs,
        call: async (i) => {
          await api.request('POST', '/api/v1/orders', { body: orderBody(productIds, offset + i), headers: { 'idempotency-key': randomUUID() }, expect: 201 });
        },
      })
    : runLoad({
        name: `${label}: GET /api/v1/products/{id} (cached)`,
        concurrency,
        durationMs,
        warmupMs,
        call: async (i) => {
          await api.request('GET', `/api/v1/products/${productIds[i % 10]}`, { expect: 200 });
        },
      });
}

/** User + system CPU time of the process, ms (Linux /proc; 0 when it cannot be read). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

const labCpuMs = (side: Side): Record<MeasuredService, number> =>
  Object.fromEntries(MEASURED_SERVICES.map((s) => [s, cpuMs(side.lab.services[s].pid)])) as Record<MeasuredService, number>;
const sum = (byService: Record<MeasuredService, number>) => MEASURED_SERVICES.reduce((t, s) => t + byService[s], 0);
/** µs of CPU per request, by service, between two readings. */
const perRequest = (before: Record<MeasuredService, number>, after: Record<MeasuredService, number>, requests: number) =>
  Object.fromEntries(MEASURED_SERVICES.map((s) => [s, ((after[s] - before[s]) * 1000) / requests])) as Record<MeasuredService, number>;

/** Peak resident memory of a process (VmHWM), MB; 0 when it cannot be read. */
function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Number(kb) / 1024;
  } catch {
    return 0;
  }
}

/** Starts both labs, then loads them together `rounds` times for placement, then for reads. */
export async function measureMetricsCost({ comparison, rounds, seconds, concurrency, say }: MetricsCostOptions): Promise<MetricsCostResult> {
  const sides: Side[] = [];
  const each = Math.max(1, Math.floor(concurrency / 2));
  try {
    // The on lab starts first unless BENCH_METRICS_FIRST=off (to check that order is not the difference).
    const firstOn = process.env.BENCH_METRICS_FIRST !== 'off';
    for (const isOn of [firstOn, !firstOn]) sides.push(await startSide(comparison, isOn, each));
    const on = sides.find((side) => side.on)!;
    const off = sides.find((side) => !side.on)!;
    const all: MetricsCostRound[] = [];
    for (const measurement of ['placement', 'reads'] as const) {
      // A longer first warm-up: a fresh lab's first seconds under load are its slowest (JIT).
      await Promise.all([load(on, measurement, 5_000, 0, each, 0), load(off, measurement, 5_000, 0, each, 0)]);
      for (let round = 0; round < rounds; round++) {
        const offset = (round + 1) * 1_000_000;
        // Warm-up (JIT, pools, caches; not counted), then CPU is read around the measurement.
        await Promise.all([load(on, measurement, 2_000, 0, each, offset), load(off, measurement, 2_000, 0, each, offset)]);
        const cpuBefore = [labCpuMs(on), labCpuMs(off)];
        const [onResult, offResult] = await Promise.all([
          load(on, measurement, seconds * 1000, 0, each, offset + 100_000),
          load(off, measurement, seconds * 1000, 0, each, offset + 100_000),
        ]);
        const cpuAfter = [labCpuMs(on), labCpuMs(off)];
        const requests = (r: LoadResult) => Math.max(1, r.ok + r.errors);
        const onCpuUsByService = perRequest(cpuBefore[0]!, cpuAfter[0]!, requests(onResult));
        const offCpuUsByService = perRequest(cpuBefore[1]!, cpuAfter[1]!, requests(offResult));
        const r: MetricsCostRound = {
          measurement,
          on: onResult,
          off: offResult,
          onCpuUsPerRequest: sum(onCpuUsByService),
          offCpuUsPerRequest: sum(offCpuUsByService),
          onCpuUsByService,
          offCpuUsByService,
        };
        const byService = MEASURED_SERVICES.map((s) => `${s} ${onCpuUsByService[s].toFixed(0)}/${offCpuUsByService[s].toFixed(0)}`).join(', ');
        all.push(r);
        const errors = onResult.errors + offResult.errors > 0 ? `   errors on ${onResult.errors} off ${offResult.errors}` : '';
        say(
          `${measurement.padEnd(9)} round ${round + 1}: on ${onResult.throughput.toFixed(0).padStart(5)} /s, off ${offResult.throughput.toFixed(0).padStart(5)} /s → ${((onResult.throughput / offResult.throughput) * 100).toFixed(1)} %` +
            `   CPU per request on ${r.onCpuUsPerRequest.toFixed(0)} µs, off ${r.offCpuUsPerRequest.toFixed(0)} µs (on/off: ${byService})${errors}`,
        );
      }
    }
    const ratio = (measurement: MetricsCostMeasurement) => {
      const mine = all.filter((r) => r.measurement === measurement);
      return mine.reduce((t, r) => t + r.on.throughput, 0) / mine.reduce((t, r) => t + r.off.throughput, 0);
    };
    const backends = on.lab.traceBackends;
    return {
      comparison,
      rounds: all,
      placementRatio: ratio('placement'),
      readRatio: ratio('reads'),
      ...(comparison === 'telemetry'
        ? { traceBackendsPeakRssMb: { collector: peakRssMb(backends['otel-collector']?.pid), jaeger: peakRssMb(backends.jaeger?.pid) } }
        : {}),
    };
  } finally {
    for (const side of sides) {
      side.api.close();
      await side.lab.dispose();
    }
  }
}
