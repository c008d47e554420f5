import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findSamples, promtoolProblems, sampleValue, waitFor } from '@orderlab/platform/testing';
import { startFakeTarget } from './support/fake-target.js';
import { startTraffic } from './support/traffic.js';

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

describe('GET /metrics (traffic)', () => {
  it('reports what it sends by journey and route template, its mode and rates, and its own API', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '50' });
    assert.equal((await traffic.setMode('steady', { rate: 60 })).status, 200);

    const text = await waitFor('every journey to have been answered', async () => {
      const body = await scrape(traffic.url);
      const journeys = ['browse', 'view-product', 'place-order', 'poll-order', 'read-notifications'];
      // The achieved rate is 0 until the status window has seen a second of the mode.
      return journeys.every((journey) => sampleValue(body, 'orderlab_traffic_sent_requests_total', { journey }) >= 1) &&
        sampleValue(body, 'orderlab_traffic_achieved_requests_per_second') > 0 &&
        findSamples(body, 'http_client_request_duration_seconds_count', { http_route: '/api/v1/orders/:id', http_response_status_code: '200' }).length === 1
        ? body
        : undefined;
    }, { timeoutMs: 15_000, intervalMs: 100 });

    const routes = new Set(findSamples(text, 'http_client_request_duration_seconds_count').map((s) => s.labels.http_route));
    assert.deepEqual(routes, new Set(['/api/v1/products', '/api/v1/products/:id', '/api/v1/orders', '/api/v1/orders/:id', '/api/v1/notifications']));
    assert.ok(sampleValue(text, 'http_client_request_duration_seconds_count', { http_request_method: 'POST', http_route: '/api/v1/orders', http_response_status_code: '201' }) >= 1);
    assert.equal(findSamples(text, 'http_client_request_duration_seconds_count', { error_type: 'timeout' }).length, 0);
    assert.equal(sampleValue(text, 'orderlab_traffic_mode', { mode: 'steady' }), 1);
    assert.equal(sampleValue(text, 'orderlab_traffic_mode', { mode: 'pause' }), 0);
    assert.equal(sampleValue(text, 'orderlab_traffic_target_requests_per_second'), 60);
    assert.equal(findSamples(text, 'orderlab_traffic_in_flight_requests').length, 1);
    assert.equal(sampleValue(text, 'orderlab_traffic_dropped_arrivals_total'), 0);
    assert.equal(
      sampleValue(text, 'http_server_request_duration_seconds_count', { http_request_method: 'POST', http_route: '/mode/steady', http_response_status_code: '200' }),
      1,
    );
    assert.equal(sampleValue(text, 'orderlab_build_info', { service_name: 'traffic' }), 1);
    assert.deepEqual(await promtoolProblems(text), []);
  });

  it('labels timeouts with error_type and no status code', async (t) => {
    const target = await startFakeTarget({ hang: true });
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '20', REQUEST_TIMEOUT_MS: '200' });
    const text = await waitFor('a timed-out request', async () => {
      const body = await scrape(traffic.url);
      return findSamples(body, 'http_client_request_duration_seconds_count', { error_type: 'timeout' }).length > 0 ? body : undefined;
    });
    for (const sample of findSamples(text, 'http_client_request_duration_seconds_count', { error_type: 'timeout' })) {
      assert.equal(sample.labels.http_response_status_code, undefined);
    }
  });

  it('is a 404 with METRICS_ENABLED=false', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', METRICS_ENABLED: 'false' });
    assert.equal((await fetch(`${traffic.url}/metrics`)).status, 404);
    assert.equal((await fetch(`${traffic.url}/status`)).status, 200);
  });
});
