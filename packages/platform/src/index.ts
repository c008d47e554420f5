/**
 * @orderlab/platform — what every process needs: configuration, logging, lifecycle and shutdown,
 * timeouts, problem+json errors, request ids, API schemas and paging. It loads no server,
 * database or broker client; those are sub-paths (./http, ./grpc, ./metrics, ./postgres,
 * ./rabbitmq, ./redis), so a service loads only the clients it uses.
 */
export * from './config.js';
export * from './logger.js';
export * from './lifecycle.js';
export * from './run-service.js';
export * from './timeout.js';
export * from './errors.js';
export * from './request-id.js';
export * from './api-schemas.js';
export * from './pagination.js';
