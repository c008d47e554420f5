import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAutoClaimReply, parsePendingReply, parseReadGroupReply } from '../src/stream-replies.js';

describe('stream reply parsing', () => {
  it('reads the entries of an XREADGROUP reply and treats a timeout as no entries', () => {
    assert.deepEqual(parseReadGroupReply([['k', [['1-0', ['order_id', 'a']], ['2-0', null]]]]), [
      { id: '1-0', fields: { order_id: 'a' } },
      { id: '2-0', fields: null },
    ]);
    assert.deepEqual(parseReadGroupReply(null), []);
  });

  it('reads cursor, claimed entries and trimmed ids of an XAUTOCLAIM reply', () => {
    assert.deepEqual(parseAutoClaimReply(['5-0', [['3-0', ['order_id', 'b']]], ['4-0']]), {
      cursor: '5-0',
      entries: [{ id: '3-0', fields: { order_id: 'b' } }],
      deletedIds: ['4-0'],
    });
    assert.deepEqual(parseAutoClaimReply(['0-0', []]), { cursor: '0-0', entries: [], deletedIds: [] });
    assert.throws(() => parseAutoClaimReply(null), /XAUTOCLAIM/);
  });

  it('reads delivery counts of an extended XPENDING reply', () => {
    assert.deepEqual(parsePendingReply([['1-0', 'worker-a', 1500, 3]]), [
      { id: '1-0', consumer: 'worker-a', idleMs: 1500, deliveries: 3 },
    ]);
  });
});
