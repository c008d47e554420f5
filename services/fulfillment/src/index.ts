/** @orderlab/fulfillment — the fulfillment worker as a library (main.ts runs it). */
export { fulfillmentConfigSchema, type FulfillmentConfig } from './config.js';
export { buildFulfillmentWorker, type FulfillmentWorker, type FulfillmentWorkerDeps } from './fulfillment-worker.js';
export { MIGRATIONS_DIR } from './migrations.js';
export type { OrdersClient, CompleteFulfillmentInput, CallContext } from './orders-client.js';
export { CONSUMER_GROUP, DEAD_LETTER_MAXLEN, streamKeys } from './fulfillment-stream.js';
