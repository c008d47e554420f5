/**
 * The native lab with tracing on, as `npm start` runs it: the services start with the tracing
 * hook and TRACING_ENABLED=true, the Collector and Jaeger come up beside them (built in the
 * background when needed), the services' spans reach Jaeger, Prometheus scrapes the Collector
 * once it runs and keeps exemplars, and on stop the Collector outlives the services. A lab whose
 * backends are still being built is up and serving meanwhile.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startTestLab } from '../src/lab.js';
import { TRACE_BACKEND_TOOLS, TRACE_BACKENDS } from '../src/lab-tracing.js';
import { TRACING_REGISTER } from '../src/paths.js';
import { ensureTool, toolPath } from '../src/tools.js';
import { waitFor } from './helpers.js';

/** A cold build of the Collector and Jaeger takes ~8 minutes on 2 cores (npm test starts it first). */
const TRACING_WAIT_MS = 20 * 60_000;

/** A process's command line and environment, from /proc. */
function processInfo(pid: number): { argv: string[]; env: Record<string, string> } {
  const split = (file: string) => readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0').filter(Boolean);
  return { argv: split('cmdline'), env: Object.fromEntries(split('environ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) };
}

/** True when Prometheus reports both Collector jobs up. */
async function collectorJobsUp(prometheus: string): Promise<boolean> {
  const up = await prometheusApi<{ result: unknown[] }>(prometheus, 'query', { query: 'up{job=~"otel-collector|otel-collector-self"} == 1' });
  return up.result.length === 2;
}

/** GET <prometheus>/api/v1/<path> and its `data`. */
async function prometheusApi<T>(base: string, path: string, query: Record<string, string>): Promise<T> {
  const res = await fetch(`${base}/api/v1/${path}?${new URLSearchParams(query).toString()}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  assert.equal(body.status, 'success', `${path}: ${body.error}`);
  return body.data;
}

describe('the lab with tracing', () => {
  it('traces the services into its own Collector and Jaeger, which Prometheus scrapes, and stops the Collector after the services', { timeout: TRACING_WAIT_MS + 180_000 }, async (t) => {
    const lab = await startTestLab('tracing', { tracing: true, prometheus: true, exporters: false });
    t.after(() => lab.dispose());
    assert.ok(lab.urls.tracing);
    const { jaegerQuery, otlpHttp } = lab.urls.tracing;
    assert.equal(jaegerQuery, `http://127.0.0.1:${lab.ports.jaegerQuery}`);
    await lab.waitTracing(TRACING_WAIT_MS);
    assert.equal(lab.tracingStatus(), 'running');

    // Each traced service runs with the hook and exports to this lab's Collector.
    for (const service of ['gateway', 'orders', 'fulfillment', 'notifications'] as const) {
      const { argv, env } = processInfo(lab.services[service].pid ?? 0);
      assert.deepEqual(argv.slice(1, 3), ['--import', TRACING_REGISTER], service);
      assert.equal(env.TRACING_ENABLED, 'true', service);
      assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, otlpHttp, service);
    }

    // A client's trace context is continued by the gateway and orders, and the trace lands in Jaeger.
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${lab.urls.gateway}/api/v1/products?limit=2`, { headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const services = await waitFor(
      async () => {
        const found = await fetch(`${jaegerQuery}/api/traces/${traceId}`).catch(() => undefined);
        if (found?.status !== 200) return void (await setTimeout(250));
        const trace = ((await found.json()) as { data: { processes: Record<string, { serviceName: string }> }[] }).data[0];
        const names = new Set(Object.values(trace?.processes ?? {}).map((p) => p.serviceName));
        return names.has('gateway') && names.has('orders') ? names : void (await setTimeout(250));
      },
      60_000,
      `trace ${traceId} with gateway and orders spans in Jaeger`,
    );
    assert.ok(services);

    // Prometheus picked the Collector's jobs up once it ran, and stores span-metric exemplars.
    const prometheus = lab.urls.prometheus;
    assert.ok(prometheus);
    assert.ok(lab.scrapeJobs.includes('otel-collector') && lab.scrapeJobs.includes('otel-collector-self'), lab.scrapeJobs.join(' '));
    await waitFor(async () => (await collectorJobsUp(prometheus)) || void (await setTimeout(500)), 60_000, 'both Collector jobs up in Prometheus');
    const exemplar = await waitFor(
      async () => {
        const now = Date.now() / 1000;
        const data = await prometheusApi<{ exemplars: { labels: { trace_id?: string } }[] }[]>(prometheus, 'query_exemplars', {
          query: 'traces_span_metrics_duration_milliseconds_bucket{service_name="gateway"}',
          start: String(now - 600),
          end: String(now),
        });
        return data.flatMap((s) => s.exemplars).find((e) => e.labels.trace_id) ?? void (await setTimeout(1_000));
      },
      90_000,
      'an exemplar with a trace id on the gateway’s span metrics',
    );
    assert.ok(exemplar);
    assert.match(exemplar.labels.trace_id ?? '', /^[0-9a-f]{32}$/);

    // Stop: the Collector (which flushes the services' last spans) only after every service.
    const exits = new Map<string, number>();
    for (const [name, supervisor] of [...Object.entries(lab.services), ...Object.entries(lab.traceBackends)]) {
      supervisor?.once('exit', () => exits.set(name, Date.now()));
    }
    await lab.stop();
    const collectorExit = exits.get('otel-collector') ?? 0;
    for (const service of ['gateway', 'orders', 'fulfillment', 'notifications']) {
      assert.ok((exits.get(service) ?? Infinity) <= collectorExit, `${service} stopped before the Collector`);
    }
    assert.ok(collectorExit <= (exits.get('jaeger') ?? 0), 'Jaeger stops last');
  });

  it('is up and serving while the Collector and Jaeger are still being built, and adds them and their scrape jobs once built', { timeout: TRACING_WAIT_MS + 180_000 }, async (t) => {
    const built = await Promise.all(TRACE_BACKENDS.map((backend) => ensureTool(TRACE_BACKEND_TOOLS[backend])));
    const cacheDir = mkdtempSync(join(tmpdir(), 'orderlab-tracing-cache-'));
    t.after(() => rmSync(cacheDir, { recursive: true, force: true }));
    // A build in progress, as another runner's: this test holds both installs' locks in an empty cache.
    const toolDirs = TRACE_BACKENDS.map((backend) => {
      const spec = TRACE_BACKEND_TOOLS[backend];
      const dir = join(cacheDir, 'tools', spec.name, spec.version);
      mkdirSync(`${dir}.lock`, { recursive: true });
      writeFileSync(join(`${dir}.lock`, 'pid'), String(process.pid));
      return dir;
    });

    const lab = await startTestLab('tracing-later', { tracing: true, prometheus: true, exporters: false, toolCacheDir: cacheDir });
    t.after(() => lab.dispose());

    assert.equal(lab.tracingStatus(), 'installing');
    assert.match(lab.describeTracing(), /^installing jaeger v1\.75\.0 \(installing for \d+ s\), otelcol-orderlab v0\.165\.0/);
    assert.ok(!lab.scrapeJobs.includes('otel-collector'), 'nothing to scrape yet');
    const res = await fetch(`${lab.urls.gateway}/api/v1/products?limit=1`);
    assert.equal(res.status, 200, 'the services answer, their spans dropped until the Collector runs');
    await res.body?.cancel();

    // The build "finishes": the programs land in the cache and the locks go.
    TRACE_BACKENDS.forEach((backend, i) => {
      const target = toolPath(TRACE_BACKEND_TOOLS[backend], cacheDir);
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(built[i]!.path, target);
      writeFileSync(join(toolDirs[i]!, '.complete'), 'test\n');
      rmSync(`${toolDirs[i]!}.lock`, { recursive: true, force: true });
    });
    await lab.waitTracing(120_000);

    assert.equal(lab.tracingStatus(), 'running');
    assert.ok(lab.scrapeJobs.includes('otel-collector') && lab.scrapeJobs.includes('otel-collector-self'), lab.scrapeJobs.join(' '));
    const prometheus = lab.urls.prometheus;
    assert.ok(prometheus);
    await waitFor(async () => (await collectorJobsUp(prometheus)) || void (await setTimeout(500)), 60_000, 'Prometheus reloaded with both Collector jobs up');
  });
});
