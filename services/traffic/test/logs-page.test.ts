import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { orderTrace, startFakeJaeger } from './support/fake-jaeger.js';
import { startFakeTarget } from './support/fake-target.js';
import { shippedLine, startFakeVictoriaLogs } from './support/fake-victorialogs.js';
import { startTraffic } from './support/traffic.js';

/** Debian's chromium (the test runner installs it); a fresh profile per test, nothing fetched in the background. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Where the test leaves what the page looked like (overwritten by every run). */
const SCREENSHOTS = tmpdir();

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('logs view in a browser', () => {
  it('searches by request id, opens a line\'s trace and back to its logs, and keeps the error tail and rate live', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const jaeger = await startFakeJaeger();
    t.after(() => jaeger.close());
    jaeger.traces.set(TRACE_ID, orderTrace(TRACE_ID));
    const logs = await startFakeVictoriaLogs();
    t.after(() => logs.close());

    const now = Date.now();
    const at = (ms: number) => new Date(now - 30_000 + ms).toISOString();
    const order = [
      shippedLine({ time: at(0), service: 'edge', level: 'info', msg: 'POST /api/v1/orders 201', request_id: 'req-1', status: '201' }),
      shippedLine({ time: at(5), service: 'gateway', level: 'info', msg: 'request completed', request_id: 'req-1', trace_id: TRACE_ID, route: '/api/v1/orders', status: '201' }),
      shippedLine({ time: at(10), service: 'orders', level: 'info', msg: 'order created', request_id: 'req-1', trace_id: TRACE_ID, order_id: 'o-1' }),
      shippedLine({ time: at(80), service: 'fulfillment', level: 'error', msg: 'shipment failed: carrier timeout', request_id: 'req-1', trace_id: TRACE_ID }),
    ];
    const errors = [shippedLine({ time: at(80), service: 'fulfillment', level: 'error', msg: 'shipment failed: carrier timeout', request_id: 'req-1', trace_id: TRACE_ID })];
    logs.answer = (query) => {
      if (query.includes('| stats')) {
        return [
          { 'service.name': 'fulfillment', service: 'fulfillment', lines: '40', errors: String(errors.length) },
          { 'service.name': 'gateway', service: 'gateway', lines: '300', errors: '0' },
        ];
      }
      if (query.startsWith('_time:5m (')) return [...errors].reverse();
      if (query.includes('"request_id":="req-1"')) return [...order].reverse();
      if (query.includes(`"trace_id":="${TRACE_ID}"`)) return order.filter((l) => l.trace_id).reverse();
      return [...order].reverse();
    };
    const traffic = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', TRACES_QUERY_URL: jaeger.url, LOGS_QUERY_URL: logs.url });

    const profile = await mkdtemp(join(tmpdir(), 'traffic-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 } });
    t.after(async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    // From the status page, the logs view is one click away.
    await page.goto(traffic.url);
    await page.click('a[href="logs"]');
    await page.waitForURL(`${traffic.url}/logs`);
    await page.locator('#lines tr.line').nth(3).waitFor();
    // The error-rate table and the error tail fill in on their own.
    await page.locator('#rate tr[data-service="fulfillment"]').waitFor();
    assert.match(await page.locator('#rate tr[data-service="fulfillment"]').innerText(), /fulfillment\s+1\s+40/);
    await page.locator('#tail tr.line').first().waitFor();
    assert.equal(await page.locator('#tail tr.line').count(), 1);

    // Search by request id through the form: the URL carries the search, the lines come newest first.
    await page.fill('#request_id', 'req-1');
    await page.click('#search button[type="submit"]');
    await page.waitForURL(/\/logs\?request_id=req-1&trace_id=&service=&level=&since=$/);
    const rows = page.locator('#lines tr.line');
    await rows.nth(3).waitFor();
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.service)), ['fulfillment', 'orders', 'gateway', 'edge']);
    assert.match(await rows.first().innerText(), /fulfillment\s+ERROR\s+shipment failed: carrier timeout\s+req-1/);
    assert.match(await page.locator('#query').innerText(), /LogsQL: _time:1h "request_id":="req-1" \| sort by \(_time\) desc limit 200/);
    assert.equal(logs.asked.filter((a) => a.query.includes('"request_id":="req-1"')).length, 1);
    // The edge's access line has no trace; the others link to theirs.
    assert.equal(await rows.nth(3).locator('a.trace-link').count(), 0);
    // A click on a line shows all its fields.
    await rows.nth(1).click();
    assert.match(await page.locator('#lines tr.detail').innerText(), /order_id: o-1/);

    // The error tail updates by itself when a new error line arrives: marked as fresh.
    errors.push(shippedLine({ time: new Date().toISOString(), service: 'orders', level: 'error', msg: 'publish to orderlab.events failed', request_id: 'req-9' }));
    await page.locator('#tail tr.line.fresh').filter({ hasText: 'publish to orderlab.events failed' }).waitFor({ timeout: 8_000 });
    assert.equal(await page.locator('#tail tr.line').count(), 2);
    await page.screenshot({ path: join(SCREENSHOTS, 'orderlab-logs.png'), fullPage: true });

    // A line opens its trace; the trace page links back to the trace's lines.
    await rows.nth(1).locator('a.trace-link').click();
    await page.waitForURL(`${traffic.url}/traces/${TRACE_ID}`);
    await page.locator('.span-row').nth(6).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'orderlab-trace-logs-link.png') });
    await page.click('#trace-logs');
    await page.waitForURL(`${traffic.url}/logs?trace_id=${TRACE_ID}`);
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3);
    assert.equal(await page.inputValue('#trace_id'), TRACE_ID);

    // Bad input and VictoriaLogs away are said in words.
    await page.goto(`${traffic.url}/logs?trace_id=nope`);
    await page.locator('#message').filter({ hasText: 'trace_id must be a W3C trace id' }).waitFor();
    logs.behaviour = 'fail';
    await page.goto(`${traffic.url}/logs`);
    await page.locator('#message').filter({ hasText: 'VictoriaLogs (http://127.0.0.1' }).waitFor();
    await page.locator('#tail-message').filter({ hasText: 'answered 500' }).waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
