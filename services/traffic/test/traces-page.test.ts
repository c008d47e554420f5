import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { settleWithin } from '@orderlab/platform';
import { chromium } from 'playwright-core';
import { orderTrace, startFakeJaeger } from './support/fake-jaeger.js';
import { orderTempoTrace, startFakeTempo } from './support/fake-tempo.js';
import { startFakeTarget } from './support/fake-target.js';
import { startTraffic } from './support/traffic.js';

/** Debian's chromium (the test runner installs it); a fresh profile per test, nothing fetched in the background. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Where the test leaves what the pages looked like (overwritten by every run). */
const SCREENSHOTS = tmpdir();

describe('traces view in a browser', () => {
  it('lists slow and failed requests, opens one, and draws its trace once Jaeger has it', async (t) => {
    const target = await startFakeTarget({ failRoute: 'GET /api/v1/notifications' });
    t.after(() => target.close());
    const jaeger = await startFakeJaeger();
    t.after(() => jaeger.close());
    // Like the real Jaeger a moment after the request: the first ask finds nothing, the next finds the trace.
    const askedOnce = new Set<string>();
    jaeger.resolve = (id) => {
      if (!target.traces.has(id)) return undefined;
      if (!askedOnce.has(id)) {
        askedOnce.add(id);
        return undefined;
      }
      return orderTrace(id);
    };
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '30', TRACES_QUERY_URL: jaeger.url });

    const profile = await mkdtemp(join(tmpdir(), 'traffic-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1366, height: 768 } });
    t.after(async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));

    // From the status page, the traces view is one click away.
    await page.goto(traffic.url);
    await page.click('a[href="traces"]');
    await page.waitForURL(`${traffic.url}/traces`);
    await page.locator('#slowest tr.link').nth(4).waitFor();
    await page.locator('#failed tr.link').nth(1).waitFor();
    const failedRow = page.locator('#failed tr.link').first();
    assert.match(await failedRow.innerText(), /read-notifications\s+GET \/api\/v1\/notifications\s+500/);
    await page.screenshot({ path: join(SCREENSHOTS, 'orderlab-traces-list.png'), fullPage: true });

    const link = failedRow.locator('a');
    const traceId = (await link.getAttribute('title'))!;
    assert.equal(target.traces.get(traceId), 'GET /api/v1/notifications');
    await link.click();
    await page.waitForURL(`${traffic.url}/traces/${traceId}`);
    // Not in Jaeger at first: the page says so, then asks again by itself.
    await page.locator('#state').filter({ hasText: 'Not yet in Jaeger' }).waitFor();
    const rows = page.locator('.span-row');
    await rows.nth(6).waitFor({ timeout: 10_000 });
    assert.equal(await rows.count(), 7);
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.service)), [
      'gateway', 'gateway', 'orders', 'orders', 'orders', 'fulfillment', 'notifications',
    ]);
    assert.equal(await page.locator('#trace-id').innerText(), traceId);
    // Deeper spans are indented further; bars sit on the time axis.
    const indents = await page.locator('.span-row .name').evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).paddingLeft)));
    assert.ok(indents[5]! > indents[2]! && indents[2]! > indents[0]! && indents[6] === indents[0], JSON.stringify(indents));
    const bars = await page.locator('.span-row .bar').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.left));
    assert.equal(bars[0], '0%');
    assert.ok(parseFloat(bars[5]!) > 30);
    // The error span and the orphan are marked; the summary says what is wrong.
    assert.equal(await page.locator('.span-row[data-error="true"] .badge.err').count(), 1);
    assert.equal(await page.locator('.span-row[data-service="fulfillment"] .badge.err').count(), 1);
    assert.equal(await page.locator('.span-row[data-service="notifications"] .badge.orphan').count(), 1);
    await page.locator('#state').filter({ hasText: 'parent that is not in this trace' }).waitFor();

    // A click shows the span's attributes.
    await rows.nth(5).click();
    const detail = page.locator('.detail');
    await detail.waitFor();
    assert.match(await detail.innerText(), /messaging\.destination\.name\s+fulfillment:requests/);
    assert.match(await detail.innerText(), /status\s+ERROR/);
    await page.screenshot({ path: join(SCREENSHOTS, 'orderlab-trace-waterfall.png'), fullPage: true });
    await rows.nth(5).click();
    assert.equal(await detail.count(), 0);

    // Jaeger down, and an id that is not one: said in words, no waterfall.
    jaeger.behaviour = 'fail';
    await page.goto(`${traffic.url}/traces/${'ab'.repeat(16)}`);
    await page.locator('#state').filter({ hasText: 'Jaeger could not give the trace: Jaeger (http://127.0.0.1' }).waitFor();
    assert.equal(await rows.count(), 0);
    await page.goto(`${traffic.url}/traces/not-a-trace`);
    await page.locator('#state').filter({ hasText: '32 hexadecimal digits' }).waitFor();
    assert.equal(await page.locator('#state button').count(), 0);
    assert.deepEqual(errors, []);

    // With the console still open in the browser, the service stops within its shutdown deadline.
    assert.equal(await settleWithin(traffic.service.stop(), 3_000), true);
  });

  it('draws the same waterfall whether the trace comes from Jaeger or from Tempo, and names the store it waits for', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const jaeger = await startFakeJaeger();
    t.after(() => jaeger.close());
    const tempo = await startFakeTempo();
    t.after(() => tempo.close());
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const startUs = Date.now() * 1000;
    jaeger.traces.set(traceId, orderTrace(traceId, startUs));
    const onJaeger = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', TRACES_QUERY_URL: jaeger.url });
    const onTempo = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', TRACES_QUERY_API: 'tempo', TRACES_QUERY_URL: tempo.url });

    const profile = await mkdtemp(join(tmpdir(), 'traffic-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1366, height: 768 } });
    t.after(async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const rows = page.locator('.span-row');
    /** What a learner sees of each row: service, name, indent, bar, badges. */
    const drawn = () =>
      rows.evaluateAll((els) =>
        els.map((e) => {
          const row = e as HTMLElement;
          const bar = row.querySelector('.bar') as HTMLElement;
          return [row.dataset.service, row.querySelector('.name')!.textContent, getComputedStyle(row.querySelector('.name')!).paddingLeft, bar.style.left, bar.style.width, row.querySelectorAll('.badge').length];
        }),
      );

    await page.goto(`${onJaeger.url}/traces/${traceId}`);
    await rows.nth(6).waitFor();
    const fromJaeger = await drawn();

    // Tempo does not have it at first: the page says so in Tempo's name, then finds it by itself.
    await page.goto(`${onTempo.url}/traces/${traceId}`);
    await page.locator('#state').filter({ hasText: 'Not yet in Tempo' }).waitFor();
    tempo.traces.set(traceId, orderTempoTrace(traceId, startUs));
    await rows.nth(6).waitFor({ timeout: 10_000 });
    assert.deepEqual(await drawn(), fromJaeger);
    assert.equal(fromJaeger.length, 7);
    await page.screenshot({ path: join(SCREENSHOTS, 'orderlab-trace-waterfall-tempo.png'), fullPage: true });

    tempo.behaviour = 'fail';
    await page.goto(`${onTempo.url}/traces/${'ab'.repeat(16)}`);
    await page.locator('#state').filter({ hasText: 'Tempo could not give the trace: Tempo (http://127.0.0.1' }).waitFor();
    assert.deepEqual(errors, []);
  });
});
