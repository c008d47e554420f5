/**
 * Exemplars end to end: a real Prometheus (with exemplar storage, as the lab runs it) scrapes a
 * small Fastify app built from the platform's HTTP defaults and metrics, whose server handles
 * each request in a span continuing the client's `traceparent` (what the HTTP instrumentation
 * does in the services). Prometheus asks for OpenMetrics, gets the exposition with exemplars,
 * and answers `query_exemplars` with the trace of a sampled request — the link Grafana follows
 * from a latency panel to the trace.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { context, defaultTextMapGetter, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOnSampler, ParentBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { findExecutable, freePort, Supervisor } from '@orderlab/lab';
import { httpServerOptions, registerHttpDefaults, registerMetrics } from '@orderlab/platform/http';
import { createServiceMetrics } from '@orderlab/platform/metrics';
import { captureLogs, waitFor } from '@orderlab/platform/testing';

const JOB = 'exemplars-app';
const HISTOGRAM = 'http_server_request_duration_seconds';
const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');

interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}
interface Target {
  labels: { job: string };
  health: string;
  lastError: string;
}

/** GET <prometheus>/api/v1/<path> and its `data`. */
async function api<T>(base: string, path: string, query: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${base}/api/v1/${path}?${new URLSearchParams(query).toString()}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  assert.equal(body.status, 'success', `${path}: ${body.error}`);
  return body.data;
}

/** The app: platform HTTP defaults and metrics, each request handled in a server span; returns its port and the server span id by trace id. */
async function startTracedApp(t: TestContext) {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  t.after(() => context.disable());
  const tracer = new TracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }) }).getTracer('exemplars-test');
  const propagator = new W3CTraceContextPropagator();
  const serverSpans = new Map<string, string>();

  const app = Fastify({
    ...httpServerOptions({ logger: captureLogs(JOB).logger }),
    serverFactory: (handler) =>
      createServer((req, res) => {
        const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
        const span = tracer.startSpan(req.method ?? 'GET', { kind: SpanKind.SERVER }, parent);
        serverSpans.set(span.spanContext().traceId, span.spanContext().spanId);
        res.on('close', () => span.end());
        context.with(trace.setSpan(parent, span), () => handler(req, res));
      }),
  });
  registerHttpDefaults(app);
  registerMetrics(app, createServiceMetrics({ enabled: true, service: JOB, version: '1.0.0' }));
  app.get('/api/v1/orders/:id', async () => ({ ok: true }));
  app.get('/api/v1/products', async () => ({ items: [] }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { port: address.port, serverSpans };
}

/** A Prometheus with exemplar storage scraping 127.0.0.1:appPort every second; returns its base URL. */
async function startPrometheus(t: TestContext, appPort: number): Promise<string> {
  const binary = findExecutable('prometheus');
  assert.ok(binary, 'prometheus is installed (npm test installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'orderlab-exemplars-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(
    configFile,
    ['global:', '  scrape_interval: 1s', 'scrape_configs:', `  - job_name: ${JOB}`, '    static_configs:', `      - targets: ['127.0.0.1:${appPort}']`, ''].join('\n'),
  );
  const port = await freePort();
  const prometheus = new Supervisor(
    {
      name: 'prometheus',
      command: binary,
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--enable-feature=exemplar-storage',
      ],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      readyUrl: `http://127.0.0.1:${port}/-/ready`,
    },
    { logFile: join(dir, 'prometheus.log'), stopTimeoutMs: 5_000 },
  );
  t.after(async () => {
    await prometheus.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  prometheus.start();
  await prometheus.waitReady({ timeoutMs: 30_000 });
  return `http://127.0.0.1:${port}`;
}

describe('exemplars in Prometheus', () => {
  it('holds the trace id of a sampled request on the request histogram, and none of an unsampled one', async (t) => {
    const app = await startTracedApp(t);
    const base = `http://127.0.0.1:${app.port}`;
    const [sampledTrace, unsampledTrace] = [randomHex(16), randomHex(16)];
    const unsampled = await fetch(`${base}/api/v1/products`, { headers: { traceparent: `00-${unsampledTrace}-${randomHex(8)}-00` } });
    assert.equal(unsampled.status, 200);
    const sampled = await fetch(`${base}/api/v1/orders/7`, { headers: { traceparent: `00-${sampledTrace}-${randomHex(8)}-01` } });
    assert.equal(sampled.status, 200);
    const started = Date.now() / 1000;
    const prometheus = await startPrometheus(t, app.port);

    const query = { query: `${HISTOGRAM}_bucket{job="${JOB}"}`, start: String(started - 3_600), end: String(started + 3_600) };
    const found = await waitFor(
      'the sampled request\'s exemplar in Prometheus',
      async () => {
        const series = await api<ExemplarSeries[]>(prometheus, 'query_exemplars', query);
        const match = series.find((s) => s.exemplars.some((e) => e.labels.trace_id === sampledTrace));
        return match ? { match, series } : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    assert.equal(found.match.seriesLabels.http_route, '/api/v1/orders/:id');
    assert.equal(found.match.seriesLabels.http_response_status_code, '200');
    const exemplar = found.match.exemplars.find((e) => e.labels.trace_id === sampledTrace)!;
    assert.equal(exemplar.labels.span_id, app.serverSpans.get(sampledTrace), 'the request\'s server span');
    assert.ok(Number(exemplar.value) > 0 && Number(exemplar.value) <= Number(found.match.seriesLabels.le), 'the duration, inside its bucket');
    assert.ok(
      found.series.every((s) => s.exemplars.every((e) => e.labels.trace_id !== unsampledTrace)),
      'no exemplar points at a trace that was not sampled',
    );

    // The whole OpenMetrics exposition parsed, and counters kept their names.
    const targets = (await api<{ activeTargets: Target[] }>(prometheus, 'targets')).activeTargets;
    assert.deepEqual(targets.map((x) => [x.labels.job, x.health, x.lastError]), [[JOB, 'up', '']]);
    const cpu = await api<{ result: unknown[] }>(prometheus, 'query', { query: `process_cpu_seconds_total{job="${JOB}"}` });
    assert.equal(cpu.result.length, 1, 'process_cpu_seconds_total is stored under the name the text format gives it');
  });
});
