import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorRate, LogLines } from '../src/logs-client.js';
import { startFakeTarget } from './support/fake-target.js';
import { shippedLine, startFakeVictoriaLogs, type FakeVictoriaLogs } from './support/fake-victorialogs.js';
import { startTraffic, type TestTraffic } from './support/traffic.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** GET a console URL: status, headers and the parsed body. */
async function get(traffic: TestTraffic, path: string) {
  const res = await fetch(`${traffic.url}${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

async function startConsole(t: Parameters<typeof startTraffic>[0], logs: Pick<FakeVictoriaLogs, 'url'>): Promise<TestTraffic> {
  const target = await startFakeTarget();
  t.after(() => target.close());
  return startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', LOGS_QUERY_URL: logs.url });
}

describe('GET /api/logs', () => {
  it('searches VictoriaLogs with LogsQL built from the validated parameters and answers the lines, newest first', async (t) => {
    const logs = await startFakeVictoriaLogs();
    t.after(() => logs.close());
    logs.answer = () => [
      // Out of order on purpose, and one line the way a service wrote it (service, level).
      shippedLine({ time: '2026-12-08T02:34:21.1Z', service: 'gateway', level: 'info', msg: 'request completed', request_id: 'req-1', trace_id: TRACE_ID, route: '/api/v1/orders', status: '201', duration_ms: '48.2' }),
      shippedLine({ time: '2026-12-08T02:34:21.25Z', service: 'orders', level: 'info', msg: 'order created', request_id: 'req-1', trace_id: TRACE_ID, order_id: 'o-1' }),
      { _time: '2026-12-08T02:34:20Z', _msg: 'request received', _stream: '{}', service: 'edge', level: 'info', request_id: 'req-1' },
    ];
    const traffic = await startConsole(t, logs);

    const res = await get(traffic, `/api/logs?request_id=req-1&trace_id=&service=&level=&since=6h`);
    assert.equal(res.status, 200);
    const found = res.body as unknown as LogLines & { limit: number; since: string };
    assert.deepEqual(found.lines.map((l) => [l.service, l.message]), [
      ['orders', 'order created'],
      ['gateway', 'request completed'],
      ['edge', 'request received'],
    ]);
    assert.deepEqual(found.lines[1], {
      time: '2026-12-08T02:34:21.1Z',
      service: 'gateway',
      level: 'info',
      message: 'request completed',
      requestId: 'req-1',
      traceId: TRACE_ID,
      spanId: null,
      route: '/api/v1/orders',
      method: null,
      status: 201,
      durationMs: 48.2,
      fields: { severity_number: '9' },
    });
    assert.equal(found.lines[0]!.fields.order_id, 'o-1');
    assert.equal(found.limit, 200);
    assert.equal(found.since, '6h');
    assert.equal(found.truncated, false);
    // What VictoriaLogs was asked: a form POST, the value quoted, a server-side timeout.
    assert.equal(logs.asked.length, 1);
    assert.equal(logs.asked[0]!.method, 'POST');
    assert.equal(logs.asked[0]!.contentType, 'application/x-www-form-urlencoded');
    assert.equal(logs.asked[0]!.query, '_time:6h "request_id":="req-1" | sort by (_time) desc limit 200');
    assert.equal(logs.asked[0]!.timeout, '2500ms');
    assert.equal(found.query, logs.asked[0]!.query);
  });

  it('finds a trace\'s lines by trace id, service and level', async (t) => {
    const logs = await startFakeVictoriaLogs();
    t.after(() => logs.close());
    const traffic = await startConsole(t, logs);
    const res = await get(traffic, `/api/logs?trace_id=${TRACE_ID.toUpperCase()}&service=fulfillment&level=error&limit=20`);
    assert.equal(res.status, 200);
    assert.deepEqual((res.body as unknown as LogLines).lines, []);
    assert.equal(
      logs.asked[0]!.query,
      `_time:1h "trace_id":="${TRACE_ID}" ("service.name":="fulfillment" OR "service":="fulfillment") ` +
        '("severity_text":in("error", "ERROR", "Error") OR "severity":in("error", "ERROR", "Error") OR "level":in("error", "ERROR", "Error")) | sort by (_time) desc limit 20',
    );
  });

  it('refuses malformed parameters with a 400 problem and does not ask VictoriaLogs', async (t) => {
    const logs = await startFakeVictoriaLogs();
    t.after(() => logs.close());
    const traffic = await startConsole(t, logs);
    for (const bad of [
      'request_id=' + encodeURIComponent('x" OR *'),
      'trace_id=xyz',
      `trace_id=${'0'.repeat(32)}`,
      'service=' + encodeURIComponent('orders" | delete'),
      'level=loud',
      'limit=100000',
      'since=forever',
      'query=*',
      'service=orders&service=gateway',
    ]) {
      const res = await get(traffic, `/api/logs?${bad}`);
      assert.equal(res.status, 400, bad);
      assert.match(res.type, /^application\/problem\+json/);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
    }
    const res = await get(traffic, '/api/logs?trace_id=xyz&level=loud');
    assert.deepEqual(res.body.errors, [
      { in: 'query', pointer: '#/trace_id', detail: 'must be a W3C trace id: 32 hexadecimal digits, not all zeros' },
      { in: 'query', pointer: '#/level', detail: 'must be one of trace, debug, info, warn, error, fatal' },
    ]);
    assert.deepEqual(logs.asked, []);
  });
});

describe('GET /api/logs/errors/recent and /api/logs/error-rate', () => {
  it('answers the newest error lines and the error lines per service of the last 15 minutes', async (t) => {
    const logs = await startFakeVictoriaLogs();
    t.after(() => logs.close());
    logs.answer = (query) =>
      query.includes('| stats')
        ? [
            { 'service.name': 'orders', service: 'orders', lines: '120', errors: '4' },
            { 'service.name': 'gateway', service: 'gateway', lines: '300', errors: '9' },
            { 'service.name': 'edge', lines: '310', errors: '0' },
          ]
        : [shippedLine({ time: '2026-12-08T02:34:21Z', service: 'orders', level: 'error', msg: 'publish failed', trace_id: TRACE_ID })];
    const traffic = await startConsole(t, logs);

    const tail = await get(traffic, '/api/logs/errors/recent');
    assert.equal(tail.status, 200);
    assert.deepEqual((tail.body as unknown as LogLines).lines.map((l) => [l.service, l.level, l.message, l.traceId]), [['orders', 'error', 'publish failed', TRACE_ID]]);
    assert.match(logs.asked[0]!.query, /^_time:5m \("severity_text":in\("error", "ERROR", "Error", "fatal".*\| sort by \(_time\) desc limit 50$/);

    const rate = await get(traffic, '/api/logs/error-rate');
    assert.equal(rate.status, 200);
    const body = rate.body as unknown as ErrorRate;
    assert.equal(body.windowMinutes, 15);
    assert.deepEqual(body.services, [
      { service: 'gateway', lines: 300, errors: 9 },
      { service: 'orders', lines: 120, errors: 4 },
      { service: 'edge', lines: 310, errors: 0 },
    ]);
    assert.equal(body.query, logs.asked[1]!.query);
    assert.match(body.query, /^_time:15m \| stats by \("service\.name", "service"\) count\(\) as lines, count\(\) if \(.*\) as errors$/);
  });
});

describe('the logs API when VictoriaLogs is away', () => {
  it('answers 503 with Retry-After when VictoriaLogs is down, failing, refusing, garbled or too slow — never a 500', async (t) => {
    const down = await startFakeVictoriaLogs();
    await down.close(); // nothing listens on its port any more
    const logs = await startFakeVictoriaLogs();
    t.after(() => logs.close());
    const viaDown = await startConsole(t, down);
    const traffic = await startConsole(t, logs);

    const unreachable = await get(viaDown, '/api/logs?service=orders');
    assert.match(String(unreachable.body.detail), /VictoriaLogs \(http:\/\/127\.0\.0\.1:\d+\) is not reachable: ECONNREFUSED/);
    const unreachableRate = await get(viaDown, '/api/logs/error-rate');
    const unreachableTail = await get(viaDown, '/api/logs/errors/recent');

    logs.behaviour = 'fail';
    const failing = await get(traffic, '/api/logs');
    assert.match(String(failing.body.detail), /answered 500: storage failure/);
    logs.behaviour = 'reject';
    const refused = await get(traffic, '/api/logs/error-rate');
    assert.match(String(refused.body.detail), /answered 400: cannot parse `query` arg/);
    logs.behaviour = 'garbage';
    const garbled = await get(traffic, '/api/logs/errors/recent');
    assert.match(String(garbled.body.detail), /not JSON lines/);
    logs.behaviour = 'hang';
    const slow = await get(traffic, '/api/logs?level=error');
    assert.match(String(slow.body.detail), /did not answer within 3000 ms/);

    for (const res of [unreachable, unreachableRate, unreachableTail, failing, refused, garbled, slow]) {
      assert.equal(res.status, 503);
      assert.match(res.type, /^application\/problem\+json/);
      assert.equal(res.body.code, 'DEPENDENCY_UNAVAILABLE');
      assert.equal(res.retryAfter, '2');
    }
  });
});
