/** @orderlab/platform/metrics — Prometheus metrics: the service registry, snapshot gauges and the messaging consumer instruments. */
export * from './metrics.js';
export * from './messaging-metrics.js';
