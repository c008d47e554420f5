/**
 * How exactly the traffic generator holds a target rate: the real service (in this process)
 * against a bare HTTP sink (its own process), steady mode at each rate for a warm-up and then a
 * measured interval. Achieved = requests started in the interval / its length, from the
 * generator's own counters; dropped = arrivals refused at MAX_IN_FLIGHT.
 *
 * Options (env): BENCH_TRAFFIC_SECONDS (default 10), BENCH_TRAFFIC_RATES (default
 * 10,100,500,1000,2000).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@orderlab/platform';
import { buildTrafficService, parseTrafficConfig } from '@orderlab/traffic';

/** The accuracy the generator is meant to hold. */
export const TOLERANCE = 0.02;

/** One rate's measurement. */
export interface TrafficAccuracyRow {
  targetRate: number;
  achievedRate: number;
  /** (achieved − target) / target. */
  error: number;
  dropped: number;
  failed: number;
  p99Ms: number | null;
  withinTolerance: boolean;
}

export interface TrafficAccuracyOptions {
  rates?: number[];
  seconds?: number;
  warmupSeconds?: number;
  say: (line: string) => void;
}

async function startSink(): Promise<{ port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./traffic-sink.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`traffic-sink exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve(Number(line)));
  });
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Formats one row of the table. */
export function formatAccuracyRow(r: TrafficAccuracyRow): string {
  const sign = r.error >= 0 ? '+' : '−';
  return `traffic: steady ${String(r.targetRate).padStart(5)} req/s   achieved ${r.achievedRate.toFixed(1).padStart(7)}   ${sign}${(Math.abs(r.error) * 100).toFixed(2)} %   dropped ${r.dropped}   failed ${r.failed}   p99 ${r.p99Ms === null ? '–' : r.p99Ms.toFixed(1)} ms   ${r.withinTolerance ? 'within ±2 %' : 'OUTSIDE ±2 %'}`;
}

/** Runs every rate; resolves to one row per rate. */
export async function measureTrafficAccuracy({ rates = [10, 100, 500, 1000, 2000], seconds = 10, warmupSeconds = 2, say }: TrafficAccuracyOptions): Promise<TrafficAccuracyRow[]> {
  const sink = await startSink();
  const config = parseTrafficConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    TARGET_URL: `http://127.0.0.1:${sink.port}`,
    TRAFFIC_MODE: 'pause',
    MAX_IN_FLIGHT: '1024',
  });
  const service = buildTrafficService(config, { logger: createLogger({ service: 'traffic', level: 'warn' }) });
  const rows: TrafficAccuracyRow[] = [];
  try {
    await service.start();
    const generator = service.generator;
    for (const rate of rates) {
      generator.setMode('steady', { rate });
      await sleep(warmupSeconds * 1000);
      const before = generator.status();
      const t0 = performance.now();
      await sleep(seconds * 1000);
      const after = generator.status();
      const elapsedS = (performance.now() - t0) / 1000;
      const failed = (s: typeof after) => s.responses.total['5xx'] + s.responses.total.timeout + s.responses.total.error;
      const achievedRate = (after.sent.total - before.sent.total) / elapsedS;
      const error = (achievedRate - rate) / rate;
      const row: TrafficAccuracyRow = {
        targetRate: rate,
        achievedRate,
        error,
        dropped: after.dropped.total - before.dropped.total,
        failed: failed(after) - failed(before),
        p99Ms: after.latencyMs.p99,
        withinTolerance: Math.abs(error) <= TOLERANCE,
      };
      rows.push(row);
      say(formatAccuracyRow(row));
    }
    generator.setMode('pause', {});
  } finally {
    await service.stop();
    await sink.stop();
  }
  return rows;
}

/** The highest measured rate that was held within ±2 % with nothing dropped (0 if none). */
export function highestHeldRate(rows: TrafficAccuracyRow[]): number {
  return Math.max(0, ...rows.filter((r) => r.withinTolerance && r.dropped === 0).map((r) => r.targetRate));
}
