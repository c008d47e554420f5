/**
 * What metrics cost on the order path: the same load against a lab with METRICS_ENABLED=true
 * and one with METRICS_ENABLED=false, alternating (on, off, on, off, …) so that drift of the
 * shared machine hits both sides alike. Each round starts its own throwaway lab, pauses the
 * fulfillment worker (the request path alone, as the main benchmark's placement row) and
 * measures order placement, then cached product reads, through the gateway.
 *
 * Options (env): BENCH_METRICS_ROUNDS (default 2 pairs), BENCH_METRICS_SECONDS (default 10),
 * BENCH_CONCURRENCY (default 32).
 */
import { randomUUID } from 'node:crypto';
import { LAB_SERVICES, startTestLab } from '@orderlab/lab';
import { httpClient, runLoad, type LoadResult } from './load.js';

/** The share of the metrics-off throughput that metrics-on must keep. */
export const METRICS_COST_GOAL = 0.95;

export interface MetricsCostRound {
  metrics: boolean;
  placement: LoadResult;
  reads: LoadResult;
}

export interface MetricsCostResult {
  rounds: MetricsCostRound[];
  /** Summed on-throughput / summed off-throughput. */
  placementRatio: number;
  readRatio: number;
}

export interface MetricsCostOptions {
  pairs: number;
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

async function round(metrics: boolean, { seconds, concurrency }: MetricsCostOptions): Promise<MetricsCostRound> {
  const flag = { METRICS_ENABLED: String(metrics) };
  const env = Object.fromEntries(LAB_SERVICES.map((s) => [s, flag]));
  const lab = await startTestLab(`bench_metrics_${metrics ? 'on' : 'off'}`, {
    logLevel: 'warn',
    env: { ...env, gateway: { ...flag, MAX_IN_FLIGHT: '4096' } },
  });
  try {
    const api = httpClient(lab.urls.gateway, concurrency);
    // The switch must really be in effect, or the comparison means nothing.
    const scrape = await fetch(`${lab.urls.gateway}/metrics`);
    if (scrape.status !== (metrics ? 200 : 404)) {
      throw new Error(`gateway GET /metrics answered ${scrape.status} with METRICS_ENABLED=${metrics}`);
    }
    const catalog = JSON.parse(await api.request('GET', '/api/v1/products?limit=50', { expect: 200 })) as { items: { id: string }[] };
    const productIds = catalog.items.map((p) => p.id);
    await lab.kill('fulfillment', 'SIGTERM');
    const label = metrics ? 'on ' : 'off';
    const placement = await runLoad({
      name: `metrics ${label}: POST /api/v1/orders (request path)`,
      concurrency,
      durationMs: seconds * 1000,
      call: async (i) => {
        await api.request('POST', '/api/v1/orders', { body: orderBody(productIds, i), headers: { 'idempotency-key': randomUUID() }, expect: 201 });
      },
    });
    const reads = await runLoad({
      name: `metrics ${label}: GET /api/v1/products/{id} (cached)`,
      concurrency,
      durationMs: seconds * 1000,
      call: async (i) => {
        await api.request('GET', `/api/v1/products/${productIds[i % 10]}`, { expect: 200 });
      },
    });
    api.close();
    return { metrics, placement, reads };
  } finally {
    await lab.dispose();
  }
}

/** Runs `pairs` × (on, off) rounds and compares the summed throughputs. */
export async function measureMetricsCost(options: MetricsCostOptions): Promise<MetricsCostResult> {
  const rounds: MetricsCostRound[] = [];
  for (let pair = 0; pair < options.pairs; pair++) {
    for (const metrics of [true, false]) {
      const r = await round(metrics, options);
      options.say(`${r.placement.name.padEnd(52)} ${r.placement.throughput.toFixed(0).padStart(6)} /s   p99 ${r.placement.p99Ms.toFixed(1)} ms   errors ${r.placement.errors}`);
      options.say(`${r.reads.name.padEnd(52)} ${r.reads.throughput.toFixed(0).padStart(6)} /s   p99 ${r.reads.p99Ms.toFixed(1)} ms   errors ${r.reads.errors}`);
      rounds.push(r);
    }
  }
  const sum = (on: boolean, pick: (r: MetricsCostRound) => LoadResult) =>
    rounds.filter((r) => r.metrics === on).reduce((total, r) => total + pick(r).throughput, 0);
  return {
    rounds,
    placementRatio: sum(true, (r) => r.placement) / sum(false, (r) => r.placement),
    readRatio: sum(true, (r) => r.reads) / sum(false, (r) => r.reads),
  };
}
