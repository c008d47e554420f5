import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTrackingNumber, remainingSteps, transitionOf } from '../src/shipment.js';

describe('shipment life cycle', () => {
  it('resumes from the status a previous attempt reached', () => {
    assert.deepEqual(remainingSteps('received'), ['pick', 'pack', 'ship', 'report']);
    assert.deepEqual(remainingSteps('packed'), ['ship', 'report']);
    assert.deepEqual(remainingSteps('shipped'), ['report']);
    assert.deepEqual(remainingSteps('reported'), []);
  });

  it('moves each step from one status to the next', () => {
    assert.deepEqual(transitionOf('ship'), { from: 'packed', to: 'shipped' });
  });

  it('makes distinct carrier-style tracking numbers', () => {
    const a = newTrackingNumber();
    assert.match(a, /^OL[0-9A-F]{12}$/);
    assert.notEqual(a, newTrackingNumber());
  });
});
