import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCursor, encodeCursor } from '../src/page-cursor.js';

describe('page cursor', () => {
  it('round-trips a sequence number through an opaque URL-safe string', () => {
    for (const seq of ['1', '42', '9223372036854775807']) {
      const cursor = encodeCursor(seq);
      assert.match(cursor, /^[A-Za-z0-9_-]+$/);
      assert.equal(decodeCursor(cursor), BigInt(seq));
    }
  });

  it('refuses cursors this API did not produce', () => {
    const foreign = ['abc', Buffer.from('v2:5').toString('base64url'), Buffer.from('v1:0').toString('base64url'),
      Buffer.from('v1:-1').toString('base64url'), Buffer.from('v1:9223372036854775808').toString('base64url'),
      Buffer.from('v1:12x').toString('base64url'), `${encodeCursor(7n)}A`];
    for (const cursor of foreign) assert.equal(decodeCursor(cursor), null, cursor);
  });
});
