/**
 * `@orderlab/platform/tracing`: what services use of tracing — the active trace context and its
 * W3C formats, messaging spans for the queues, and this process's tracing counters. Through the
 * OpenTelemetry API only: importing it never loads the SDK (the `--import` hook
 * `@orderlab/platform/tracing/register` does that, when TRACING_ENABLED).
 */
export * from './tracing/trace-context.js';
export * from './tracing/messaging.js';
export * from './tracing/rpc.js';
export { tracingRuntime, type TracingRuntime, type TracingStats } from './tracing/runtime.js';
