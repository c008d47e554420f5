/**
 * The `--import` hook (src/tracing/register.ts) for real: a service process in miniature
 * (fixtures/traced-server.ts: the platform's Fastify server, run by runService) started by
 * Node 24 with `--import <register.js>`, exporting to a stand-in Collector (fixtures/
 * otlp-receiver.ts), to one that never answers, or to a port nothing listens on. A second
 * `--import` (fixtures/module-recorder.ts) records every module the process resolves, which
 * shows whether the OpenTelemetry SDK was loaded at all.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sampleValue, waitFor } from '../src/testing/index.js';
import { startOtlpReceiver, type OtlpReceiver } from './fixtures/otlp-receiver.js';

const REGISTER = fileURLToPath(new URL('../src/tracing/register.js', import.meta.url));
const MODULE_RECORDER = fileURLToPath(new URL('./fixtures/module-recorder.js', import.meta.url));
const TRACED_SERVER = fileURLToPath(new URL('./fixtures/traced-server.js', import.meta.url));
/** The line fixtures/module-recorder.ts writes on stderr at exit. */
const RESOLVED_MODULES_PREFIX = 'resolved-modules ';
/** What only the SDK side of tracing loads (the API alone is the no-op every service imports). */
const SDK_MODULES = ['@opentelemetry/sdk-trace', '@opentelemetry/instrumentation', 'exporter-trace-otlp'];
/** Far beyond a service's own shutdown bound (10 s): only a hung process misses it. */
const EXIT_DEADLINE_MS = 15_000;
/** Start-up, with the SDK loading, on a busy machine. */
const START_DEADLINE_MS = 30_000;

const CLIENT_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN_ID = 'b7ad6b7169203331';
const CLIENT_TRACEPARENT = `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01`;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface TracedProcess {
  /** Its JSON log lines so far (stdout). */
  lines: Record<string, unknown>[];
  /** Lines on stdout that are not JSON (there should be none). */
  strayLines: string[];
  stderr(): string;
  exited: Promise<Exit>;
  /** SIGTERM, then its exit (rejects past EXIT_DEADLINE_MS). */
  stop(): Promise<Exit>;
}

interface TracedServer extends TracedProcess {
  url: string;
}

/** This process's environment without any tracing setting (each test sets its own). */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) =>
    !key.startsWith('TRACING_') && !key.startsWith('OTEL_') && key !== 'DEPLOYMENT_ENVIRONMENT' && key !== 'NODE_OPTIONS' && key !== 'NODE_TEST_CONTEXT'));
  return { ...base, ...env };
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Starts `node [--import module-recorder] --import register.js traced-server.js` with env; killed after the test. */
function spawnTraced(cleanup: (fn: () => void) => void, env: Record<string, string>, { recordModules = false } = {}): TracedProcess {
  const imports = [...(recordModules ? ['--import', MODULE_RECORDER] : []), '--import', REGISTER];
  const child = spawn(process.execPath, [...imports, TRACED_SERVER], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup(() => child.kill('SIGKILL'));
  const lines: Record<string, unknown>[] = [];
  const strayLines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const complete = (partial + chunk.toString('utf8')).split('\n');
    partial = complete.pop() ?? '';
    for (const raw of complete.filter((l) => l.trim() !== '')) {
      try {
        lines.push(JSON.parse(raw) as Record<string, unknown>);
      } catch {
        strayLines.push(raw);
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    lines,
    strayLines,
    stderr: () => stderr,
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return withDeadline(exited, EXIT_DEADLINE_MS, 'exit after SIGTERM');
    },
  };
}

/** spawnTraced, once it listens. */
async function startTracedServer(cleanup: (fn: () => void) => void, env: Record<string, string>, options: { recordModules?: boolean } = {}): Promise<TracedServer> {
  const traced = spawnTraced(cleanup, env, options);
  let exit: Exit | undefined;
  void traced.exited.then((e) => (exit = e));
  const listening = await waitFor('the traced server to listen', () => {
    if (exit) throw new Error(`it exited (${JSON.stringify(exit)}): ${traced.stderr()}`);
    return traced.lines.find((l) => l.msg === 'listening');
  }, { timeoutMs: START_DEADLINE_MS });
  return { ...traced, url: `http://127.0.0.1:${Number(listening.port)}` };
}

/** The module URLs the process resolved, from the module recorder's line (after it exited). */
function resolvedModules(traced: TracedProcess): string[] {
  const line = traced.stderr().split('\n').find((l) => l.startsWith(RESOLVED_MODULES_PREFIX));
  assert.ok(line, 'the module recorder reported');
  return JSON.parse(line.slice(RESOLVED_MODULES_PREFIX.length)) as string[];
}

/** The log line written by the request `requestId` with message msg. */
function logLine(traced: TracedProcess, requestId: string | null, msg: string): Promise<Record<string, unknown>> {
  return waitFor(`the log line "${msg}" of request ${requestId}`, () => traced.lines.find((l) => l.request_id === requestId && l.msg === msg));
}

async function metricsOf(server: TracedServer): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}

/** A URL where nothing listens. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('the --import hook with tracing on (TRACING_ENABLED unset)', { timeout: 120_000 }, () => {
  let receiver: OtlpReceiver;
  let server: TracedServer;
  const cleanups: (() => void)[] = [];
  before(async () => {
    receiver = await startOtlpReceiver();
    server = await startTracedServer((fn) => cleanups.push(fn), { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'traced-server' }, { recordModules: true });
  });
  after(async () => {
    for (const fn of cleanups) fn();
    await receiver.close();
  });

  it('answers a request that carries a client traceparent with a traceresponse in the same trace', async () => {
    const response = await fetch(`${server.url}/api/hello`, { headers: { traceparent: CLIENT_TRACEPARENT } });
    assert.equal(response.status, 200);
    const traceresponse = response.headers.get('traceresponse');
    assert.match(traceresponse ?? '', new RegExp(`^00-${CLIENT_TRACE_ID}-[0-9a-f]{16}-01$`));
    assert.ok(!traceresponse?.includes(CLIENT_SPAN_ID), 'the server’s own span, not the client’s');

    const completed = await logLine(server, response.headers.get('x-request-id'), 'request completed');
    const handler = await logLine(server, response.headers.get('x-request-id'), 'saying hello');
    for (const line of [completed, handler]) {
      assert.equal(line.trace_id, CLIENT_TRACE_ID, `"${String(line.msg)}" carries the trace id`);
      assert.match(String(line.span_id), /^[0-9a-f]{16}$/);
    }

    const serverSpan = await waitFor('the request’s server span at the Collector', () =>
      receiver.spans().find((s) => s.traceId === CLIENT_TRACE_ID && s.kind === 2), { timeoutMs: 15_000 });
    assert.equal(serverSpan.parentSpanId, CLIENT_SPAN_ID, 'the child of the client’s span');
    assert.equal(serverSpan.serviceName, 'traced-server');
    assert.equal(serverSpan.name, 'GET /api/hello');
    const traceresponseSpan = traceresponse?.split('-')[2];
    assert.ok(receiver.spans().some((s) => s.spanId === traceresponseSpan), 'the span traceresponse names was exported');
    for (const received of receiver.exports) {
      assert.equal(received.path, '/v1/traces');
      assert.equal(received.headers['content-type'], 'application/x-protobuf');
    }
  });

  it('gives /healthz no traceresponse and no span', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(health.headers.get('traceresponse'), null);
    // A request after it: once its spans are at the Collector, a /healthz span would be too.
    const marker = await fetch(`${server.url}/api/hello`);
    const markerTrace = marker.headers.get('traceresponse')?.split('-')[1];
    await waitFor('the next request’s server span at the Collector', () =>
      receiver.spans().some((s) => s.traceId === markerTrace && s.kind === 2), { timeoutMs: 15_000 });
    assert.deepEqual(receiver.spans().filter((s) => s.traceId !== CLIENT_TRACE_ID && s.traceId !== markerTrace), []);
  });

  it('counts the exported spans on /metrics', async () => {
    const exported = await waitFor('otel_sdk_exporter_span_exported_total on /metrics', async () =>
      sampleValue(await metricsOf(server), 'otel_sdk_exporter_span_exported_total', { error_type: '' }));
    assert.ok(exported >= 2);
    assert.equal(sampleValue(await metricsOf(server), 'otel_sdk_processor_span_processed_total', { error_type: 'queue_full' }), 0);
  });

  it('has loaded the OpenTelemetry SDK (what the tracing-off test checks is absent), and exits 0 on SIGTERM', async () => {
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
    const modules = resolvedModules(server);
    for (const sdkModule of SDK_MODULES) {
      assert.ok(modules.some((url) => url.includes(sdkModule)), `${sdkModule} was loaded`);
    }
    assert.deepEqual(server.strayLines, [], 'nothing but JSON log lines on stdout');
  });
});

describe('the --import hook with TRACING_ENABLED=false', { timeout: 120_000 }, () => {
  let receiver: OtlpReceiver;
  let server: TracedServer;
  const cleanups: (() => void)[] = [];
  before(async () => {
    receiver = await startOtlpReceiver();
    server = await startTracedServer((fn) => cleanups.push(fn), { TRACING_ENABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, { recordModules: true });
  });
  after(async () => {
    for (const fn of cleanups) fn();
    await receiver.close();
  });

  it('sends no traceresponse, even to a client that sent a traceparent, and logs no trace fields', async () => {
    const response = await fetch(`${server.url}/api/hello`, { headers: { traceparent: CLIENT_TRACEPARENT } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('traceresponse'), null);
    const completed = await logLine(server, response.headers.get('x-request-id'), 'request completed');
    assert.equal(completed.trace_id, undefined);
    assert.equal(completed.span_id, undefined);
  });

  it('has no tracing counters on /metrics', async () => {
    const metrics = await metricsOf(server);
    assert.match(metrics, /^orderlab_build_info/m, 'the metrics themselves are there');
    assert.doesNotMatch(metrics, /otel_sdk_/);
  });

  it('loads no OpenTelemetry SDK module and sends nothing to the Collector, up to its exit', async () => {
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
    const modules = resolvedModules(server);
    assert.ok(modules.some((url) => url.includes('/node_modules/fastify/')), 'the recorder saw the service’s own modules');
    assert.deepEqual(modules.filter((url) => SDK_MODULES.some((sdkModule) => url.includes(sdkModule))), []);
    assert.deepEqual(modules.filter((url) => url.includes('/@opentelemetry/') && !url.includes('/@opentelemetry/api/')), [], 'only the API');
    assert.deepEqual(receiver.exports, [], 'nothing was sent, not even at shutdown');
  });
});

describe('the --import hook with a malformed setting', { timeout: 120_000 }, () => {
  for (const [name, value, extra] of [
    ['TRACING_SAMPLE_RATIO', 'abc', {}],
    ['TRACING_SAMPLE_RATIO', '2', {}],
    ['TRACING_ENABLED', 'maybe', {}],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'otel-collector:4318', {}],
    ['TRACING_SAMPLE_RATIO', '1.5', { TRACING_ENABLED: 'false' }],
  ] as const) {
    const label = `${name}=${value}${'TRACING_ENABLED' in extra ? ' (tracing off)' : ''}`;
    it(`${label}: the process exits 1 with one line on stderr naming the variable, before the service starts`, async (t: TestContext) => {
      const traced = spawnTraced((fn) => t.after(fn), { OTEL_EXPORTER_OTLP_ENDPOINT: await closedPortUrl(), ...extra, [name]: value });
      assert.deepEqual(await withDeadline(traced.exited, EXIT_DEADLINE_MS, 'exit'), { code: 1, signal: null });
      const stderr = traced.stderr().trimEnd().split('\n');
      assert.equal(stderr.length, 1, `one line: ${traced.stderr()}`);
      assert.match(stderr[0] ?? '', new RegExp(`^invalid configuration: ${name} `));
      assert.deepEqual(traced.lines, [], 'the service never started');
    });
  }
});

describe('the --import hook when the Collector is gone', { timeout: 120_000 }, () => {
  it('requests still answer, the lost spans are counted, and SIGTERM still stops the process', async (t) => {
    const server = await startTracedServer((fn) => t.after(fn), { OTEL_EXPORTER_OTLP_ENDPOINT: await closedPortUrl() });
    for (let i = 0; i < 5; i += 1) {
      const response = await fetch(`${server.url}/api/hello`, { headers: { traceparent: CLIENT_TRACEPARENT } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('traceresponse') ?? '', new RegExp(`^00-${CLIENT_TRACE_ID}-`));
    }
    // Refused connections are retried until the export's timeout (5 s), then counted as failed.
    const failed = await waitFor('export_failed on /metrics', async () =>
      sampleValue(await metricsOf(server), 'otel_sdk_exporter_span_exported_total', { error_type: 'export_failed' }), { timeoutMs: 30_000, intervalMs: 250 });
    assert.ok(failed >= 5, `the spans of 5 requests were lost (${failed})`);
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
  });

  it('with a Collector that takes the export and never answers, requests still answer and SIGTERM stops the process, reporting the spans not exported', async (t) => {
    const requests: IncomingMessage[] = [];
    const hung = createServer((request) => requests.push(request));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      hung.closeAllConnections();
      hung.close();
    });
    const server = await startTracedServer((fn) => t.after(fn), { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(hung.address() as AddressInfo).port}` });
    for (let i = 0; i < 5; i += 1) assert.equal((await fetch(`${server.url}/api/hello`)).status, 200);
    await waitFor('an export to reach the hung Collector', () => requests.length > 0, { timeoutMs: 15_000 });

    assert.deepEqual(await server.stop(), { code: 0, signal: null });
    const warning = server.lines.find((l) => l.msg === 'spans not all exported at shutdown');
    assert.ok(warning, 'the shutdown says spans were not exported');
    assert.ok(server.lines.some((l) => l.msg === 'shutdown complete'));
  });
});
