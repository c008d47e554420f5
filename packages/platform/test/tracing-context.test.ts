/**
 * The trace context the services read and write (src/tracing/trace-context.ts) and the
 * messaging spans of the queues (src/tracing/messaging.ts), against a real OpenTelemetry tracer
 * provider — the SDK's, with a parent-based sampler like the services' — and the async-local-
 * storage context manager, registered in this file's process; finished spans are kept in memory.
 */
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOnSampler, InMemorySpanExporter, ParentBasedSampler, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startProducerSpan, withConsumerSpan } from '../src/tracing/messaging.js';
import { activeTraceparent, contextFromTraceparent, formatTraceparent, inSpan, logTraceFields, outsideAnyTrace } from '../src/tracing/trace-context.js';
import { captureLogs } from '../src/testing/index.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);
trace.setGlobalTracerProvider(provider);
after(async () => {
  await provider.shutdown();
  context.disable();
});

const tracer = trace.getTracer('tracing-context-test');

beforeEach(() => exporter.reset());

/** Every span finished so far (the processor exports asynchronously). */
async function finishedSpans(): Promise<ReadableSpan[]> {
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

/** The one finished span named `name`. */
async function finished(name: string): Promise<ReadableSpan> {
  const spans = (await finishedSpans()).filter((s) => s.name === name);
  assert.equal(spans.length, 1, `one finished span ${name} (got ${spans.length})`);
  return spans[0]!;
}

/** Runs fn inside a new active span `name` (ended afterwards) and gives both. */
async function withinSpan<T>(name: string, fn: (spanContext: SpanContext) => Promise<T> | T): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await fn(span.spanContext());
    } finally {
      span.end();
    }
  });
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const STORED = `00-${TRACE_ID}-${SPAN_ID}-01`;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('formatTraceparent', () => {
  it('writes version 00, the trace id, the span id and the flags as two hex digits', () => {
    assert.equal(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED }), `00-${TRACE_ID}-${SPAN_ID}-01`);
    assert.equal(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.NONE }), `00-${TRACE_ID}-${SPAN_ID}-00`);
  });
});

describe('contextFromTraceparent', () => {
  it('gives a context whose remote parent is the traceparent’s span, so that work started in it joins that trace', async () => {
    const ctx = contextFromTraceparent(STORED);
    assert.deepEqual(trace.getSpanContext(ctx), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    tracer.startSpan('continued', {}, ctx).end();
    const span = await finished('continued');
    assert.equal(span.spanContext().traceId, TRACE_ID);
    assert.equal(span.parentSpanContext?.spanId, SPAN_ID);
  });

  it('follows a caller’s decision not to sample: work started in it is not recorded', async () => {
    const span = tracer.startSpan('unsampled', {}, contextFromTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`));
    assert.equal(span.isRecording(), false);
    assert.equal(span.spanContext().traceId, TRACE_ID);
    span.end();
    assert.deepEqual(await finishedSpans(), []);
  });

  for (const [label, value] of [
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
    ['garbage', 'not-a-traceparent'],
    ['without flags', `00-${TRACE_ID}-${SPAN_ID}`],
    ['upper-case hex', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['an all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
  ] as const) {
    it(`gives the root context (a new trace) for a traceparent that is ${label}`, () => {
      assert.equal(contextFromTraceparent(value), ROOT_CONTEXT);
    });
  }
});

describe('the active trace context', () => {
  it('activeTraceparent and logTraceFields name the active span inside a span, and nothing outside one', async () => {
    assert.equal(activeTraceparent(), undefined);
    assert.deepEqual(logTraceFields(), {});
    await withinSpan('request', (spanContext) => {
      assert.equal(activeTraceparent(), `00-${spanContext.traceId}-${spanContext.spanId}-01`);
      assert.deepEqual(logTraceFields(), { trace_id: spanContext.traceId, span_id: spanContext.spanId });
    });
    assert.equal(activeTraceparent(), undefined);
  });

  it('outsideAnyTrace runs fn without the active span: what it starts is a trace of its own', async () => {
    const request = await withinSpan('request', (spanContext) =>
      outsideAnyTrace(() => {
        assert.equal(activeTraceparent(), undefined);
        assert.deepEqual(logTraceFields(), {});
        tracer.startSpan('background').end();
        return spanContext;
      }),
    );
    const background = await finished('background');
    assert.equal(background.parentSpanContext, undefined, 'a root span');
    assert.notEqual(background.spanContext().traceId, request.traceId);
  });

  it('a logger writes trace_id and span_id on the lines written inside a span, and neither outside', async () => {
    const { logger, lines } = captureLogs('orders');
    logger.info('before');
    const spanContext = await withinSpan('request', (sc) => {
      logger.child({ request_id: 'r-1' }).info({ orderId: 'o-1' }, 'order created');
      return sc;
    });
    logger.info('after');
    const [before, inside, afterwards] = lines();
    assert.equal(before?.trace_id, undefined);
    assert.equal(before?.span_id, undefined);
    assert.equal(inside?.msg, 'order created');
    assert.equal(inside?.trace_id, spanContext.traceId);
    assert.equal(inside?.span_id, spanContext.spanId);
    assert.equal(inside?.request_id, 'r-1');
    assert.equal(afterwards?.trace_id, undefined);
  });
});

describe('inSpan', () => {
  it('runs fn in a new span, the child of the active one, with its name, attributes and kind, and ends it', async () => {
    const [outer, innerTraceparent] = await withinSpan('request', async (sc) => [sc, await inSpan('relay round', { 'orderlab.outbox.batch': 3 }, async () => activeTraceparent())] as const);
    const round = await finished('relay round');
    assert.equal(innerTraceparent, formatTraceparent(round.spanContext()));
    assert.equal(round.spanContext().traceId, outer.traceId);
    assert.equal(round.parentSpanContext?.spanId, outer.spanId);
    assert.equal(round.kind, SpanKind.INTERNAL);
    assert.equal(round.attributes['orderlab.outbox.batch'], 3);
    assert.equal(round.status.code, SpanStatusCode.UNSET);
    assert.ok(round.ended);

    await inSpan('poll', {}, async () => undefined, SpanKind.CONSUMER);
    assert.equal((await finished('poll')).kind, SpanKind.CONSUMER);
  });

  it('marks the span failed with the error, records it, and rethrows it', async () => {
    const error = new Error('redis is gone');
    await assert.rejects(inSpan('relay round', {}, () => Promise.reject(error)), (err) => err === error);
    const round = await finished('relay round');
    assert.deepEqual(round.status, { code: SpanStatusCode.ERROR, message: 'redis is gone' });
    assert.ok(round.events.some((e) => e.name === 'exception' && e.attributes?.['exception.message'] === 'redis is gone'));
    assert.ok(round.ended);
  });
});

describe('startProducerSpan', () => {
  it('is the child of the stored traceparent, links the span active now, and gives its own traceparent to the message', async () => {
    const [round, producer] = await withinSpan('relay round', (sc) => {
      const p = startProducerSpan({ system: 'redis', destination: 'fulfillment:requests', messageId: '1-0', parentTraceparent: STORED });
      p.end();
      return [sc, p] as const;
    });
    const send = await finished('send fulfillment:requests');
    assert.equal(send.kind, SpanKind.PRODUCER);
    assert.equal(send.spanContext().traceId, TRACE_ID);
    assert.equal(send.parentSpanContext?.spanId, SPAN_ID);
    assert.deepEqual(send.links.map((l) => [l.context.traceId, l.context.spanId]), [[round.traceId, round.spanId]]);
    assert.equal(send.attributes['messaging.system'], 'redis');
    assert.equal(send.attributes['messaging.operation.type'], 'send');
    assert.equal(send.attributes['messaging.destination.name'], 'fulfillment:requests');
    assert.equal(send.attributes['messaging.message.id'], '1-0');
    assert.equal(send.status.code, SpanStatusCode.UNSET);
    assert.equal(producer.traceparent, formatTraceparent(send.spanContext()));
    assert.match(producer.traceparent ?? '', TRACEPARENT);
  });

  it('starts a new trace when the message has no stored traceparent (null), still linked to the active span', async () => {
    const round = await withinSpan('relay round', (sc) => {
      startProducerSpan({ system: 'rabbitmq', destination: 'orderlab.events', parentTraceparent: null }).end();
      return sc;
    });
    const send = await finished('send orderlab.events');
    assert.equal(send.parentSpanContext, undefined, 'a root span');
    assert.notEqual(send.spanContext().traceId, round.traceId);
    assert.deepEqual(send.links.map((l) => l.context.spanId), [round.spanId]);
  });

  it('without parentTraceparent is the child of the active span, with no link, and carries extra attributes', async () => {
    const request = await withinSpan('request', (sc) => {
      startProducerSpan({ system: 'rabbitmq', destination: 'orderlab.events', attributes: { 'messaging.rabbitmq.destination.routing_key': 'order.created' } }).end();
      return sc;
    });
    const send = await finished('send orderlab.events');
    assert.equal(send.parentSpanContext?.spanId, request.spanId);
    assert.deepEqual(send.links, []);
    assert.equal(send.attributes['messaging.rabbitmq.destination.routing_key'], 'order.created');
    assert.equal(send.attributes['messaging.system'], 'rabbitmq');
  });

  it('end(error) marks the span failed with the error; end() and end(null) do not', async () => {
    startProducerSpan({ system: 'redis', destination: 'fulfillment:requests', parentTraceparent: STORED }).end(new Error('XADD timed out'));
    const failed = await finished('send fulfillment:requests');
    assert.deepEqual(failed.status, { code: SpanStatusCode.ERROR, message: 'XADD timed out' });
    assert.ok(failed.events.some((e) => e.name === 'exception'));

    exporter.reset();
    startProducerSpan({ system: 'redis', destination: 'a', parentTraceparent: STORED }).end();
    startProducerSpan({ system: 'redis', destination: 'b', parentTraceparent: STORED }).end(null);
    assert.equal((await finished('send a')).status.code, SpanStatusCode.UNSET);
    assert.equal((await finished('send b')).status.code, SpanStatusCode.UNSET);
  });
});

describe('withConsumerSpan', () => {
  it('runs the handler in the CONSUMER span `process <destination>`, the child of the producer span, not of the active one', async () => {
    const producer = startProducerSpan({ system: 'redis', destination: 'fulfillment:requests', parentTraceparent: STORED });
    producer.end();
    const send = await finished('send fulfillment:requests');

    const [result, handlerTraceparent] = await withinSpan('consumer loop', () =>
      withConsumerSpan({ system: 'redis', destination: 'fulfillment:requests', messageId: '1-0', traceparent: producer.traceparent }, async () => ['done', activeTraceparent()] as const),
    );
    assert.equal(result, 'done');
    const consumed = await finished('process fulfillment:requests');
    assert.equal(consumed.kind, SpanKind.CONSUMER);
    assert.equal(consumed.spanContext().traceId, TRACE_ID, 'one order is one trace');
    assert.equal(consumed.parentSpanContext?.spanId, send.spanContext().spanId);
    assert.equal(handlerTraceparent, formatTraceparent(consumed.spanContext()), 'the handler’s active span is the consumer span');
    assert.equal(consumed.attributes['messaging.system'], 'redis');
    assert.equal(consumed.attributes['messaging.operation.type'], 'process');
    assert.equal(consumed.attributes['messaging.destination.name'], 'fulfillment:requests');
    assert.equal(consumed.attributes['messaging.message.id'], '1-0');
    assert.equal(consumed.status.code, SpanStatusCode.UNSET);
    assert.ok(consumed.ended);
  });

  it('starts a new trace for a message without a (valid) traceparent', async () => {
    await withConsumerSpan({ system: 'rabbitmq', destination: 'notifications.order-events', traceparent: undefined }, async () => undefined);
    await withConsumerSpan({ system: 'rabbitmq', destination: 'notifications.item-events', traceparent: 'garbage' }, async () => undefined);
    assert.equal((await finished('process notifications.order-events')).parentSpanContext, undefined);
    assert.equal((await finished('process notifications.item-events')).parentSpanContext, undefined);
  });

  it('fail(reason) marks the span failed, and the handler’s result is still returned', async () => {
    const result = await withConsumerSpan({ system: 'redis', destination: 'fulfillment:requests', traceparent: STORED }, async (span) => {
      span.fail('order not found: dead-lettered');
      return 'dead-lettered';
    });
    assert.equal(result, 'dead-lettered');
    assert.deepEqual((await finished('process fulfillment:requests')).status, { code: SpanStatusCode.ERROR, message: 'order not found: dead-lettered' });
  });

  it('records an error the handler throws on the span, ends it, and rethrows the error', async () => {
    const error = new Error('postgres is gone');
    await assert.rejects(
      withConsumerSpan({ system: 'redis', destination: 'fulfillment:requests', traceparent: STORED }, () => Promise.reject(error)),
      (err) => err === error,
    );
    const consumed = await finished('process fulfillment:requests');
    assert.deepEqual(consumed.status, { code: SpanStatusCode.ERROR, message: 'postgres is gone' });
    assert.ok(consumed.events.some((e) => e.name === 'exception' && e.attributes?.['exception.message'] === 'postgres is gone'));
    assert.ok(consumed.ended);
  });
});
