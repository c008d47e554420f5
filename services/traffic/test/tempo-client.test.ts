import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { JaegerTrace } from '../src/jaeger-client.js';
import { tempoTraceToModel, type TempoTraceResponse } from '../src/tempo-client.js';
import { toWaterfall, type Waterfall } from '../src/trace-waterfall.js';

/**
 * The trace of jaeger-trace.json as Tempo 3.0.3 answers GET /api/v2/traces/4bf92f…4736, written
 * by hand from Tempo's source (gogo jsonpb of tempopb.TraceByIDResponse): base64 ids, times as
 * strings of ns, enum names, `status: {}` when unset. A Tempo 3.0.3 built from its tag, sent this
 * trace over OTLP/HTTP, answered the same shape (and the same waterfall, bar the start time).
 */
const TEMPO_FIXTURE = new URL('../../test/fixtures/tempo-trace.json', import.meta.url);
const JAEGER_FIXTURE = new URL('../../test/fixtures/jaeger-trace.json', import.meta.url);
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const tempoFixture = async () => JSON.parse(await readFile(TEMPO_FIXTURE, 'utf8')) as TempoTraceResponse;
const jaegerFixture = async () => (JSON.parse(await readFile(JAEGER_FIXTURE, 'utf8')) as { data: JaegerTrace[] }).data[0]!;

/** The waterfall without what only Jaeger adds (its clock-skew warnings). */
function withoutWarnings(model: Waterfall): Waterfall {
  return { ...model, warnings: [], spans: model.spans.map((s) => ({ ...s, warnings: [] })) };
}

/** One span in OTLP JSON, the rest of the answer around it. */
function oneSpan(span: Record<string, unknown>, resource: Record<string, unknown>[] = [{ key: 'service.name', value: { stringValue: 'gateway' } }]): TempoTraceResponse {
  return { trace: { resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ spans: [span] }] }] } } as TempoTraceResponse;
}

describe('Tempo trace → trace model', () => {
  it('draws the same waterfall from Tempo\'s answer as from Jaeger\'s for the same trace', async () => {
    const fromTempo = toWaterfall(tempoTraceToModel(await tempoFixture(), TRACE_ID)!);
    const fromJaeger = toWaterfall(await jaegerFixture());
    assert.deepEqual(withoutWarnings(fromTempo), withoutWarnings(fromJaeger));
    // What a learner sees, spelled out: the tree, the error, the orphan, the link, the event.
    assert.deepEqual(
      fromTempo.spans.map((s) => [s.depth, s.service, s.kind, s.startMs, s.durationMs]),
      [
        [0, 'gateway', 'server', 0, 42.5],
        [1, 'gateway', 'client', 2, 38],
        [2, 'orders', 'server', 3, 36],
        [3, 'orders', 'client', 5, 7],
        [3, 'orders', 'producer', 20, 2],
        [0, 'orders', 'internal', 25, 1],
      ],
    );
    const [root, , , insert, publish] = fromTempo.spans;
    assert.equal(root!.missingParent, true);
    assert.equal(root!.parentSpanId, 'a1a1a1a1a1a1a1a1');
    assert.equal(insert!.error, true);
    assert.equal(insert!.attributes['otel.status_description'], 'duplicate key');
    assert.deepEqual(insert!.events, [{ offsetMs: 11, name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': 'duplicate key' } }]);
    assert.deepEqual(publish!.links, [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }]);
    assert.equal(root!.attributes['http.response.status_code'], 201);
    assert.deepEqual(fromTempo.services.map((s) => [s.name, { ...s.attributes }]), [
      ['gateway', { 'deployment.environment.name': 'lab', 'service.version': '0.1.0' }],
      ['orders', { 'deployment.environment.name': 'lab', 'service.version': '0.1.0' }],
    ]);
    assert.equal(fromTempo.startTime, '2026-12-07T22:41:04.775Z');
  });

  it('reads the OTLP/JSON spec\'s forms too: hex ids in either case, numeric kind and status, integers as numbers', () => {
    const model = tempoTraceToModel(
      oneSpan({
        traceId: TRACE_ID.toUpperCase(),
        spanId: 'EEE19B7EC3C1B174',
        parentSpanId: 'eee19b7ec3c1b173',
        name: 'GET /api/v1/products',
        kind: 3,
        startTimeUnixNano: '1796683264775293000',
        endTimeUnixNano: '1796683264776293999',
        status: { code: 2 },
        attributes: [{ key: 'http.response.status_code', value: { intValue: 503 } }],
      }),
      TRACE_ID,
    )!;
    const [span] = toWaterfall(model).spans;
    assert.equal(span!.spanId, 'eee19b7ec3c1b174');
    assert.equal(span!.parentSpanId, 'eee19b7ec3c1b173');
    assert.equal(span!.kind, 'client');
    assert.equal(span!.error, true);
    assert.equal(span!.durationMs, 1);
    assert.equal(span!.attributes['http.response.status_code'], 503);
  });

  it('keeps every attribute type readable: big integers as text, doubles, arrays and maps as JSON', () => {
    const model = tempoTraceToModel(
      oneSpan({
        traceId: Buffer.from(TRACE_ID, 'hex').toString('base64'),
        spanId: Buffer.from('00f067aa0ba902b7', 'hex').toString('base64'),
        name: 'work',
        startTimeUnixNano: '1796683264775293000',
        endTimeUnixNano: '1796683264775294000',
        status: { code: 'STATUS_CODE_OK' },
        attributes: [
          { key: 'big', value: { intValue: '9223372036854775807' } },
          { key: 'ratio', value: { doubleValue: 0.25 } },
          { key: 'nan', value: { doubleValue: 'NaN' } },
          { key: 'flag', value: { boolValue: false } },
          { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } } },
          { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } } },
          { key: 'raw', value: { bytesValue: 'AQI=' } },
          { key: 'empty', value: {} },
        ],
      }),
      TRACE_ID,
    )!;
    const [span] = toWaterfall(model).spans;
    assert.deepEqual({ ...span!.attributes }, {
      big: '9223372036854775807',
      ratio: 0.25,
      nan: 'NaN',
      flag: false,
      list: '["a",2]',
      map: '{"k":true}',
      raw: 'AQI=',
      empty: '',
      'otel.status_code': 'OK',
    });
    // No kind (SPAN_KIND_UNSPECIFIED is left out by Tempo): none shown; status OK is not an error.
    assert.equal(span!.kind, null);
    assert.equal(span!.error, false);
    assert.equal(span!.missingParent, false);
  });

  it('names a service without service.name as unknown_service, like the SDKs do', () => {
    const model = tempoTraceToModel(oneSpan({ spanId: 'AAAAAAAAAAE=', name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' }, []), TRACE_ID)!;
    assert.equal(toWaterfall(model).services[0]!.name, 'unknown_service');
  });

  it('says when Tempo cut the trace at its size limit', () => {
    const partial = { ...oneSpan({ spanId: 'AAAAAAAAAAE=', name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' }), status: 'PARTIAL', message: 'Trace exceeds maximum size of 5000000 bytes, a partial trace is returned' };
    assert.deepEqual(toWaterfall(tempoTraceToModel(partial as TempoTraceResponse, TRACE_ID)!).warnings, ['Trace exceeds maximum size of 5000000 bytes, a partial trace is returned']);
  });

  it('has no trace when Tempo answers one without spans', () => {
    for (const empty of [{ trace: {}, metrics: {} }, { trace: { resourceSpans: [] } }, { trace: { resourceSpans: [{ scopeSpans: [{ spans: [] }] }] } }]) {
      assert.equal(tempoTraceToModel(empty as TempoTraceResponse, TRACE_ID), undefined, JSON.stringify(empty));
    }
  });

  it('refuses an id that is neither hex nor base64 of the right length', () => {
    for (const spanId of ['AAAAAAAAAA==', 'not an id!', 'AAAAAAAAAAAAAAAAAAAAAA==']) {
      assert.throws(() => tempoTraceToModel(oneSpan({ spanId, name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' }), TRACE_ID), /spanId .* is neither 16 hex digits nor 8 bytes of base64/);
    }
  });
});
