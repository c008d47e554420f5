import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeDelivery, MAX_EVENT_BYTES, requestIdOf, type Delivery } from '../src/event-decoder.js';
import { itemCreated, orderCreated, orderFailed, orderFulfilled } from './support/events.js';

function delivery(body: unknown, overrides: Partial<Delivery> = {}): Delivery {
  const event = body as { id?: string; type?: string };
  return {
    content: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    routingKey: event.type ?? 'order.created',
    messageId: event.id,
    correlationId: 'req-1',
    headers: { correlation_id: 'req-1' },
    ...overrides,
  };
}

function reason(d: Delivery): string {
  const result = decodeDelivery(d);
  assert.equal(result.ok, false);
  return result.ok ? '' : result.reason;
}

describe('decodeDelivery', () => {
  it('accepts a valid event of every type with its request id', () => {
    const created = orderCreated();
    for (const event of [created, orderFulfilled(created), orderFailed(created), itemCreated()]) {
      const result = decodeDelivery(delivery(event));
      assert.ok(result.ok, event.type);
      assert.deepEqual(result.value, { event, requestId: 'req-1' });
    }
  });

  it('refuses a body that is not JSON, or not an object', () => {
    assert.equal(reason(delivery('not json {')), 'body is not JSON');
    assert.equal(reason(delivery('[1,2]')), 'body is not a JSON object');
  });

  it('refuses an unknown or missing type', () => {
    const event = { ...orderCreated(), type: 'order.shipped' };
    assert.equal(reason(delivery(event)), 'unknown event type "order.shipped"');
    const { type: _type, ...untyped } = orderCreated();
    assert.equal(reason(delivery(untyped, { routingKey: 'order.created' })), 'unknown event type undefined');
  });

  it('refuses an event whose routing key is not its type', () => {
    assert.equal(reason(delivery(orderCreated(), { routingKey: 'item.created' })), 'routing key "item.created" does not match type "order.created"');
  });

  it('refuses an event that breaks its schema, naming the field', () => {
    const bad = orderCreated();
    bad.data.items[0]!.quantity = 0;
    assert.match(reason(delivery(bad)), /^invalid order\.created: \/data\/items\/0\/quantity /);
    const extra = { ...itemCreated(), extra: true };
    assert.match(reason(delivery(extra)), /^invalid item\.created: /);
    const badId = { ...orderCreated(), id: 'not-a-uuid' };
    assert.match(reason(delivery(badId)), /^invalid order\.created: \/id /);
  });

  it('refuses an event whose messageId is missing or not its id', () => {
    const event = orderCreated();
    assert.match(reason(delivery(event, { messageId: undefined })), /^messageId null does not match the envelope id/);
    assert.match(reason(delivery(event, { messageId: 'other' })), /^messageId "other" does not match/);
  });

  it('refuses oversized bodies before parsing them', () => {
    assert.match(reason(delivery('x'.repeat(MAX_EVENT_BYTES + 1))), /exceeds/);
  });
});

describe('requestIdOf', () => {
  it('prefers the correlation_id header, then the AMQP correlationId, and only sane ids', () => {
    assert.equal(requestIdOf({ headers: { correlation_id: 'from-header' }, correlationId: 'from-property' }), 'from-header');
    assert.equal(requestIdOf({ headers: { correlation_id: Buffer.from('as-bytes') } }), 'as-bytes');
    assert.equal(requestIdOf({ headers: {}, correlationId: 'from-property' }), 'from-property');
    assert.equal(requestIdOf({ headers: { correlation_id: 'has spaces\n' }, correlationId: 'fallback' }), 'fallback');
    assert.equal(requestIdOf({ headers: undefined, correlationId: undefined }), null);
  });
});
