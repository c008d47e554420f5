/**
 * `npm run bench`: measures the lab and, in the same run, this machine's ceilings, then prints
 * the ratios against the goals in docs/benchmarks.md. It starts its own throwaway lab (free ports, its own
 * databases and Redis prefix, simulated fulfillment delays set to zero) so that results do not
 * depend on what else is running, and cleans up afterwards.
 *
 * `npm run bench -- orders` runs only the order path (placement, the live pipeline, cached reads,
 * accepted → fulfilled) on a throwaway lab: what a refactoring must not slow down.
 *
 * Then the event bus (events.ts): events/s published with confirms by orders' relay and consumed
 * by notifications, each draining a backlog, and order → notification latency.
 *
 * Then the traffic generator's accuracy (traffic-accuracy.ts): target vs achieved rate against
 * a bare sink. `npm run bench -- traffic` runs only that.
 *
 * Last, the cost of metrics (metrics-cost.ts): order placement and cached reads with
 * METRICS_ENABLED on and off, two labs loaded together. `npm run bench -- metrics` runs only
 * that. And the cost of all the telemetry: metrics and tracing (100 % sampled, exported to the
 * real Collector and Jaeger) vs both off, the same way, with the backends' peak memory;
 * `npm run bench -- tracing` runs only that.
 *
 * Options (env): BENCH_SECONDS (default 10), BENCH_CONCURRENCY (default 32),
 * BENCH_LATENCY_ORDERS (default 400), BENCH_EVENT_ORDERS (default 2000: orders of the event
 * backlog, two events each), BENCH_TRAFFIC_SECONDS (default 10), BENCH_TRAFFIC_RATES (default
 * 10,100,500,1000,2000), BENCH_METRICS_ROUNDS (default 3), BENCH_METRICS_SECONDS
 * (default 10 per round).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { createOrderServiceClient } from '@orderlab/contracts';
import { startTestLab, REPO_ROOT } from '@orderlab/lab';
import { MIGRATIONS_DIR, seedDatabase } from '@orderlab/orders';
import { createLogger } from '@orderlab/platform';
import { runMigrations } from '@orderlab/platform/postgres';
import { createTestDatabase } from '@orderlab/platform/testing';
import pg from 'pg';
import { measureEvents, type EventResults } from './events.js';
import { formatRow, httpClient, percentile, runLoad, type LoadResult } from './load.js';
import { METRICS_COST_GOAL, TELEMETRY_COST_GOAL, TRACE_BACKENDS_RSS_GOAL_MB, measureMetricsCost, type MetricsCostResult } from './metrics-cost.js';
import { highestHeldRate, measureTrafficAccuracy, type TrafficAccuracyRow } from './traffic-accuracy.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const latencyOrders = Number(process.env.BENCH_LATENCY_ORDERS ?? 400);
const eventOrders = Number(process.env.BENCH_EVENT_ORDERS ?? 2000);
const durationMs = seconds * 1000;
const trafficSeconds = Number(process.env.BENCH_TRAFFIC_SECONDS ?? 10);
const trafficRates = (process.env.BENCH_TRAFFIC_RATES ?? '10,100,500,1000,2000').split(',').map(Number);
const metricsRounds = Number(process.env.BENCH_METRICS_ROUNDS ?? 3);
const metricsSeconds = Number(process.env.BENCH_METRICS_SECONDS ?? 10);

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Starts a ceiling server script as its own process; resolves once it printed its port. */
async function startCeiling(script: string, env: Record<string, string> = {}): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    lines.once('line', (line) => resolve(Number(line)));
  });
  return { port, child };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A random 1–3 item order over the catalog. */
function orderBody(productIds: string[], i: number) {
  const count = 1 + (i % 3);
  const start = (i * 7) % productIds.length;
  const items = Array.from({ length: count }, (_, k) => ({
    productId: productIds[(start + k) % productIds.length]!,
    quantity: 1 + ((i + k) % 4),
  }));
  return { customerId: `bench-${i % 200}`, items };
}

async function waitUntil(label: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The traffic generator's accuracy alone; resolves to its rows. */
async function trafficAccuracy(): Promise<TrafficAccuracyRow[]> {
  say(`traffic generator accuracy — steady mode against a bare sink, ${trafficSeconds} s per rate after a 2 s warm-up`);
  const rows = await measureTrafficAccuracy({ rates: trafficRates, seconds: trafficSeconds, say });
  say(`highest rate held within ±2 % with nothing dropped: ${highestHeldRate(rows)} req/s`);
  return rows;
}

/** `npm run bench -- traffic`: only the traffic generator's accuracy. */
async function trafficOnly(): Promise<number> {
  const traffic = await trafficAccuracy();
  const out = join(REPO_ROOT, '.lab', 'bench-traffic-results.json');
  mkdirSync(join(REPO_ROOT, '.lab'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), seconds: trafficSeconds, traffic }, null, 2)}\n`);
  say(`\nresults written to ${out}`);
  return 0;
}

/** The cost of metrics on the order path (two labs, on and off, loaded together); resolves to the result. */
async function metricsCost(): Promise<MetricsCostResult> {
  say(`metrics on vs off — two labs loaded together, ${metricsRounds} rounds of ${metricsSeconds} s per measurement, concurrency ${concurrency} split between them, worker paused`);
  const result = await measureMetricsCost({ comparison: 'metrics', rounds: metricsRounds, seconds: metricsSeconds, concurrency, say });
  const verdict = (ratio: number) => `${(ratio * 100).toFixed(1).padStart(6)} %   ${ratio >= METRICS_COST_GOAL ? 'met' : 'MISSED'}`;
  say(`order placement with metrics on, share of off (goal ≥ ${METRICS_COST_GOAL * 100} %)  ${verdict(result.placementRatio)}`);
  say(`cached reads with metrics on, share of off (goal ≥ ${METRICS_COST_GOAL * 100} %)     ${verdict(result.readRatio)}`);
  return result;
}

/** The cost of metrics + tracing together (two labs, all on and all off, loaded together); resolves to the result. */
async function telemetryCost(): Promise<MetricsCostResult> {
  say(`metrics + tracing (100 % sampled, to the real Collector and Jaeger) vs both off — two labs loaded together, ${metricsRounds} rounds of ${metricsSeconds} s per measurement, concurrency ${concurrency} split between them, worker paused`);
  const result = await measureMetricsCost({ comparison: 'telemetry', rounds: metricsRounds, seconds: metricsSeconds, concurrency, say });
  const verdict = (ratio: number) => `${(ratio * 100).toFixed(1).padStart(6)} %   ${ratio >= TELEMETRY_COST_GOAL ? 'met' : 'MISSED'}`;
  say(`order placement with metrics + tracing, share of off (goal ≥ ${TELEMETRY_COST_GOAL * 100} %)  ${verdict(result.placementRatio)}`);
  say(`cached reads with metrics + tracing, share of off (goal ≥ ${TELEMETRY_COST_GOAL * 100} %)     ${verdict(result.readRatio)}`);
  const rss = result.traceBackendsPeakRssMb;
  if (rss) {
    const total = rss.collector + rss.jaeger;
    say(`Collector + Jaeger peak RSS under that load (goal ≤ ${TRACE_BACKENDS_RSS_GOAL_MB} MB)    ${total.toFixed(0).padStart(5)} MB (Collector ${rss.collector.toFixed(0)}, Jaeger ${rss.jaeger.toFixed(0)})   ${total <= TRACE_BACKENDS_RSS_GOAL_MB ? 'met' : 'MISSED'}`);
  }
  return result;
}

/** `npm run bench -- metrics` or `-- tracing`: only that cost. */
async function costOnly(which: 'metrics' | 'tracing'): Promise<number> {
  const result = which === 'metrics' ? await metricsCost() : await telemetryCost();
  const out = join(REPO_ROOT, '.lab', `bench-${which}-results.json`);
  mkdirSync(join(REPO_ROOT, '.lab'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), rounds: metricsRounds, seconds: metricsSeconds, concurrency, [which]: result }, null, 2)}\n`);
  say(`\nresults written to ${out}`);
  return 0;
}

interface OrderPathResults {
  /** Placement (request path), placement (pipeline live), cached reads. */
  results: LoadResult[];
  fulfillment: { orders: number; p50Ms: number; p99Ms: number; maxMs: number };
  events: EventResults | undefined;
}

/** The order path on a throwaway lab: placement, the live pipeline, cached reads, accepted → fulfilled; the event bus too when asked. */
async function measureOrderPath({ withEvents }: { withEvents: boolean }): Promise<OrderPathResults> {
  say('starting a throwaway lab (zero simulated fulfillment delays)…');
  const lab = await startTestLab('bench', {
    logLevel: 'warn',
    env: {
      fulfillment: { FULFILLMENT_PICK_MS: '0', FULFILLMENT_PACK_MS: '0', FULFILLMENT_SHIP_MS: '0', FULFILLMENT_CONCURRENCY: '32' },
      gateway: { MAX_IN_FLIGHT: '4096' },
    },
  });
  const results: LoadResult[] = [];
  let fulfillment: { orders: number; p50Ms: number; p99Ms: number; maxMs: number } | undefined;
  let events: EventResults | undefined;
  const ordersDb = new pg.Pool({ connectionString: lab.databases.orders.url, max: 2 });
  try {
    const api = httpClient(lab.urls.gateway, concurrency);
    const catalog = JSON.parse(await api.request('GET', '/api/v1/products?limit=50', { expect: 200 })) as { items: { id: string }[] };
    const productIds = catalog.items.map((p) => p.id);

    const placeOrders = (name: string) =>
      runLoad({
        name,
        concurrency,
        durationMs,
        call: async (i) => {
          await api.request('POST', '/api/v1/orders', {
            body: orderBody(productIds, i),
            headers: { 'idempotency-key': randomUUID() },
            expect: 201,
          });
        },
      });
    const open = async () => {
      const { rows } = await ordersDb.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE status IN ('pending','fulfilling')");
      return rows[0]?.n ?? 0;
    };

    // The request path alone (what the ceiling measures): the worker is paused so its five
    // shipment writes and the CompleteFulfillment transaction per order do not compete for
    // Postgres; the relay in orders still delivers every order to the stream.
    await lab.kill('fulfillment', 'SIGTERM');
    const placement = await placeOrders('lab: POST /api/v1/orders (request path)');
    results.push(placement);
    say(formatRow(placement));
    await lab.restart('fulfillment');
    say('waiting for the fulfillment backlog to drain…');
    await waitUntil('the fulfillment backlog', async () => (await open()) === 0, 600_000);

    // The whole system: placement while the worker fulfills concurrently.
    const live = await placeOrders('lab: POST /api/v1/orders (pipeline live)');
    results.push(live);
    say(formatRow(live));
    await waitUntil('the fulfillment backlog', async () => (await open()) === 0, 600_000);

    const reads = await runLoad({
      name: 'lab: GET /api/v1/products/{id} (cached)',
      concurrency,
      durationMs,
      call: async (i) => {
        await api.request('GET', `/api/v1/products/${productIds[i % 10]}`, { expect: 200 });
      },
    });
    results.push(reads);
    say(formatRow(reads));


    // Accepted → fulfilled: orders placed one at a time (no backlog), measured by the database
    // clocks of the two transactions (orders.created_at → orders.fulfilled_at).
    const ids: string[] = [];
    for (let i = 0; i < latencyOrders; i++) {
      const body = JSON.parse(await api.request('POST', '/api/v1/orders', {
        body: orderBody(productIds, i), headers: { 'idempotency-key': randomUUID() }, expect: 201,
      })) as { id: string };
      ids.push(body.id);
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitUntil('the latency orders to be fulfilled', async () => {
      const { rows } = await ordersDb.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'fulfilled'", [ids]);
      return rows[0]?.n === ids.length;
    }, 120_000);
    const { rows } = await ordersDb.query<{ ms: number }>(
      'SELECT extract(epoch FROM fulfilled_at - created_at) * 1000 AS ms FROM orders WHERE id = ANY($1::uuid[]) ORDER BY 1',
      [ids],
    );
    const lat = rows.map((r) => Number(r.ms));
    fulfillment = { orders: lat.length, p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), maxMs: lat[lat.length - 1] ?? Number.NaN };
    say(`lab: order accepted → fulfilled (${fulfillment.orders} orders, delays 0)   p50 ${fulfillment.p50Ms.toFixed(2)} ms   p99 ${fulfillment.p99Ms.toFixed(2)} ms   max ${fulfillment.maxMs.toFixed(2)} ms`);

    if (withEvents) events = await measureEvents(lab, api, (i) => orderBody(productIds, i), {
      backlogOrders: eventOrders,
      latencyOrders,
      concurrency,
      say,
    });
    api.close();
  } finally {
    await ordersDb.end();
    await lab.dispose();
  }
  if (!fulfillment) throw new Error('accepted → fulfilled was not measured');
  return { results, fulfillment, events };

}

/** `npm run bench -- orders`: only the order path (what a refactoring must not slow down). */
async function ordersOnly(): Promise<number> {
  say(`OrderLab order path — ${seconds} s per measurement after a 2 s warm-up, concurrency ${concurrency}`);
  const { results, fulfillment } = await measureOrderPath({ withEvents: false });
  const out = join(REPO_ROOT, '.lab', 'bench-orders-results.json');
  mkdirSync(join(REPO_ROOT, '.lab'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), seconds, concurrency, results, fulfillment }, null, 2)}\n`);
  say(`\nresults written to ${out}`);
  return 0;
}

/** Runs the benchmark (argv: nothing for all of it, `orders`, `traffic`, `metrics` or `tracing` for one part); resolves to the exit code. */
export async function main(argv: string[] = []): Promise<number> {
  if (argv[0] === 'traffic' && argv.length === 1) return trafficOnly();
  if ((argv[0] === 'metrics' || argv[0] === 'tracing') && argv.length === 1) return costOnly(argv[0]);
  if (argv[0] === 'orders' && argv.length === 1) return ordersOnly();
  if (argv.length > 0) {
    process.stderr.write(`usage: npm run bench [-- orders|traffic|metrics|tracing]   (unknown argument: ${argv.join(' ')})\n`);
    return 2;
  }
  say(`OrderLab benchmark — ${seconds} s per measurement after a 2 s warm-up, concurrency ${concurrency}`);
  const { results, fulfillment, events } = await measureOrderPath({ withEvents: true });
  if (!events) throw new Error('the event bus was not measured');

  const ceilings: LoadResult[] = [];
  say('ceilings (same machine, same client):');
  const db = await createTestDatabase('bench_ceiling');
  try {
    const logger = createLogger({ service: 'bench', level: 'warn' });
    await runMigrations({ databaseUrl: db.url, dir: MIGRATIONS_DIR, logger });
    const seedPool = new pg.Pool({ connectionString: db.url, max: 2 });
    await seedDatabase(seedPool);
    const { rows } = await seedPool.query<{ id: string }>('SELECT id FROM products ORDER BY name LIMIT 50');
    await seedPool.end();
    const productIds = rows.map((r) => r.id);
    const fastify = await startCeiling('./ceiling-fastify-pg.js', { DATABASE_URL: db.url });
    try {
      const api = httpClient(`http://127.0.0.1:${fastify.port}`, concurrency);
      const r = await runLoad({
        name: 'ceiling: bare Fastify + the same PG transaction',
        concurrency,
        durationMs,
        call: async (i) => {
          await api.request('POST', '/orders', { body: orderBody(productIds, i), headers: { 'idempotency-key': randomUUID() }, expect: 201 });
        },
      });
      ceilings.push(r);
      say(formatRow(r));
      api.close();
    } finally {
      await stopChild(fastify.child);
    }
  } finally {
    await db.drop();
  }

  const grpcServer = await startCeiling('./ceiling-grpc.js');
  try {
    const client = createOrderServiceClient(`127.0.0.1:${grpcServer.port}`);
    const r = await runLoad({
      name: 'ceiling: bare grpc-js unary (GetProduct)',
      concurrency,
      durationMs,
      call: () =>
        new Promise<void>((resolve, reject) => {
          client.getProduct({ id: 'x' }, new grpc.Metadata(), { deadline: Date.now() + 5_000 }, (err) => (err ? reject(err) : resolve()));
        }),
    });
    ceilings.push(r);
    say(formatRow(r));
    client.close();
  } finally {
    await stopChild(grpcServer.child);
  }

  say('');
  const traffic = await trafficAccuracy();
  say('');
  const metrics = await metricsCost();
  say('');
  const telemetry = await telemetryCost();

  const [placement, live, reads] = results as [LoadResult, LoadResult, LoadResult];
  const [fastifyPg, bareGrpc] = ceilings as [LoadResult, LoadResult];
  const placementRatio = placement.throughput / fastifyPg.throughput;
  const readRatio = reads.throughput / bareGrpc.throughput;
  say('');
  say('goal                                                        measured   result');
  say(`order placement ≥ 50 % of bare Fastify + PG                 ${(placementRatio * 100).toFixed(0).padStart(5)} %    ${placementRatio >= 0.5 ? 'met' : 'MISSED'}`);
  say(`(with the pipeline live: ${((live.throughput / fastifyPg.throughput) * 100).toFixed(0)} % — every order then also costs 5 shipment writes and a CompleteFulfillment transaction)`);
  say(`cached reads ≥ 50 % of bare gRPC unary                      ${(readRatio * 100).toFixed(0).padStart(5)} %    ${readRatio >= 0.5 ? 'met' : 'MISSED'}`);
  say(`order accepted → fulfilled p99 < 100 ms (delays 0)         ${fulfillment.p99Ms.toFixed(1).padStart(6)} ms   ${fulfillment.p99Ms < 100 ? 'met' : 'MISSED'}`);
  say('');
  say('event bus                                                   measured');
  say(`published with confirms by the orders relay (${String(events.backlog).padStart(5)} backlog) ${events.publishedPerSecond.toFixed(0).padStart(7)} events/s`);
  say(`consumed and stored by notifications (same backlog)         ${events.consumedPerSecond.toFixed(0).padStart(7)} events/s`);
  say(`order created → notification stored, p50 / p99              ${events.latency.p50Ms.toFixed(1).padStart(7)} / ${events.latency.p99Ms.toFixed(1)} ms`);
  say('');
  say(`traffic generator holds its rate within ±2 % up to           ${String(highestHeldRate(traffic)).padStart(7)} req/s (of ${trafficRates.join(', ')})`);

  const out = join(REPO_ROOT, '.lab', 'bench-results.json');
  mkdirSync(join(REPO_ROOT, '.lab'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), seconds, concurrency, results, ceilings, fulfillment, events, traffic, metrics, telemetry, placementRatio, readRatio }, null, 2)}\n`);
  say(`\nresults written to ${out}`);
  return 0;
}
