import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { startFakeTarget } from './support/fake-target.js';
import { startTraffic } from './support/traffic.js';

/** Debian's chromium (the test runner installs it); a fresh profile per test, nothing fetched in the background. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('status page in a browser', () => {
  it('shows the live status and switches mode when a button is clicked', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '20' });

    const profile = await mkdtemp(join(tmpdir(), 'traffic-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    // The profile goes once the browser has stopped writing to it.
    t.after(async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));

    await page.goto(traffic.url);
    await page.locator('#mode').filter({ hasText: /^steady$/ }).waitFor();
    // Live: the achieved rate appears once the first whole second is counted, then keeps updating.
    await page.waitForFunction(() => /^\d+\.\d$/.test(document.getElementById('achieved-rate')?.textContent ?? ''), undefined, { timeout: 10_000 });
    await page.waitForFunction(() => Number(document.getElementById('uptime')?.textContent) >= 2, undefined, { timeout: 10_000 });

    await page.click('button[data-mode="burst"]');
    await page.locator('#mode').filter({ hasText: /^burst$/ }).waitFor();
    await page.locator('button.active[data-mode="burst"]').waitFor();
    await page.locator('#target-rate').filter({ hasText: /^100\.0$/ }).waitFor();
    assert.equal((await traffic.mode()).mode, 'burst');

    await page.fill('#steady-rate', '7');
    await page.click('button[data-mode="steady"]');
    await page.locator('#target-rate').filter({ hasText: /^7\.0$/ }).waitFor();
    assert.deepEqual((await traffic.mode()).params, { rate: 7 });

    await page.click('button[data-mode="pause"]');
    await page.locator('#mode').filter({ hasText: /^pause$/ }).waitFor();
    assert.equal((await traffic.mode()).mode, 'pause');

    // A refused switch is shown, not swallowed.
    await page.fill('#steady-rate', '-5');
    await page.click('button[data-mode="steady"]');
    await page.locator('#message').filter({ hasText: /rate/ }).waitFor();
    assert.equal((await traffic.mode()).mode, 'pause');
    assert.deepEqual(errors, []);
  });
});
