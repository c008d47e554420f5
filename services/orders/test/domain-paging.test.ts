import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs } from '../src/domain/backoff.js';
import { DomainError } from '../src/domain/errors.js';
import { canonicalJson, requestFingerprint } from '../src/domain/fingerprint.js';
import {
  decodeOrderCursor,
  decodeProductCursor,
  encodeOrderCursor,
  encodeProductCursor,
  resolvePageSize,
} from '../src/domain/paging.js';

const ID = '0b6f8a3e-3c55-4b43-9d53-0f1f4d0a1a01';

function isInvalidCursor(err: unknown): boolean {
  return err instanceof DomainError && err.kind === 'invalid_argument' && err.code === 'INVALID_CURSOR';
}

describe('cursors', () => {
  it('round-trip the last row of a page, keeping microseconds', () => {
    const order = { createdAt: '2026-11-23T18:01:06.123456Z', id: ID };
    assert.deepEqual(decodeOrderCursor(encodeOrderCursor(order)), order);
    const product = { name: 'Ceramic pour-over "V60"', id: ID };
    assert.deepEqual(decodeProductCursor(encodeProductCursor(product)), product);
  });

  it('are opaque base64url strings', () => {
    assert.match(encodeOrderCursor({ createdAt: '2026-11-23T18:01:06.123Z', id: ID }), /^[A-Za-z0-9_-]+$/);
  });

  it('treat an empty token as the first page', () => {
    assert.equal(decodeOrderCursor(''), undefined);
    assert.equal(decodeProductCursor(''), undefined);
  });

  it('refuse garbage, tampering and a cursor of the other list', () => {
    const forged = Buffer.from(JSON.stringify({ k: 'o', s: "1' OR 1=1", i: ID })).toString('base64url');
    for (const token of ['%%%', 'bm90LWpzb24', forged, 'x'.repeat(2000), encodeProductCursor({ name: 'a', id: ID })]) {
      assert.throws(() => decodeOrderCursor(token), isInvalidCursor, token);
    }
    const badId = Buffer.from(JSON.stringify({ k: 'p', s: 'a', i: 'not-a-uuid' })).toString('base64url');
    assert.throws(() => decodeProductCursor(badId), isInvalidCursor);
  });
});

describe('resolvePageSize', () => {
  it('defaults 0 to 20, clamps to 100 and refuses negatives', () => {
    assert.equal(resolvePageSize(0), 20);
    assert.equal(resolvePageSize(undefined), 20);
    assert.equal(resolvePageSize(7), 7);
    assert.equal(resolvePageSize(1000), 100);
    assert.throws(() => resolvePageSize(-1), DomainError);
  });
});

describe('requestFingerprint', () => {
  it('ignores key order but not values, and differs per operation', () => {
    const a = requestFingerprint('CreateOrder', { customerId: 'c', items: [{ productId: ID, quantity: 1 }] });
    const b = requestFingerprint('CreateOrder', { items: [{ quantity: 1, productId: ID }], customerId: 'c' });
    assert.equal(a, b);
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, requestFingerprint('CreateOrder', { customerId: 'c', items: [{ productId: ID, quantity: 2 }] }));
    assert.notEqual(a, requestFingerprint('CreateProduct', { customerId: 'c', items: [{ productId: ID, quantity: 1 }] }));
  });

  it('serialises nested objects canonically', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } }), '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});

describe('backoffMs', () => {
  it('grows exponentially, stays within [ceiling/2, ceiling] and is capped', () => {
    assert.equal(backoffMs(1, 30_000, () => 0), 125);
    assert.equal(backoffMs(1, 30_000, () => 1), 250);
    assert.equal(backoffMs(3, 30_000, () => 1), 1000);
    assert.equal(backoffMs(40, 30_000, () => 1), 30_000);
    assert.equal(backoffMs(40, 30_000, () => 0), 15_000);
  });
});
