import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@orderlab/platform';
import { configuredModeParams, parseTrafficConfig } from '../src/config.js';

describe('traffic configuration', () => {
  it('has the documented defaults', () => {
    const config = parseTrafficConfig({});
    assert.equal(config.PORT, 8089);
    assert.equal(config.TARGET_URL, 'http://127.0.0.1:8080');
    assert.equal(config.TRACES_QUERY_API, 'jaeger');
    assert.equal(config.TRACES_QUERY_URL, 'http://127.0.0.1:16686');
    assert.equal(config.LOGS_QUERY_URL, 'http://127.0.0.1:9428');
    assert.equal(config.TARGET_CONNECTIONS, 256);
    assert.equal(config.MAX_IN_FLIGHT, 256);
    assert.equal(config.REQUEST_TIMEOUT_MS, 5000);
    assert.equal(config.TRAFFIC_MODE, 'steady');
    assert.equal(config.ORDER_RETRY_RATIO, 0.1);
    assert.equal(config.STATUS_WINDOW_S, 10);
    assert.deepEqual(configuredModeParams(config), {
      steady: { rate: 20 },
      burst: { baseRate: 20, peakRate: 100, periodMs: 30_000, durationMs: 5000 },
      overload: { startRate: 100, stepRate: 100, stepIntervalMs: 5_000, maxRate: 5000, errorRatio: 0.05, p99Ms: 1000 },
      pause: {},
    });
  });

  it('takes rates as decimals and modes by name', () => {
    const config = parseTrafficConfig({ STEADY_RATE: '2.5', TRAFFIC_MODE: 'pause', TARGET_URL: 'http://edge:8080/prefix' });
    assert.equal(config.STEADY_RATE, 2.5);
    assert.equal(config.TRAFFIC_MODE, 'pause');
  });

  it('names every bad variable in one message, relations between variables included', () => {
    assert.throws(
      () =>
        parseTrafficConfig({
          TARGET_URL: 'edge:8080',
          TRACES_QUERY_URL: 'jaeger:16686',
          TRACES_QUERY_API: 'zipkin',
          LOGS_QUERY_URL: 'victorialogs:9428',
          TRAFFIC_MODE: 'storm',
          STEADY_RATE: '-1',
          MAX_IN_FLIGHT: '0',
          JOURNEY_WEIGHTS: 'browse=1,checkout=1',
          BURST_DURATION_MS: '60000',
        }),
      (err: unknown) =>
        err instanceof ConfigError &&
        ['TARGET_URL', 'TRACES_QUERY_URL', 'TRACES_QUERY_API must be one of jaeger, tempo', 'LOGS_QUERY_URL', 'TRAFFIC_MODE must be one of steady, burst, overload, pause', 'STEADY_RATE', 'MAX_IN_FLIGHT'].every((s) => err.message.includes(s)),
    );
    assert.throws(
      () => parseTrafficConfig({ JOURNEY_WEIGHTS: 'browse=1,checkout=1', BURST_DURATION_MS: '60000', OVERLOAD_START_RATE: '50', OVERLOAD_MAX_RATE: '40' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /JOURNEY_WEIGHTS has an unknown journey "checkout"/.test(err.message) &&
        /BURST_DURATION_MS must be shorter than BURST_PERIOD_MS \(30000\)/.test(err.message) &&
        /OVERLOAD_START_RATE must not be above OVERLOAD_MAX_RATE \(40\)/.test(err.message),
    );
  });

  it('reads traces from Jaeger or Tempo, each at its native address unless TRACES_QUERY_URL says otherwise', () => {
    assert.equal(parseTrafficConfig({ TRACES_QUERY_API: 'tempo' }).TRACES_QUERY_URL, 'http://127.0.0.1:3200');
    const compose = parseTrafficConfig({ TRACES_QUERY_API: 'tempo', TRACES_QUERY_URL: 'http://tempo:3200' });
    assert.deepEqual([compose.TRACES_QUERY_API, compose.TRACES_QUERY_URL], ['tempo', 'http://tempo:3200']);
  });
});
