import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeTraceId, traceIdFromTraceresponse } from '../src/traceresponse.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('traceresponse header', () => {
  it('gives the trace id of a well-formed version-00 value, sampled or not', () => {
    assert.equal(traceIdFromTraceresponse(`00-${TRACE_ID}-00f067aa0ba902b7-01`), TRACE_ID);
    assert.equal(traceIdFromTraceresponse(`00-${TRACE_ID}-00f067aa0ba902b7-00`), TRACE_ID);
  });

  it('ignores every malformed value instead of guessing', () => {
    const malformed: (string | string[] | undefined)[] = [
      undefined,
      '',
      `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`, // upper case is not the W3C format
      `01-${TRACE_ID}-00f067aa0ba902b7-01`, // an unknown version
      `ff-${TRACE_ID}-00f067aa0ba902b7-01`,
      `00-${TRACE_ID}-00f067aa0ba902b7-01-extra`,
      ` 00-${TRACE_ID}-00f067aa0ba902b7-01`,
      `00-${TRACE_ID}-00f067aa0ba902b7-1`,
      `00-${TRACE_ID.slice(1)}-00f067aa0ba902b7-01`,
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, // all-zero ids are invalid
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `00-${TRACE_ID.slice(0, 31)}g-00f067aa0ba902b7-01`,
      [`00-${TRACE_ID}-00f067aa0ba902b7-01`, `00-${TRACE_ID}-00f067aa0ba902b7-01`], // the header twice
    ];
    for (const value of malformed) assert.equal(traceIdFromTraceresponse(value), undefined, JSON.stringify(value));
  });

  it('takes a trace id from a URL in either case, and refuses anything else', () => {
    assert.equal(normalizeTraceId(TRACE_ID.toUpperCase()), TRACE_ID);
    assert.equal(normalizeTraceId(TRACE_ID), TRACE_ID);
    for (const bad of ['', 'xyz', TRACE_ID.slice(2), `${TRACE_ID}00`, '0'.repeat(32), `${TRACE_ID.slice(0, 31)}-`]) {
      assert.equal(normalizeTraceId(bad), undefined, bad);
    }
  });
});
