import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAfterFailure, decideBeforeProcessing, readBackoffMs, reclaimIntervalMs } from '../src/delivery-policy.js';

describe('delivery policy', () => {
  it('processes an entry up to the delivery limit and dead-letters it past the limit', () => {
    assert.equal(decideBeforeProcessing(1, 5), 'process');
    assert.equal(decideBeforeProcessing(5, 5), 'process');
    assert.equal(decideBeforeProcessing(6, 5), 'dead-letter');
  });

  it('leaves a failed entry pending until its last allowed delivery fails', () => {
    assert.equal(decideAfterFailure({ deliveries: 1, maxDeliveries: 5, permanent: false }), 'retry');
    assert.equal(decideAfterFailure({ deliveries: 4, maxDeliveries: 5, permanent: false }), 'retry');
    assert.equal(decideAfterFailure({ deliveries: 5, maxDeliveries: 5, permanent: false }), 'dead-letter');
    assert.equal(decideAfterFailure({ deliveries: 1, maxDeliveries: 1, permanent: false }), 'dead-letter');
  });

  it('dead-letters at once when retrying cannot help', () => {
    assert.equal(decideAfterFailure({ deliveries: 1, maxDeliveries: 5, permanent: true }), 'dead-letter');
  });

  it('reclaims at half the idle threshold, at most every 5 s', () => {
    assert.equal(reclaimIntervalMs(30_000), 5_000);
    assert.equal(reclaimIntervalMs(2_000), 1_000);
    assert.equal(reclaimIntervalMs(1), 1);
  });

  it('backs off reads exponentially up to 5 s', () => {
    assert.deepEqual([1, 2, 3, 7, 50].map(readBackoffMs), [100, 200, 400, 5_000, 5_000]);
  });
});
