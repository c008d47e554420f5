import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryCountOf, MAX_RETRY_DELAY_MS, retryDelayMs, settle } from '../src/settlement.js';

const policy = { baseDelayMs: 500, deliveryLimit: 5 };

describe('settle', () => {
  it('acks a stored message and a duplicate alike', () => {
    assert.deepEqual(settle({ kind: 'stored' }, 0, policy), { action: 'ack' });
    assert.deepEqual(settle({ kind: 'duplicate' }, 3, policy), { action: 'ack' });
  });

  it('dead-letters poison at once, whatever its delivery count', () => {
    assert.deepEqual(settle({ kind: 'poison', reason: 'body is not JSON' }, 0, policy), { action: 'dead-letter' });
  });

  it('requeues a failure with a growing delay until the delivery limit', () => {
    const failed = { kind: 'failed', error: new Error('db down') } as const;
    assert.deepEqual(settle(failed, 0, policy), { action: 'requeue', delayMs: 500, lastAttempt: false });
    assert.deepEqual(settle(failed, 2, policy), { action: 'requeue', delayMs: 2000, lastAttempt: false });
    assert.deepEqual(settle(failed, 4, policy), { action: 'requeue', delayMs: 8000, lastAttempt: false });
    // The broker dead-letters this return: no point in waiting first.
    assert.deepEqual(settle(failed, 5, policy), { action: 'requeue', delayMs: 0, lastAttempt: true });
  });
});

describe('retryDelayMs', () => {
  it('doubles per delivery and stops at the ceiling', () => {
    assert.deepEqual([0, 1, 2, 3].map((n) => retryDelayMs(n, 100)), [100, 200, 400, 800]);
    assert.equal(retryDelayMs(50, 500), MAX_RETRY_DELAY_MS);
    assert.equal(retryDelayMs(3, 0), 0);
  });
});

describe('deliveryCountOf', () => {
  it('reads x-delivery-count, 0 when absent or nonsense', () => {
    assert.equal(deliveryCountOf({ 'x-delivery-count': 3 }), 3);
    assert.equal(deliveryCountOf({}), 0);
    assert.equal(deliveryCountOf(undefined), 0);
    assert.equal(deliveryCountOf({ 'x-delivery-count': 'lots' }), 0);
  });
});
