/** @orderlab/platform/http — HTTP servers: Fastify defaults, CORS, health, OpenAPI, the ops server and HTTP metrics. */
export * from './http.js';
export * from './cors.js';
export * from './health.js';
export * from './openapi.js';
export * from './ops-server.js';
export * from './http-metrics.js';
