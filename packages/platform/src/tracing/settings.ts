/**
 * The tracing settings of a process, read from its environment before anything else loads (the
 * `--import` hook runs ahead of the service's own config). Light on purpose: node builtins only,
 * so that a process with TRACING_ENABLED=false loads nothing of the OpenTelemetry SDK.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_URLS } from '@orderlab/contracts/topology';

export interface TracingSettings {
  enabled: boolean;
  /** Share of new traces recorded (0..1); a caller's sampled flag is followed whatever it is (parent-based). */
  sampleRatio: number;
  /** OTLP over HTTP, base URL: spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  serviceName: string;
  serviceVersion: string;
  /** `deployment.environment.name`: lab (native) or compose. */
  environment: string;
}

/**
 * Thrown for malformed variables, naming every one of them (not just the first), like the config
 * loader: the register hook prints it on one line and the process exits 1.
 */
export class TracingSettingsError extends Error {}

/**
 * The settings from `env`: TRACING_ENABLED (default true), TRACING_SAMPLE_RATIO (default 1),
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME (default: the service's package name without its
 * scope), DEPLOYMENT_ENVIRONMENT (default lab). `entry` is the process's main script, whose
 * package.json names the service and its version.
 */
export function readTracingSettings(env: Record<string, string | undefined> = process.env, entry = process.argv[1]): TracingSettings {
  const pkg = entry === undefined ? undefined : nearestPackageJson(entry);
  const name = env.OTEL_SERVICE_NAME || pkg?.name?.replace(/^@[^/]+\//, '') || 'unknown_service:node';
  const issues: string[] = [];
  const checked = <T>(parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof TracingSettingsError)) throw err;
      issues.push(err.message);
      return fallback;
    }
  };
  const settings: TracingSettings = {
    enabled: checked(() => parseBoolean('TRACING_ENABLED', env.TRACING_ENABLED, true), true),
    sampleRatio: checked(() => parseRatio(env.TRACING_SAMPLE_RATIO), 1),
    endpoint: checked(() => parseEndpoint(env.OTEL_EXPORTER_OTLP_ENDPOINT), DEFAULT_URLS.otlpHttp),
    serviceName: name,
    serviceVersion: pkg?.version ?? '0.0.0',
    environment: env.DEPLOYMENT_ENVIRONMENT || 'lab',
  };
  if (issues.length > 0) throw new TracingSettingsError(issues.join('; '));
  return settings;
}

function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new TracingSettingsError(`${name} must be true or false (got ${JSON.stringify(value)})`);
}

function parseRatio(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  const ratio = Number(value);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new TracingSettingsError(`TRACING_SAMPLE_RATIO must be a number from 0 to 1 (got ${JSON.stringify(value)})`);
  }
  return ratio;
}

function parseEndpoint(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_URLS.otlpHttp;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  throw new TracingSettingsError(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got ${JSON.stringify(value)})`);
}

interface PackageJson {
  name?: string;
  version?: string;
}

/** The package.json of the package holding `file` (searching upwards), if any. */
function nearestPackageJson(file: string): PackageJson | undefined {
  let dir = dirname(file);
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        return JSON.parse(readFileSync(candidate, 'utf8')) as PackageJson;
      } catch {
        return undefined;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
