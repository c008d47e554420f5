/**
 * The tracing settings a service process starts with (src/tracing/settings.ts): read from its
 * environment by the `--import` hook before anything else loads, with the service's name and
 * version taken from the package.json of its entry script.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_URLS } from '@orderlab/contracts/topology';
import { readTracingSettings, TracingSettingsError } from '../src/tracing/settings.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
/** Where the orders service's compiled entry script lives (the file need not exist: only its package is read). */
const ORDERS_MAIN = join(REPO, 'services/orders/dist/src/main.js');
const ordersPackage = JSON.parse(readFileSync(join(REPO, 'services/orders/package.json'), 'utf8')) as { version: string };

/** The settings error `env` gives, or undefined when it gives settings. */
function settingsError(env: Record<string, string>): TracingSettingsError | undefined {
  try {
    readTracingSettings(env, ORDERS_MAIN);
    return undefined;
  } catch (err) {
    if (err instanceof TracingSettingsError) return err;
    throw err;
  }
}

describe('readTracingSettings', () => {
  it('traces everything, to the Collector of the topology, in the lab environment, when nothing is set', () => {
    const settings = readTracingSettings({}, ORDERS_MAIN);
    assert.equal(settings.enabled, true);
    assert.equal(settings.sampleRatio, 1);
    assert.equal(settings.endpoint, DEFAULT_URLS.otlpHttp);
    assert.equal(settings.environment, 'lab');
  });

  it('counts an empty variable as unset', () => {
    const settings = readTracingSettings({ TRACING_ENABLED: '', TRACING_SAMPLE_RATIO: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_SERVICE_NAME: '', DEPLOYMENT_ENVIRONMENT: '' }, ORDERS_MAIN);
    assert.deepEqual(
      { enabled: settings.enabled, sampleRatio: settings.sampleRatio, endpoint: settings.endpoint, serviceName: settings.serviceName, environment: settings.environment },
      { enabled: true, sampleRatio: 1, endpoint: DEFAULT_URLS.otlpHttp, serviceName: 'orders', environment: 'lab' },
    );
  });

  it('turns tracing off with TRACING_ENABLED=false or 0, and on with true or 1', () => {
    assert.equal(readTracingSettings({ TRACING_ENABLED: 'false' }, ORDERS_MAIN).enabled, false);
    assert.equal(readTracingSettings({ TRACING_ENABLED: '0' }, ORDERS_MAIN).enabled, false);
    assert.equal(readTracingSettings({ TRACING_ENABLED: 'true' }, ORDERS_MAIN).enabled, true);
    assert.equal(readTracingSettings({ TRACING_ENABLED: '1' }, ORDERS_MAIN).enabled, true);
  });

  it('takes the sample ratio, the endpoint (without a trailing slash) and the environment from the environment', () => {
    const settings = readTracingSettings({
      TRACING_SAMPLE_RATIO: '0.25',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318/',
      DEPLOYMENT_ENVIRONMENT: 'compose',
    }, ORDERS_MAIN);
    assert.equal(settings.sampleRatio, 0.25);
    assert.equal(settings.endpoint, 'http://otel-collector:4318');
    assert.equal(settings.environment, 'compose');
    assert.equal(readTracingSettings({ TRACING_SAMPLE_RATIO: '0' }, ORDERS_MAIN).sampleRatio, 0);
  });

  for (const value of ['yes', 'TRUE', 'off', '2']) {
    it(`rejects TRACING_ENABLED=${value}, naming the variable`, () => {
      const err = settingsError({ TRACING_ENABLED: value });
      assert.ok(err, 'a TracingSettingsError');
      assert.match(err.message, /^TRACING_ENABLED must be true or false/);
      assert.ok(err.message.includes(JSON.stringify(value)), 'the message quotes the value');
    });
  }

  for (const value of ['2', '-0.1', 'abc', 'NaN', 'Infinity', '50%']) {
    it(`rejects TRACING_SAMPLE_RATIO=${value}, naming the variable`, () => {
      const err = settingsError({ TRACING_SAMPLE_RATIO: value });
      assert.ok(err, 'a TracingSettingsError');
      assert.match(err.message, /^TRACING_SAMPLE_RATIO must be a number from 0 to 1/);
    });
  }

  for (const value of ['otel-collector:4318', 'not a url', 'ftp://otel-collector:4318', 'grpc://127.0.0.1:4317']) {
    it(`rejects OTEL_EXPORTER_OTLP_ENDPOINT=${value}, naming the variable`, () => {
      const err = settingsError({ OTEL_EXPORTER_OTLP_ENDPOINT: value });
      assert.ok(err, 'a TracingSettingsError');
      assert.match(err.message, /^OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
    });
  }

  it('names every malformed variable at once, not just the first', () => {
    const err = settingsError({ TRACING_ENABLED: 'maybe', TRACING_SAMPLE_RATIO: 'abc', OTEL_EXPORTER_OTLP_ENDPOINT: 'nowhere' });
    assert.ok(err, 'a TracingSettingsError');
    for (const name of ['TRACING_ENABLED', 'TRACING_SAMPLE_RATIO', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
      assert.ok(err.message.includes(name), `the message names ${name}: ${err.message}`);
    }
    assert.ok(!err.message.includes('\n'), 'one line');
  });
});

describe('the service name and version', () => {
  it('are the entry script package’s name, without its scope, and version', () => {
    const settings = readTracingSettings({}, ORDERS_MAIN);
    assert.equal(settings.serviceName, 'orders');
    assert.equal(settings.serviceVersion, ordersPackage.version);
  });

  it('come from the nearest package.json above the entry script', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'tracing-settings-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@acme/shipping', version: '3.4.5' }));
    const settings = readTracingSettings({}, join(dir, 'dist/src/main.js'));
    assert.equal(settings.serviceName, 'shipping');
    assert.equal(settings.serviceVersion, '3.4.5');
  });

  it('OTEL_SERVICE_NAME wins over the package name (the version still comes from the package)', () => {
    const settings = readTracingSettings({ OTEL_SERVICE_NAME: 'orders-canary' }, ORDERS_MAIN);
    assert.equal(settings.serviceName, 'orders-canary');
    assert.equal(settings.serviceVersion, ordersPackage.version);
  });

  it('fall back to the OpenTelemetry default name and 0.0.0 without a package.json, or an unreadable one', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'tracing-settings-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const none = readTracingSettings({}, join(dir, 'main.js'));
    assert.deepEqual([none.serviceName, none.serviceVersion], ['unknown_service:node', '0.0.0']);

    await writeFile(join(dir, 'package.json'), '{ not json');
    const broken = readTracingSettings({}, join(dir, 'main.js'));
    assert.deepEqual([broken.serviceName, broken.serviceVersion], ['unknown_service:node', '0.0.0']);
  });
});
