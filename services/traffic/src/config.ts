/**
 * The traffic generator's configuration: every variable of docs/configuration.md (§ traffic),
 * validated once at start-up.
 */
import { commonConfig, ConfigError, parseConfig } from '@orderlab/platform';
import Type, { type Static } from 'typebox';
import { parseJourneyWeights } from './journeys.js';
import { MAX_RATE, MODES, paramProblems, type ModeParams } from './traffic-modes.js';
import { address, DEFAULT_URLS, PORTS } from '@orderlab/contracts/topology';
import { TRACE_STORE_APIS, type TraceStoreApi } from './trace-store.js';

/** An http(s) origin, optionally with a path prefix; no query or fragment. */
const HTTP_URL = '^https?://[^\\s/?#]+(/[^\\s?#]*)?$';

const rate = (value: number) => Type.Number({ default: value, minimum: 0, maximum: MAX_RATE });

/** The schema: validation, defaults and the `TrafficConfig` type in one place. */
export const trafficConfigSchema = Type.Object({
  ...commonConfig,
  PORT: Type.Integer({ default: PORTS.traffic, minimum: 0, maximum: 65_535 }),
  TARGET_URL: Type.String({ default: DEFAULT_URLS.edge, pattern: HTTP_URL }),
  /** The trace store whose API the traces view reads each trace from: Jaeger (native) or Tempo (Compose). */
  TRACES_QUERY_API: Type.Union(TRACE_STORE_APIS.map((a) => Type.Literal(a)), { default: 'jaeger' }) as unknown as ReturnType<typeof Type.String>,
  /** That store's base URL; unset, the native lab's Jaeger or Tempo (set in parseTrafficConfig). */
  TRACES_QUERY_URL: Type.Optional(Type.String({ pattern: HTTP_URL })),
  /** VictoriaLogs' LogsQL API, where the logs view searches. */
  LOGS_QUERY_URL: Type.String({ default: DEFAULT_URLS.victoriaLogs, pattern: HTTP_URL }),
  TARGET_CONNECTIONS: Type.Integer({ default: 256, minimum: 1, maximum: 1024 }),
  MAX_IN_FLIGHT: Type.Integer({ default: 256, minimum: 1, maximum: 100_000 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 100, maximum: 300_000 }),
  TRAFFIC_MODE: Type.Union(MODES.map((m) => Type.Literal(m)), { default: 'steady' }) as unknown as ReturnType<typeof Type.String>,
  STEADY_RATE: rate(20),
  BURST_BASE_RATE: rate(20),
  BURST_PEAK_RATE: rate(100),
  BURST_PERIOD_MS: Type.Integer({ default: 30_000, minimum: 1000, maximum: 3_600_000 }),
  BURST_DURATION_MS: Type.Integer({ default: 5000, minimum: 100, maximum: 3_600_000 }),
  OVERLOAD_START_RATE: Type.Number({ default: 100, minimum: 1, maximum: MAX_RATE }),
  OVERLOAD_STEP_RATE: Type.Number({ default: 100, minimum: 1, maximum: MAX_RATE }),
  OVERLOAD_STEP_INTERVAL_MS: Type.Integer({ default: 5_000, minimum: 1000, maximum: 600_000 }),
  OVERLOAD_MAX_RATE: Type.Number({ default: 5000, minimum: 1, maximum: MAX_RATE }),
  OVERLOAD_ERROR_RATIO: Type.Number({ default: 0.05, minimum: 0, maximum: 1 }),
  OVERLOAD_P99_MS: Type.Integer({ default: 1000, minimum: 1, maximum: 600_000 }),
  JOURNEY_WEIGHTS: Type.String({ default: 'browse=30,view-product=30,place-order=15,poll-order=15,read-notifications=10' }),
  ORDER_RETRY_RATIO: Type.Number({ default: 0.1, minimum: 0, maximum: 1 }),
  STATUS_WINDOW_S: Type.Integer({ default: 10, minimum: 1, maximum: 60 }),
});

/** The validated configuration of the traffic generator. */
export type TrafficConfig = Static<typeof trafficConfigSchema> & {
  TRAFFIC_MODE: (typeof MODES)[number];
  TRACES_QUERY_API: TraceStoreApi;
  /** Always set once parsed: the variable, its former name, or the store's native default. */
  TRACES_QUERY_URL: string;
};

/** The native lab's address of each trace store's API. */
const DEFAULT_TRACES_QUERY_URLS: Record<TraceStoreApi, string> = {
  jaeger: DEFAULT_URLS.jaegerQuery,
  tempo: `http://${address('tempo')}`,
};

/** The parameters each mode starts with (POST /mode/{mode} overrides them per request). */
export function configuredModeParams(config: TrafficConfig): ModeParams {
  return {
    steady: { rate: config.STEADY_RATE },
    burst: {
      baseRate: config.BURST_BASE_RATE,
      peakRate: config.BURST_PEAK_RATE,
      periodMs: config.BURST_PERIOD_MS,
      durationMs: config.BURST_DURATION_MS,
    },
    overload: {
      startRate: config.OVERLOAD_START_RATE,
      stepRate: config.OVERLOAD_STEP_RATE,
      stepIntervalMs: config.OVERLOAD_STEP_INTERVAL_MS,
      maxRate: config.OVERLOAD_MAX_RATE,
      errorRatio: config.OVERLOAD_ERROR_RATIO,
      p99Ms: config.OVERLOAD_P99_MS,
    },
    pause: {},
  };
}

/** The variable behind each parameter a relation between parameters can name. */
const ENV_NAMES: Record<string, string> = {
  durationMs: 'BURST_DURATION_MS',
  periodMs: 'BURST_PERIOD_MS',
  startRate: 'OVERLOAD_START_RATE',
  maxRate: 'OVERLOAD_MAX_RATE',
};

function inEnvTerms(text: string): string {
  return text.replace(/\b(durationMs|periodMs|startRate|maxRate)\b/g, (name) => ENV_NAMES[name] ?? name);
}

/** Parses env (tests pass a plain object); throws ConfigError naming every bad variable. */
export function parseTrafficConfig(env: Record<string, string | undefined> = process.env): TrafficConfig {
  const config = parseConfig(trafficConfigSchema, env) as TrafficConfig;
  const issues: string[] = [];
  config.TRACES_QUERY_URL = config.TRACES_QUERY_URL ?? DEFAULT_TRACES_QUERY_URLS[config.TRACES_QUERY_API];
  try {
    parseJourneyWeights(config.JOURNEY_WEIGHTS);
  } catch (err) {
    issues.push(`JOURNEY_WEIGHTS ${(err as Error).message} (got ${JSON.stringify(config.JOURNEY_WEIGHTS)})`);
  }
  const params = configuredModeParams(config);
  for (const mode of MODES) {
    for (const { field, detail } of paramProblems(mode, params[mode])) issues.push(inEnvTerms(`${field} ${detail}`));
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

/** parseTrafficConfig, or one line on stderr naming every bad variable and exit 1. */
export function loadTrafficConfig(env: Record<string, string | undefined> = process.env): TrafficConfig {
  try {
    return parseTrafficConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
