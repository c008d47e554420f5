/**
 * A Jaeger trace turned into what the trace page draws: one row per span in tree order (each
 * parent followed by its children, by start time), with its offset and duration in ms from the
 * trace's start, its depth, its service, and the flags a learner looks for — an error, and a
 * parent that is not in the trace (a broken propagation). No I/O: the route fetches, this shapes.
 */
import type { JaegerKeyValue, JaegerSpan, JaegerTrace } from './jaeger-client.js';

/** Rows drawn at most; a bigger trace is cut (in tree order) and says so. */
export const MAX_WATERFALL_SPANS = 2_000;

/** An attribute value as Jaeger gives it (int64 beyond 2^53 loses precision in JSON; fine for display). */
export type AttributeValue = string | number | boolean;

/** One row of the waterfall. */
export interface WaterfallSpan {
  spanId: string;
  /** The parent's span id; null for a root. Set even when the parent is missing from the trace. */
  parentSpanId: string | null;
  /** 0 for roots (and for spans whose parent is missing), parent's depth + 1 otherwise. */
  depth: number;
  service: string;
  name: string;
  /** server, client, producer, consumer or internal (OTel's span kind); null when not recorded. */
  kind: string | null;
  /** Start, from the start of the trace, in ms. */
  startMs: number;
  durationMs: number;
  /** The span's status is ERROR (otel.status_code, or the `error` tag). */
  error: boolean;
  /** The span names a parent that is not in the trace. */
  missingParent: boolean;
  /** The span's attributes (Jaeger tags), by key. */
  attributes: Record<string, AttributeValue>;
  /** Span events (Jaeger logs), e.g. an exception, with their offset from the trace's start. */
  events: { offsetMs: number; name: string; attributes: Record<string, AttributeValue> }[];
  /** Links (FOLLOWS_FROM references that are not the parent), possibly into other traces. */
  links: { traceId: string; spanId: string }[];
  /** What Jaeger noticed about this span (clock skew, an unknown parent…). */
  warnings: string[];
}

/** GET /api/traces/{traceId}. */
export interface Waterfall {
  traceId: string;
  /** The earliest span's start (ISO 8601). */
  startTime: string;
  /** From the earliest start to the latest end, in ms. */
  durationMs: number;
  spanCount: number;
  errorCount: number;
  missingParentCount: number;
  /** Services in order of their first span, with their resource attributes. */
  services: { name: string; spanCount: number; errorCount: number; attributes: Record<string, AttributeValue> }[];
  /** True when the trace had more than MAX_WATERFALL_SPANS spans and only the first are listed. */
  truncated: boolean;
  spans: WaterfallSpan[];
  warnings: string[];
}

const usToMs = (us: number) => Math.round(us) / 1000;

/** The waterfall of `trace` (spans non-empty). */
export function toWaterfall(trace: JaegerTrace, maxSpans = MAX_WATERFALL_SPANS): Waterfall {
  const traceId = trace.traceID;
  const byId = new Map<string, JaegerSpan>();
  for (const span of trace.spans) if (!byId.has(span.spanID)) byId.set(span.spanID, span);

  const parents = new Map<JaegerSpan, { parentSpanId: string | null; missing: boolean }>();
  const children = new Map<string, JaegerSpan[]>();
  const roots: JaegerSpan[] = [];
  for (const span of trace.spans) {
    const parent = parentOf(span, traceId, byId);
    parents.set(span, parent);
    if (parent.parentSpanId === null || parent.missing || byId.get(parent.parentSpanId) === span) roots.push(span);
    else {
      const siblings = children.get(parent.parentSpanId);
      if (siblings) siblings.push(span);
      else children.set(parent.parentSpanId, [span]);
    }
  }

  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const s of trace.spans) {
    start = Math.min(start, s.startTime);
    end = Math.max(end, s.startTime + s.duration);
  }
  const byStart = (a: JaegerSpan, b: JaegerSpan) => a.startTime - b.startTime || a.operationName.localeCompare(b.operationName);

  // Depth-first, iteratively (a deep trace must not overflow the stack); a span is placed once.
  const ordered: { span: JaegerSpan; depth: number }[] = [];
  const placed = new Set<JaegerSpan>();
  const visit = (rootSpans: JaegerSpan[]) => {
    const stack = [...rootSpans].sort(byStart).reverse().map((span) => ({ span, depth: 0 }));
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (placed.has(next.span)) continue;
      placed.add(next.span);
      ordered.push(next);
      const kids = children.get(next.span.spanID);
      if (kids) for (const kid of [...kids].sort(byStart).reverse()) stack.push({ span: kid, depth: next.depth + 1 });
    }
  };
  visit(roots);
  // Spans in a parent cycle are reachable from no root: list them as roots rather than lose them.
  visit(trace.spans.filter((s) => !placed.has(s)));

  const services = new Map<string, Waterfall['services'][number]>();
  const spans: WaterfallSpan[] = ordered.map(({ span, depth }) => {
    const process = trace.processes[span.processID];
    const service = process?.serviceName ?? span.processID;
    const attributes = toAttributes(span.tags);
    const error = attributes['otel.status_code'] === 'ERROR' || attributes.error === true;
    let entry = services.get(service);
    if (!entry) {
      entry = { name: service, spanCount: 0, errorCount: 0, attributes: toAttributes(process?.tags ?? null) };
      services.set(service, entry);
    }
    entry.spanCount += 1;
    if (error) entry.errorCount += 1;
    const parent = parents.get(span)!;
    const kind = attributes['span.kind'];
    return {
      spanId: span.spanID,
      parentSpanId: parent.parentSpanId,
      depth,
      service,
      name: span.operationName,
      kind: typeof kind === 'string' ? kind : null,
      startMs: usToMs(span.startTime - start),
      durationMs: usToMs(span.duration),
      error,
      missingParent: parent.missing,
      attributes,
      events: (span.logs ?? []).map((log) => {
        const fields = toAttributes(log.fields);
        const { event, ...rest } = fields;
        return { offsetMs: usToMs(log.timestamp - start), name: typeof event === 'string' ? event : 'event', attributes: rest };
      }),
      links: (span.references ?? [])
        .filter((r) => !(r.traceID === traceId && r.spanID === parent.parentSpanId))
        .map((r) => ({ traceId: r.traceID, spanId: r.spanID })),
      warnings: span.warnings ?? [],
    };
  });

  return {
    traceId,
    startTime: new Date(start / 1000).toISOString(),
    durationMs: usToMs(end - start),
    spanCount: spans.length,
    errorCount: spans.filter((s) => s.error).length,
    missingParentCount: spans.filter((s) => s.missingParent).length,
    services: [...services.values()],
    truncated: spans.length > maxSpans,
    spans: spans.slice(0, maxSpans),
    warnings: trace.warnings ?? [],
  };
}

/**
 * The parent: the CHILD_OF reference within the trace (OTel's parent span id). Without one, a
 * FOLLOWS_FROM reference to a span of this trace places the span under it, as Jaeger's own UI
 * does; a link to a span that is not here is only a link, never a "missing parent".
 */
function parentOf(span: JaegerSpan, traceId: string, byId: Map<string, JaegerSpan>): { parentSpanId: string | null; missing: boolean } {
  const refs = span.references ?? [];
  const childOf = refs.find((r) => r.refType === 'CHILD_OF' && r.traceID === traceId);
  if (childOf) return { parentSpanId: childOf.spanID, missing: !byId.has(childOf.spanID) };
  const followsFrom = refs.find((r) => r.refType === 'FOLLOWS_FROM' && r.traceID === traceId && byId.has(r.spanID));
  return { parentSpanId: followsFrom?.spanID ?? null, missing: false };
}

/** Tags by key, in an object without a prototype (a tag may be called __proto__). */
function toAttributes(tags: JaegerKeyValue[] | null): Record<string, AttributeValue> {
  const attributes = Object.create(null) as Record<string, AttributeValue>;
  for (const tag of tags ?? []) attributes[tag.key] = tag.value;
  return attributes;
}
