/**
 * Logs end to end, with the real OpenTelemetry Collector (its file_log receiver tails the lab's
 * log files) and the real VictoriaLogs the lab builds and supervises: one order's lines from
 * every service are found by its request id and its trace id, with their fields apart; a burst
 * of requests stores exactly the lines written, across a kill -9 of the Collector and many
 * rotations of the files; a line that is not JSON is kept as text.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestLab, type Lab } from '@orderlab/lab';
import { notificationsOf } from './events-helpers.js';
import { eventually, http, productIds } from './helpers.js';
import { linesWritten, logsCount, logsQuery, type StoredLine } from './logs-helpers.js';

/** The fast fulfillment of these tests (the simulated pick, pack and ship delays). */
const QUICK_FULFILLMENT = { FULFILLMENT_PICK_MS: '20', FULFILLMENT_PACK_MS: '20', FULFILLMENT_SHIP_MS: '20' };
/** Small enough that the burst rotates every file many times; enough copies that none is deleted unread. */
const ROTATION = { maxBytes: 64 * 1024, keep: 200 };
/** The burst: this long, this many requests at once. */
const BURST_MS = 20_000;
const BURST_CONCURRENCY = 4;

describe('logs with the real Collector and VictoriaLogs', () => {
  let lab: Lab;
  let products: string[];

  before(async () => {
    lab = await startTestLab('logs', { tracing: true, logs: true, logRotation: ROTATION, env: { fulfillment: QUICK_FULFILLMENT } });
    await lab.waitLogs();
    products = await productIds(lab, 5);
  });
  after(() => lab?.dispose());

  it("finds one order's lines from the edge to notifications by its request id, and all but the edge's by its trace id, fields intact", async () => {
    const requestId = `logs-order-${randomBytes(6).toString('hex')}`;
    const traceId = randomBytes(16).toString('hex');
    const created = await http(lab.urls.edge, 'POST', '/api/v1/orders', {
      body: { customerId: 'cust-logs', items: [{ productId: products[0], quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID(), 'x-request-id': requestId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    assert.equal(created.status, 201, created.text);
    const orderId = String(created.json().id);
    await eventually('order.created and order.fulfilled notifications', async () => (await notificationsOf(lab, orderId)).length >= 2);

    const SERVICES = ['edge', 'gateway', 'orders', 'fulfillment', 'notifications'];
    const services = (lines: StoredLine[]) => new Set(lines.map((l) => l['service.name']));
    const byRequest = await eventually('lines of every service by request id', async () => {
      const lines = await logsQuery(lab, `request_id:=${JSON.stringify(requestId)}`);
      return SERVICES.every((s) => services(lines).has(s)) ? lines : undefined;
    }, 60_000);
    const byTrace = await eventually('lines of every service but the edge by trace id', async () => {
      const lines = await logsQuery(lab, `trace_id:=${JSON.stringify(traceId)}`);
      return SERVICES.filter((s) => s !== 'edge').every((s) => services(lines).has(s)) ? lines : undefined;
    }, 60_000);

    // The edge's access line: its own request id, the route and status as fields, a text message.
    const edge = byRequest.find((l) => l['service.name'] === 'edge' && l.path === '/api/v1/orders');
    assert.ok(edge, `the edge's access line: ${JSON.stringify(byRequest.filter((l) => l['service.name'] === 'edge'))}`);
    assert.equal(edge.status, '201');
    assert.equal(edge.method, 'POST');
    assert.equal(edge._msg, 'POST /api/v1/orders 201');
    assert.equal(edge.level, 'info');

    // The gateway's request line: fields apart, the message as text, the trace context set.
    const gateway = byRequest.find((l) => l['service.name'] === 'gateway' && l.route === '/api/v1/orders');
    assert.ok(gateway, `the gateway's request line: ${JSON.stringify(byRequest.filter((l) => l['service.name'] === 'gateway'))}`);
    assert.equal(gateway.status, '201');
    assert.equal(gateway.level, 'info');
    assert.equal(gateway.service, 'gateway');
    assert.equal(gateway.trace_id, traceId);
    assert.match(gateway.span_id ?? '', /^[0-9a-f]{16}$/);
    assert.ok(Number(gateway.duration_ms) >= 0, `duration_ms is a field: ${JSON.stringify(gateway)}`);
    assert.ok(!gateway._msg?.startsWith('{'), `the message is text, not the JSON line: ${gateway._msg}`);
    // The line's own time, not the time it was read.
    assert.match(gateway._time ?? '', /^\d{4}-\d\d-\d\dT/);

    for (const line of byTrace) {
      assert.equal(line.trace_id, traceId);
      assert.ok(line.level, `level is a field: ${JSON.stringify(line)}`);
      assert.ok(line.severity_text, `the severity is set: ${JSON.stringify(line)}`);
    }
    // The query the issue names for an error rate per service runs on this store.
    const perService = await logsQuery(lab, `level:=error | stats by (service.name) count() errors`);
    for (const row of perService) assert.ok(Number(row.errors) > 0);
  });

  it('keeps a line that is not JSON as its text', async () => {
    const text = `plain text line ${randomBytes(6).toString('hex')} (not JSON)`;
    // What the runner does with a child's output line: appends it to the service's file.
    appendFileSync(lab.logFile('gateway'), `${text}\n`);
    const [line] = await eventually('the plain line stored', async () => {
      const lines = await logsQuery(lab, `_msg:=${JSON.stringify(text)}`);
      return lines.length > 0 ? lines : undefined;
    }, 30_000);
    assert.equal(line!['service.name'], 'gateway');
    assert.equal(line!._msg, text);
  });

  it('stores exactly the lines written in a burst, across a kill -9 of the Collector and many rotations', async (t) => {
    const prefix = `logs-burst-${randomBytes(6).toString('hex')}-`;
    const collector = lab.traceBackends['otel-collector']!;
    const restartsBefore = collector.restarts;
    let sent = 0;
    let failed = 0;
    let killed = false;
    const deadline = Date.now() + BURST_MS;
    const worker = async (w: number) => {
      for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
        const headers = { 'x-request-id': `${prefix}${w}-${i}` };
        // Mostly orders (a line in every service), some catalogue reads.
        const res =
          i % 3 === 2
            ? await http(lab.urls.edge, 'GET', '/api/v1/products?limit=5', { headers })
            : await http(lab.urls.edge, 'POST', '/api/v1/orders', {
                body: { customerId: `cust-burst-${w}`, items: [{ productId: products[i % products.length], quantity: 1 }] },
                headers: { ...headers, 'idempotency-key': randomUUID() },
              });
        sent++;
        if (res.status >= 500) failed++;
        // Mid-burst, the Collector dies without a chance to flush; its supervisor restarts it.
        if (!killed && Date.now() > deadline - BURST_MS / 2) {
          killed = true;
          await collector.kill('SIGKILL', { autoRestart: true });
        }
      }
    };
    // Ingest lag while the burst runs: the newest stored line against the clock, every 2 s.
    const lags: number[] = [];
    const sampler = (async () => {
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2_000));
        const [row] = await logsQuery(lab, '_time:1m | stats max(_time) newest').catch(() => []);
        if (row?.newest) lags.push(Date.now() - Date.parse(row.newest));
      }
    })();
    await Promise.all([...Array.from({ length: BURST_CONCURRENCY }, (_, w) => worker(w)), sampler]);
    assert.ok(killed, 'the Collector was killed mid-burst');
    assert.ok(sent > 100, `a burst of ${sent} requests`);
    assert.equal(failed, 0, `${failed} of ${sent} requests failed`);
    await eventually('the Collector restarted', async () => collector.restarts > restartsBefore && collector.running, 30_000);
    // Rotated during the burst: the rotated copies are what the Collector had to follow.
    for (const service of ['edge', 'gateway', 'orders']) {
      assert.ok(existsSync(join(lab.logsDir, `${service}.log.1`)), `${service}.log was rotated`);
    }

    const burstEnded = Date.now();
    const rss = (pid: number | undefined) => Number(/VmRSS:\s+(\d+)/.exec(pid ? readFileSync(`/proc/${pid}/status`, 'utf8') : '')?.[1] ?? 0) / 1024;
    const rssMb = { collector: rss(collector.pid), victorialogs: rss(lab.logBackend?.pid) };
    // The fulfillment and notifications lines of the last orders come a moment after the answers.
    let written = 0;
    let stored = 0;
    await eventually(
      'every line written stored',
      async () => {
        written = linesWritten(lab, `"request_id":"${prefix}`);
        stored = await logsCount(lab, `request_id:${JSON.stringify(prefix)}*`);
        return written > 0 && stored === written;
      },
      120_000,
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}: ${written} lines written, ${stored} stored`, { cause: err });
    });
    const copies = readdirSync(lab.logsDir).filter((name) => /\.log\.\d+$/.test(name)).length;
    t.diagnostic(
      `${sent} requests in ${BURST_MS / 1000} s, ${written} lines written = ${stored} stored, all stored ${Date.now() - burstEnded} ms after the burst; ` +
        `ingest lag during the burst ≤ ${Math.max(0, ...lags)} ms (median ${[...lags].sort((x, y) => x - y)[Math.floor(lags.length / 2)] ?? '?'} ms); ` +
        `${copies} rotated files; Collector restarted ${collector.restarts - restartsBefore}×; RSS at the burst's end: Collector ${rssMb.collector.toFixed(0)} MB, VictoriaLogs ${rssMb.victorialogs.toFixed(0)} MB`,
    );
    // Nothing repeated later either (a batch sent twice would show now).
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(await logsCount(lab, `request_id:${JSON.stringify(prefix)}*`), linesWritten(lab, `"request_id":"${prefix}`));
  });
});
