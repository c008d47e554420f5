/** @orderlab/platform — service defaults: see README.md. */
export * from './config.js';
export * from './errors.js';
export * from './grpc.js';
export * from './health.js';
export * from './http.js';
export * from './lifecycle.js';
export * from './logger.js';
export * from './ops-server.js';
export * from './postgres.js';
export * from './request-id.js';
export * from './rabbitmq.js';
