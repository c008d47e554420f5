/**
 * The tracing backends as the runner runs them (TraceBackends of lab-tracing.ts): the lab's own
 * Collector and Jaeger v2, built by the tool installer, on free ports, with the configs of
 * deploy/. A span sent over OTLP/HTTP must be findable in Jaeger and counted in the span metrics;
 * a killed Collector is restarted and the pipeline works again.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout } from 'node:timers/promises';
import { join } from 'node:path';
import { before, describe, it, type TestContext } from 'node:test';
import { freeTracingPorts } from '../src/lab-options.js';
import {
  COLLECTOR_CONFIG,
  JAEGER_CONFIG,
  TRACE_BACKEND_TOOLS,
  TraceBackends,
  collectorEnv,
  jaegerEnv,
  tracingUrls,
  type TracingPorts,
} from '../src/lab-tracing.js';
import { ensureTool } from '../src/tools.js';
import { waitFor } from './helpers.js';

/** A cold build of both takes ~8 minutes on 2 cores (npm test starts it early; this waits for it through the installer's lock). */
const INSTALL_TIMEOUT_MS = 20 * 60_000;
/** The span metrics are flushed every 15 s; on a loaded machine give it a few rounds. */
const SPAN_METRICS_WAIT_MS = 60_000;

/** Random ids as OTLP/JSON wants them: lowercase hex, 16 bytes for a trace, 8 for a span. */
const traceId = () => randomBytes(16).toString('hex');
const spanId = () => randomBytes(8).toString('hex');

/** POSTs one server span of `service` to the Collector's OTLP/HTTP receiver (JSON, as /v1/traces accepts it). */
async function sendSpan(otlpHttp: string, service: string, trace: string, name: string, durationMs: number): Promise<void> {
  const end = BigInt(Date.now()) * 1_000_000n;
  const start = end - BigInt(durationMs) * 1_000_000n;
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'tracing-backends.test' },
            spans: [
              {
                traceId: trace,
                spanId: spanId(),
                name,
                kind: 2, // SPAN_KIND_SERVER
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(end),
                attributes: [{ key: 'http.response.status_code', value: { intValue: 200 } }],
              },
            ],
          },
        ],
      },
    ],
  };
  const res = await fetch(`${otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
}

interface JaegerTrace {
  traceID: string;
  spans: { operationName: string; processID: string }[];
  processes: Record<string, { serviceName: string }>;
}

/** The trace from Jaeger's query API, or undefined while it does not have it (404). */
async function jaegerTrace(jaegerQuery: string, trace: string): Promise<JaegerTrace | undefined> {
  const res = await fetch(`${jaegerQuery}/api/traces/${trace}`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  if (!res || res.status !== 200) {
    await res?.body?.cancel();
    return undefined;
  }
  return ((await res.json()) as { data: JaegerTrace[] }).data[0];
}

/** Polls Jaeger until it holds the trace. */
async function traceInJaeger(ports: TracingPorts, trace: string): Promise<JaegerTrace> {
  const found = await waitFor(() => jaegerTrace(tracingUrls(ports).jaegerQuery, trace), 30_000, `trace ${trace} in Jaeger`);
  assert.ok(found);
  return found;
}

/** The span metrics page (OpenMetrics, which carries exemplars). */
async function spanMetrics(ports: TracingPorts): Promise<string> {
  const res = await fetch(tracingUrls(ports).spanMetrics, { headers: { accept: 'application/openmetrics-text; version=1.0.0' }, signal: AbortSignal.timeout(2_000) });
  return res.text();
}

/** Both backends started on free ports as the lab starts them; stopped (Collector first) after the test. */
async function startBackends(t: TestContext): Promise<{ backends: TraceBackends; ports: TracingPorts }> {
  const ports = await freeTracingPorts();
  const logsDir = mkdtempSync(join(tmpdir(), 'orderlab-tracing-'));
  const backends = new TraceBackends({ ports, logsDir, restartDelayMs: { initial: 100, max: 1_000 } });
  t.after(async () => {
    backends.cancel();
    await backends.supervisors['otel-collector'].stop();
    await backends.supervisors.jaeger.stop();
    rmSync(logsDir, { recursive: true, force: true });
  });
  await backends.start();
  return { backends, ports };
}

describe('the tracing backends (the lab’s OpenTelemetry Collector and Jaeger v2)', () => {
  before(async () => {
    await Promise.all(Object.values(TRACE_BACKEND_TOOLS).map((tool) => ensureTool(tool)));
  }, { timeout: INSTALL_TIMEOUT_MS });

  it('have configs that the real binaries accept with the runner’s variables, and refuse without them', async () => {
    const ports = await freeTracingPorts();
    const validate = (backend: 'otel-collector' | 'jaeger', env: Record<string, string>) => {
      const binary = ensureTool(TRACE_BACKEND_TOOLS[backend]);
      return binary.then((tool) =>
        spawnSync(tool.path, ['validate', '--config', backend === 'jaeger' ? JAEGER_CONFIG : COLLECTOR_CONFIG], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }),
      );
    };

    const collector = await validate('otel-collector', collectorEnv(ports));
    const jaeger = await validate('jaeger', jaegerEnv(ports));
    const unset = await validate('otel-collector', {});

    assert.equal(collector.status, 0, collector.stderr);
    assert.equal(jaeger.status, 0, jaeger.stderr);
    assert.notEqual(unset.status, 0, 'every address comes from the environment');
    assert.match(unset.stderr, /endpoint/);
  });

  it('carry a span posted to the Collector over OTLP/HTTP into Jaeger and into the span metrics, with its trace id as exemplar', async (t) => {
    const { ports } = await startBackends(t);
    const service = `svc-${randomBytes(3).toString('hex')}`;
    const trace = traceId();

    await sendSpan(tracingUrls(ports).otlpHttp, service, trace, 'GET /api/v1/things/:id', 42);

    const found = await traceInJaeger(ports, trace);
    assert.equal(found.spans.length, 1);
    assert.equal(found.spans[0]?.operationName, 'GET /api/v1/things/:id');
    assert.equal(found.processes[found.spans[0]?.processID ?? '']?.serviceName, service);

    // The first flush carries the span's trace id as the exemplar of its bucket (42 ms: le 50);
    // a new counter reads 0 on its first flush (so that rate() counts its first calls) and 1 after.
    const metricsMatch = (pattern: RegExp, what: string) =>
      waitFor(
        async () => pattern.test(await spanMetrics(ports).catch(() => '')) || void (await setTimeout(500)),
        SPAN_METRICS_WAIT_MS,
        what,
      );
    const series = `\\{[^}]*service_name="${service}"[^}]*span_kind="SPAN_KIND_SERVER"`;
    await metricsMatch(
      new RegExp(`^traces_span_metrics_duration_milliseconds_bucket${series}[^}]*le="50(\\.0)?"\\} 1 # \\{[^}]*trace_id="${trace}"`, 'm'),
      'the span in the 50 ms bucket with its trace id as exemplar',
    );
    await metricsMatch(new RegExp(`^traces_span_metrics_calls_total${series}[^}]*\\} 1(\\.0)?$`, 'm'), `one call of ${service} counted`);

    // Jaeger does not trace its own queries into the lab's Collector.
    const services = ((await (await fetch(`${tracingUrls(ports).jaegerQuery}/api/services`)).json()) as { data: string[] }).data;
    assert.deepEqual(services, [service]);
  });

  it('restart a killed Collector, after which spans reach Jaeger again', async (t) => {
    const { backends, ports } = await startBackends(t);
    const collector = backends.supervisors['otel-collector'];
    const firstPid = collector.pid;

    const exit = await collector.kill('SIGKILL', { autoRestart: true });
    assert.equal(exit.signal, 'SIGKILL');
    await waitFor(() => collector.restarts >= 1, 30_000, 'the supervisor to restart the Collector');
    await collector.waitReady({ timeoutMs: 30_000 });
    assert.notEqual(collector.pid, firstPid);

    const trace = traceId();
    await sendSpan(tracingUrls(ports).otlpHttp, 'after-restart', trace, 'GET /again', 3);
    const found = await traceInJaeger(ports, trace);
    assert.equal(found.spans[0]?.operationName, 'GET /again');
  });

  it('hold spans for a Jaeger that is down for a few seconds (the Collector retries), and deliver them once it is back', async (t) => {
    const { backends, ports } = await startBackends(t);
    const jaeger = backends.supervisors.jaeger;
    await jaeger.kill('SIGTERM');

    const trace = traceId();
    await sendSpan(tracingUrls(ports).otlpHttp, 'while-jaeger-down', trace, 'GET /queued', 5);
    // The Collector holds it: its export to Jaeger fails and is retried from the sending queue.
    await waitFor(
      async () => {
        const own = await fetch(`http://127.0.0.1:${ports.collectorMetrics}/metrics`).then((r) => r.text(), () => '');
        return /^otelcol_exporter_queue_size\{[^}]*exporter="otlp_grpc\/traces"[^}]*\} [1-9]/m.test(own) || void (await setTimeout(200));
      },
      30_000,
      'the span waiting in the Collector’s queue',
    );
    jaeger.start();
    await jaeger.waitReady({ timeoutMs: 30_000 });

    const found = await traceInJaeger(ports, trace);
    assert.equal(found.spans[0]?.operationName, 'GET /queued');
  });
});
