import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@orderlab/platform';
import { errorRateQuery, errorRateRows, errorTailQuery, parseLogFilter, searchQuery, toLogLine } from '../src/logs-query.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

function problem(query: Record<string, unknown>): AppError {
  try {
    parseLogFilter(query);
  } catch (err) {
    assert.ok(err instanceof AppError);
    return err;
  }
  assert.fail(`accepted ${JSON.stringify(query)}`);
}

describe('parseLogFilter', () => {
  it('takes the form as the page sends it: empty fields are no filter, ids are normalised', () => {
    assert.deepEqual(parseLogFilter({ request_id: '', trace_id: '', service: '', level: '', since: '1h' }), { since: '1h', limit: 200 });
    assert.deepEqual(parseLogFilter({ request_id: ' 7f3a-b:c.d_e ', trace_id: TRACE_ID.toUpperCase(), service: 'orders', level: 'ERROR', since: '24h', limit: '50' }), {
      requestId: '7f3a-b:c.d_e',
      traceId: TRACE_ID,
      service: 'orders',
      level: 'error',
      since: '24h',
      limit: 50,
    });
  });

  it('looks back an hour for a request or trace id and 15 minutes when browsing, unless told', () => {
    assert.equal(parseLogFilter({}).since, '15m');
    assert.equal(parseLogFilter({ service: 'orders', since: '' }).since, '15m');
    assert.equal(parseLogFilter({ request_id: 'req-1' }).since, '1h');
    assert.equal(parseLogFilter({ trace_id: TRACE_ID }).since, '1h');
    assert.equal(parseLogFilter({ request_id: 'req-1', since: '7d' }).since, '7d');
  });

  it('refuses every bad parameter at once, naming each', () => {
    const err = problem({ request_id: 'a" OR *', trace_id: '0'.repeat(32), service: 'postgres', level: 'loud', since: '2y', limit: '5000', q: 'x' });
    assert.equal(err.status, 400);
    assert.equal(err.code, 'VALIDATION_FAILED');
    assert.deepEqual(err.errors!.map((e) => e.pointer).sort(), ['#/level', '#/limit', '#/q', '#/request_id', '#/service', '#/since', '#/trace_id']);
    assert.match(err.message, /trace_id must be a W3C trace id/);
    assert.match(err.message, /service must be one of edge, gateway, orders, fulfillment, notifications, traffic/);
  });

  it('refuses a parameter given twice and a limit that is not a whole number', () => {
    assert.deepEqual(problem({ service: ['orders', 'gateway'] }).errors, [{ in: 'query', pointer: '#/service', detail: 'must be given once' }]);
    for (const limit of ['0', '-1', '1.5', '1e3', 'ten']) assert.equal(problem({ limit }).errors![0]!.pointer, '#/limit', limit);
  });
});

describe('LogsQL built by the console', () => {
  it('quotes every value and looks for each part under every name the pipeline may give it', () => {
    const query = searchQuery({ requestId: 'req-1', traceId: TRACE_ID, service: 'orders', level: 'warn', since: '15m', limit: 100 });
    assert.equal(
      query,
      '_time:15m "request_id":="req-1" "trace_id":="4bf92f3577b34da6a3ce929d0e0e4736" ("service.name":="orders" OR "service":="orders") ' +
        '("severity_text":in("warn", "WARN", "Warn") OR "severity":in("warn", "WARN", "Warn") OR "level":in("warn", "WARN", "Warn")) ' +
        '| sort by (_time) desc limit 100',
    );
    assert.equal(searchQuery({ since: '1h', limit: 200 }), '_time:1h | sort by (_time) desc limit 200');
  });

  it('has the error tail and the per-service error rate', () => {
    assert.match(errorTailQuery(), /^_time:5m \("severity_text":in\("error", "ERROR", "Error", "fatal", "FATAL", "Fatal"\) OR .*\| sort by \(_time\) desc limit 50$/);
    assert.match(errorRateQuery(), /^_time:15m \| stats by \("service\.name", "service"\) count\(\) as lines, count\(\) if \(\("severity_text":in\("error", .*\)\) as errors$/);
  });
});

describe('toLogLine', () => {
  it('reads a line shipped by the Collector (service.name, severity_text) and keeps the other fields', () => {
    const line = toLogLine({
      _msg: 'order created',
      _stream: '{service.name="orders"}',
      _stream_id: '00',
      _time: '2026-12-08T02:34:21.123456Z',
      'service.name': 'orders',
      service: 'orders',
      severity_text: 'INFO',
      severity_number: '9',
      request_id: 'req-1',
      trace_id: TRACE_ID.toUpperCase(),
      span_id: '00f067aa0ba902b7',
      route: '/api/v1/orders',
      method: 'POST',
      status: '201',
      duration_ms: '12.5',
      order_id: 'o-1',
    });
    assert.deepEqual(line, {
      time: '2026-12-08T02:34:21.123456Z',
      service: 'orders',
      level: 'info',
      message: 'order created',
      requestId: 'req-1',
      traceId: TRACE_ID,
      spanId: '00f067aa0ba902b7',
      route: '/api/v1/orders',
      method: 'POST',
      status: 201,
      durationMs: 12.5,
      fields: { severity_number: '9', order_id: 'o-1' },
    });
  });

  it('reads a line as the service wrote it (service, level) and a plain-text line with nothing but a message', () => {
    const raw = toLogLine({ _time: '2026-12-08T02:34:21Z', _msg: 'fulfilled', service: 'fulfillment', level: 'error', trace_id: 'not-a-trace' });
    assert.equal(raw.service, 'fulfillment');
    assert.equal(raw.level, 'error');
    assert.equal(raw.traceId, null);
    const plain = toLogLine({ _time: '2026-12-08T02:34:21Z', _msg: 'LOG:  checkpoint starting: time' });
    assert.deepEqual([plain.service, plain.level, plain.requestId, plain.status], [null, null, null, null]);
    // As the Collector ships a line that is not JSON: named after its file, severity unspecified.
    const shipped = toLogLine({ _time: '2026-12-08T02:40:51.779271014Z', _msg: 'plain text line', 'service.name': 'orders', service: 'orders', severity_text: 'Unspecified', severity_number: '0', 'log.file.name': 'orders.log', 'scope.name': 'github.com/open-telemetry/opentelemetry-collector-contrib/receiver/filelogreceiver', 'scope.version': 'unknown' });
    assert.deepEqual([shipped.service, shipped.level, shipped.message], ['orders', null, 'plain text line']);
    assert.deepEqual(shipped.fields, { severity_number: '0', 'log.file.name': 'orders.log' });
  });
});

describe('errorRateRows', () => {
  it('merges the rows of both service fields, most errors first', () => {
    assert.deepEqual(
      errorRateRows([
        { 'service.name': 'orders', service: 'orders', lines: '40', errors: '2' },
        { service: 'orders', lines: '3', errors: '1' },
        { 'service.name': 'gateway', lines: '90', errors: '7' },
        { 'service.name': 'edge', lines: '100', errors: '0' },
        { lines: '5', errors: '0' },
      ]),
      [
        { service: 'gateway', lines: 90, errors: 7 },
        { service: 'orders', lines: 43, errors: 3 },
        { service: 'edge', lines: 100, errors: 0 },
        { service: '(unknown)', lines: 5, errors: 0 },
      ],
    );
  });
});
