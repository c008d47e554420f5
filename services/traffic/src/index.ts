/** @orderlab/traffic — the traffic generator as a library (main.ts runs it). */
export { configuredModeParams, parseTrafficConfig, trafficConfigSchema, type TrafficConfig } from './config.js';
export { ArrivalScheduler, MAX_CATCH_UP_MS, TICK_MS, type ArrivalSchedulerOptions } from './arrival-scheduler.js';
export { JOURNEYS, JourneyPlanner, parseJourneyWeights, ROUTES, type Journey, type PlannedRequest, type RequestKind } from './journeys.js';
export { buildTrafficService, type TrafficService, type TrafficServiceDeps } from './traffic-service.js';
export { createTargetClient, type TargetClient } from './target-client.js';
export { MODES, type Mode, type ModeParams } from './traffic-modes.js';
export type { TrafficStatus } from './traffic-generator.js';
export { traceIdFromTraceresponse, TRACERESPONSE_HEADER } from './traceresponse.js';
export type { RecentTraces, TracedRequest } from './trace-records.js';
export { toWaterfall, type Waterfall, type WaterfallSpan } from './trace-waterfall.js';
export { createJaegerClient, type JaegerClient, type JaegerTrace } from './jaeger-client.js';
export { createTempoClient, tempoTraceToModel } from './tempo-client.js';
export type { TraceStoreApi, TraceStoreClient } from './trace-store.js';
export { createLogsClient, type ErrorRate, type LogLines, type LogsClient } from './logs-client.js';
export { errorRateQuery, errorTailQuery, LOG_FIELDS, parseLogFilter, searchQuery, toLogLine, type LogFilter, type LogLine } from './logs-query.js';
