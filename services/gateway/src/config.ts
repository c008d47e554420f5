/** The gateway's environment (docs/configuration.md, "gateway"), parsed once in main.ts. */
import { commonConfig, loadConfig, parseConfig } from '@orderlab/platform';
import { corsOriginsConfig, parseCorsOrigins } from '@orderlab/platform/http';
import Type, { type Static } from 'typebox';
import { DEFAULT_URLS, PORTS } from '@orderlab/contracts/topology';

/** Schema of every variable the gateway reads, with the defaults of docs/configuration.md. */
export const gatewayConfigSchema = Type.Object({
  ...commonConfig,
  PORT: Type.Integer({ default: PORTS.gateway, minimum: 0, maximum: 65535 }),
  ORDERS_GRPC_ADDR: Type.String({ default: DEFAULT_URLS.ordersGrpc, pattern: String.raw`^[^\s/]+:[0-9]{1,5}$` }),
  GRPC_DEADLINE_MS: Type.Integer({ default: 2000, minimum: 50, maximum: 60_000 }),
  CORS_ORIGINS: corsOriginsConfig,
  BODY_LIMIT_BYTES: Type.Integer({ default: 65_536, minimum: 1024, maximum: 10 * 1024 * 1024 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 300_000 }),
  MAX_IN_FLIGHT: Type.Integer({ default: 128, minimum: 1, maximum: 100_000 }),
});

/** The gateway's validated configuration. */
export type GatewayConfig = Static<typeof gatewayConfigSchema>;

/** Parses env (tests pass a plain object); throws ConfigError naming every bad variable. */
export function parseGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return parseConfig(gatewayConfigSchema, env);
}

/** parseGatewayConfig, or one line on stderr and exit 1 (main.ts only). */
export function loadGatewayConfig(): GatewayConfig {
  return loadConfig(gatewayConfigSchema, process.env);
}

/** The CORS_ORIGINS allowlist as exact, lower-cased origins. */
export function corsOrigins(config: Pick<GatewayConfig, 'CORS_ORIGINS'>): string[] {
  return parseCorsOrigins(config.CORS_ORIGINS);
}
