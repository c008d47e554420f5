/**
 * This process's tracing, as the rest of the service sees it: the counters of what happened to
 * its spans (finished, exported, failed, dropped) and the SDK's shutdown. A process-wide record
 * (a global symbol, so the copy of this module the SDK loaded and the one the service's metrics
 * read are the same); without tracing there is none. No imports: the service reads it whether
 * or not the SDK was loaded.
 */
export interface TracingStats {
  /** Spans finished and handed to export. */
  ended: number;
  /** Spans the Collector accepted. */
  exported: number;
  /** Spans lost in a failed export (refused, timed out, unreachable). */
  failed: number;
  /** Spans dropped unsent because MAX_QUEUED_SPANS were already waiting. */
  dropped: number;
}

export interface TracingRuntime {
  stats: TracingStats;
  /** Exports what is queued (bounded by the exporter's timeout) and stops the SDK. */
  shutdown(): Promise<void>;
}

const RUNTIME = Symbol.for('orderlab.tracing.runtime');

type WithRuntime = typeof globalThis & { [RUNTIME]?: TracingRuntime };

/** Called once by the SDK at start. */
export function installTracingRuntime(runtime: TracingRuntime): void {
  (globalThis as WithRuntime)[RUNTIME] = runtime;
}

/** This process's tracing, or undefined when the SDK was not started. */
export function tracingRuntime(): TracingRuntime | undefined {
  return (globalThis as WithRuntime)[RUNTIME];
}
