/** @orderlab/platform — service defaults: see README.md. */
export * from './api-schemas.js';
export * from './config.js';
export * from './cors.js';
export * from './errors.js';
export * from './grpc.js';
export * from './health.js';
export * from './http.js';
export * from './lifecycle.js';
export * from './logger.js';
export * from './openapi.js';
export * from './ops-server.js';
export * from './postgres.js';
export * from './request-id.js';
export * from './rabbitmq.js';
export * from './migrate-command.js';
