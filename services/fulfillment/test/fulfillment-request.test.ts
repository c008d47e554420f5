import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFulfillmentRequest } from '@orderlab/contracts/fulfillment-requests';
import { fieldsToRecord, parseFulfillmentRequest } from '../src/fulfillment-request.js';

const ORDER_ID = '7d9f7a52-3f4e-4c55-9a0e-2b1d6b0f1c11';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('parseFulfillmentRequest', () => {
  it('reads order id, request id and trace context from the stream fields', () => {
    const fields = { order_id: ORDER_ID.toUpperCase(), request_id: 'req-1', traceparent: TRACEPARENT, enqueued_at: '2026-11-23T18:00:00.000Z' };
    const parsed = parseFulfillmentRequest('1-0', fields);
    assert.deepEqual(parsed, {
      ok: true,
      request: { messageId: '1-0', orderId: ORDER_ID, requestId: 'req-1', traceparent: TRACEPARENT, fields },
    });
  });

  it('replaces a missing or unsafe request id with a new one', () => {
    for (const requestId of [undefined, '', 'has spaces', 'x'.repeat(129)]) {
      const parsed = parseFulfillmentRequest('1-0', { order_id: ORDER_ID, ...(requestId === undefined ? {} : { request_id: requestId }) });
      assert.ok(parsed.ok);
      assert.match(parsed.request.requestId, /^[0-9a-f]{32}$/);
    }
  });

  it('drops a malformed traceparent instead of forwarding it', () => {
    const parsed = parseFulfillmentRequest('1-0', { order_id: ORDER_ID, traceparent: 'garbage' });
    assert.ok(parsed.ok);
    assert.equal(parsed.request.traceparent, undefined);
  });

  it('rejects entries without a UUID order id, keeping the request id for the logs', () => {
    assert.deepEqual(parseFulfillmentRequest('1-0', { request_id: 'r1' }), { ok: false, reason: 'order_id is missing', requestId: 'r1' });
    assert.deepEqual(parseFulfillmentRequest('1-0', { order_id: 'order-42', request_id: 'r1' }), {
      ok: false,
      reason: 'order_id is not a UUID',
      requestId: 'r1',
    });
  });
});

describe('the stream contract between orders and fulfillment', () => {
  it("reads back what orders' relay writes (encodeFulfillmentRequest)", () => {
    const written = encodeFulfillmentRequest({
      orderId: ORDER_ID, requestId: 'req-7', traceparent: TRACEPARENT, enqueuedAt: '2026-11-23T18:00:00.000Z', outboxId: 'o-1',
    });
    const parsed = parseFulfillmentRequest('1-0', fieldsToRecord(written));
    assert.ok(parsed.ok);
    assert.equal(parsed.request.orderId, ORDER_ID);
    assert.equal(parsed.request.requestId, 'req-7');
    assert.equal(parsed.request.traceparent, TRACEPARENT);
  });

  it('treats the empty strings written for a missing request id and traceparent as absent', () => {
    const written = encodeFulfillmentRequest({ orderId: ORDER_ID, requestId: null, traceparent: null, enqueuedAt: '2026-11-23T18:00:00.000Z', outboxId: 'o-1' });
    assert.deepEqual(written.filter((_, i) => i % 2 === 0), ['order_id', 'request_id', 'traceparent', 'enqueued_at', 'outbox_id']);
    const parsed = parseFulfillmentRequest('1-0', fieldsToRecord(written));
    assert.ok(parsed.ok);
    assert.match(parsed.request.requestId, /^[0-9a-f]{32}$/);
    assert.equal(parsed.request.traceparent, undefined);
  });
});

describe('fieldsToRecord', () => {
  it('pairs up a flat field list and ignores a dangling name', () => {
    assert.deepEqual(fieldsToRecord(['a', '1', 'b', '2', 'c']), { a: '1', b: '2' });
  });
});
