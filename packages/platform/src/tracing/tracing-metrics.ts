/**
 * The tracing SDK's own counters on /metrics, named after the OpenTelemetry SDK metrics
 * conventions (`otel.sdk.processor.span.processed`, `otel.sdk.exporter.span.exported`, with
 * `error.type` on failures): how many spans went to export, how many the queue dropped, how
 * many the Collector took and how many were lost in failed exports. Read from this process's
 * tracing runtime at each scrape; nothing when tracing is off.
 */
import { Counter, type Registry } from 'prom-client';
import { tracingRuntime } from './runtime.js';

/** Registers the counters on registry when this process traces. */
export function registerTracingMetrics(registry: Registry): void {
  const runtime = tracingRuntime();
  if (runtime === undefined) return;
  const { stats } = runtime;
  new Counter({
    name: 'otel_sdk_processor_span_processed_total',
    help: 'Finished spans the span processor handled: queued for export (error_type empty) or dropped because the export queue was full (error_type="queue_full").',
    labelNames: ['error_type'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ error_type: '' }, stats.ended);
      this.inc({ error_type: 'queue_full' }, stats.dropped);
    },
  });
  new Counter({
    name: 'otel_sdk_exporter_span_exported_total',
    help: 'Spans the OTLP exporter sent: accepted by the Collector (error_type empty) or lost in a failed export (error_type="export_failed": refused, timed out, unreachable).',
    labelNames: ['error_type'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ error_type: '' }, stats.exported);
      this.inc({ error_type: 'export_failed' }, stats.failed);
    },
  });
}
