import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { waitFor } from '@orderlab/platform/testing';
import type { ErrorRate, LogLines } from '../src/logs-client.js';
import { startFakeTarget } from './support/fake-target.js';
import { startTraffic } from './support/traffic.js';

/**
 * The real VictoriaLogs, as the lab's tool installer caches it (tools/lab/src/tools.ts:
 * $ORDERLAB_CACHE_DIR, else $XDG_CACHE_HOME/orderlab or ~/.cache/orderlab; then
 * tools/victorialogs/v1.52.2/bin). `npm start` installs it; without it this test says so and skips.
 */
const CACHE = process.env.ORDERLAB_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'orderlab');
const VICTORIA_LOGS = join(CACHE, 'tools', 'victorialogs', 'v1.52.2', 'bin', 'victoria-logs');

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const OTHER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts VictoriaLogs on a free port with its own data folder; stopped and removed in t.after. */
async function startVictoriaLogs(t: TestContext): Promise<string> {
  const data = await mkdtemp(join(tmpdir(), 'traffic-victorialogs-'));
  const port = await freePort();
  const child = spawn(VICTORIA_LOGS, [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${data}`, '-loggerLevel=WARN', '-retentionPeriod=1d'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
    await rm(data, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`VictoriaLogs to answer (${stderr})`, async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, { timeoutMs: 15_000, intervalMs: 100 });
  return url;
}

/** Lines as the lab's Collector leaves them in VictoriaLogs: service.name is the stream; severity_text the level. */
async function insert(url: string, lines: Record<string, string | number>[]): Promise<void> {
  const res = await fetch(`${url}/insert/jsonline?_stream_fields=service.name&_time_field=_time&_msg_field=_msg`, {
    method: 'POST',
    headers: { 'content-type': 'application/stream+json' },
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
  assert.equal(res.status, 200, await res.text());
}

describe('the logs view against a real VictoriaLogs (v1.52.2)', () => {
  it('finds an order\'s lines by request id and trace id, tails errors and counts error lines per service', async (t) => {
    if (!existsSync(VICTORIA_LOGS)) {
      t.skip(`VictoriaLogs is not in the tool cache (${VICTORIA_LOGS}); npm start installs it`);
      return;
    }
    const vl = await startVictoriaLogs(t);
    const at = (ms: number) => new Date(Date.now() - 60_000 + ms).toISOString();
    const line = (ms: number, service: string, level: string, msg: string, extra: Record<string, string | number> = {}) => ({
      _time: at(ms),
      _msg: msg,
      'service.name': service,
      service,
      severity_text: level,
      level,
      ...extra,
    });
    const order = { request_id: 'req-1' };
    const traced = { ...order, trace_id: TRACE_ID };
    await insert(vl, [
      line(0, 'edge', 'info', 'POST /api/v1/orders 201', { ...order, status: 201, route: '/api/v1/orders' }),
      line(5, 'gateway', 'info', 'request completed', { ...traced, span_id: '00f067aa0ba902b7', route: '/api/v1/orders', status: 201, duration_ms: 48.5 }),
      line(10, 'orders', 'info', 'order created', { ...traced, order_id: 'o-1' }),
      line(80, 'fulfillment', 'error', 'shipment failed: carrier "timeout"', traced),
      // Look-alikes that must not match: another request id with the same prefix, another trace.
      line(20, 'orders', 'info', 'order created', { request_id: 'req-10', trace_id: OTHER_TRACE_ID }),
      line(30, 'gateway', 'ERROR', 'upstream reset', { request_id: 'req-2', trace_id: OTHER_TRACE_ID }),
      // A line the way a service wrote it, before any mapping.
      { _time: at(40), _msg: 'publish failed', service: 'orders', level: 'fatal' },
    ]);
    const target = await startFakeTarget();
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', LOGS_QUERY_URL: vl });
    const api = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${traffic.url}${path}`);
      assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
      return (await res.json()) as T;
    };

    // Ingested lines become searchable within a second or so.
    const byRequest = await waitFor('the order\'s lines', async () => {
      const found = await api<LogLines>('/api/logs?request_id=req-1');
      return found.lines.length === 4 ? found : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200 });
    assert.deepEqual(byRequest.lines.map((l) => l.service), ['fulfillment', 'orders', 'gateway', 'edge']);
    const gateway = byRequest.lines[2]!;
    assert.deepEqual(
      { level: gateway.level, message: gateway.message, traceId: gateway.traceId, spanId: gateway.spanId, route: gateway.route, status: gateway.status, durationMs: gateway.durationMs },
      { level: 'info', message: 'request completed', traceId: TRACE_ID, spanId: '00f067aa0ba902b7', route: '/api/v1/orders', status: 201, durationMs: 48.5 },
    );
    assert.equal(byRequest.lines[1]!.fields.order_id, 'o-1');
    assert.equal(byRequest.lines[0]!.message, 'shipment failed: carrier "timeout"');

    const byTrace = await api<LogLines>(`/api/logs?trace_id=${TRACE_ID.toUpperCase()}`);
    assert.deepEqual(byTrace.lines.map((l) => l.service), ['fulfillment', 'orders', 'gateway']);
    const errorsOfOrders = await api<LogLines>('/api/logs?service=orders&level=fatal&since=15m');
    assert.deepEqual(errorsOfOrders.lines.map((l) => l.message), ['publish failed']);
    const limited = await api<LogLines>('/api/logs?limit=2');
    assert.deepEqual(limited.lines.map((l) => l.message), ['shipment failed: carrier "timeout"', 'publish failed']);

    const tail = await api<LogLines>('/api/logs/errors/recent');
    assert.deepEqual(tail.lines.map((l) => [l.service, l.level]), [['fulfillment', 'error'], ['orders', 'fatal'], ['gateway', 'error']]);

    const rate = await api<ErrorRate>('/api/logs/error-rate');
    assert.deepEqual(rate.services, [
      { service: 'orders', lines: 3, errors: 1 },
      { service: 'gateway', lines: 2, errors: 1 },
      { service: 'fulfillment', lines: 1, errors: 1 },
      { service: 'edge', lines: 1, errors: 0 },
    ]);
  });
});
