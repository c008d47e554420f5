/** @orderlab/gateway: the public REST API. main.ts runs it; tests and tools build it. */
export { API_PREFIX, buildGateway, DOCS_PREFIX, OPENAPI_PATH, type Gateway, type GatewayDeps } from './app.js';
export { corsOrigins, gatewayConfigSchema, parseGatewayConfig, type GatewayConfig } from './config.js';
