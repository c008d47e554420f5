import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEAD_LETTER_MAXLEN, deadLetterArgs, streamKeys } from '../src/fulfillment-stream.js';

describe('fulfillment stream keys and dead letters', () => {
  it('puts both streams behind the key prefix', () => {
    assert.deepEqual(streamKeys('lab:'), { requests: 'lab:fulfillment:requests', dead: 'lab:fulfillment:dead' });
  });

  it('bounds the dead-letter stream with an approximate MAXLEN and keeps the original fields', () => {
    const args = deadLetterArgs('lab:fulfillment:dead', { order_id: 'o1', request_id: 'r1' }, 5, 'failed 5 times: INTERNAL');
    assert.deepEqual(args.slice(0, 5), ['lab:fulfillment:dead', 'MAXLEN', '~', DEAD_LETTER_MAXLEN, '*']);
    assert.equal(DEAD_LETTER_MAXLEN, 10_000);
    assert.deepEqual(args.slice(5), ['order_id', 'o1', 'request_id', 'r1', 'deliveries', '5', 'reason', 'failed 5 times: INTERNAL']);
  });
});
