/**
 * What happens to the spans of this process, counted (./runtime.ts): finished, exported, failed
 * to export (the Collector down or slow), dropped because the export queue was full.
 */
import type { Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { TracingStats } from './runtime.js';

/** Counts what the wrapped exporter sends and fails to send. */
export class CountingSpanExporter implements SpanExporter {
  readonly stats: TracingStats = { ended: 0, exported: 0, failed: 0, dropped: 0 };

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.stats.exported += spans.length;
      else this.stats.failed += spans.length;
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * Hands finished spans to `inner` (the batch processor) while fewer than `maxQueued` are waiting
 * for the exporter's answer; drops (and counts) the rest, so memory stays bounded however long
 * the Collector is away.
 */
export class CountingSpanProcessor implements SpanProcessor {
  constructor(
    private readonly inner: SpanProcessor,
    private readonly exporter: CountingSpanExporter,
    private readonly maxQueued: number,
  ) {}

  get stats(): TracingStats {
    return this.exporter.stats;
  }

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const stats = this.exporter.stats;
    if (stats.ended - stats.exported - stats.failed >= this.maxQueued) {
      stats.dropped += 1;
      return;
    }
    stats.ended += 1;
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
