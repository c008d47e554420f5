/**
 * The `--import` hook every service process starts with (`node --import <this file> main.js`):
 * when TRACING_ENABLED is not false it starts the OpenTelemetry SDK and its instrumentations
 * before the service's first import, so that Fastify, gRPC, pg and ioredis are patched as they
 * load. With TRACING_ENABLED=false it returns at once and loads nothing of the SDK (./sdk.js is
 * only imported dynamically), which tests/e2e checks.
 */
import { readTracingSettings, TracingSettingsError } from './settings.js';

let settings;
try {
  settings = readTracingSettings();
} catch (err) {
  if (!(err instanceof TracingSettingsError)) throw err;
  process.stderr.write(`invalid configuration: ${err.message}\n`);
  process.exit(1);
}

if (settings.enabled) {
  const { startTracing } = await import('./sdk.js');
  startTracing(settings);
}
