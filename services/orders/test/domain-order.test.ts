import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../src/domain/errors.js';
import {
  canTransition,
  decideCompletion,
  isTerminal,
  priceOrder,
  validateCreateOrder,
  type CatalogPrice,
} from '../src/domain/order.js';

const A = '0b6f8a3e-3c55-4b43-9d53-0f1f4d0a1a01';
const B = '0b6f8a3e-3c55-4b43-9d53-0f1f4d0a1a02';

function rejects(fn: () => unknown, kind: string, code: string, field?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DomainError);
    assert.equal(err.kind, kind);
    assert.equal(err.code, code);
    if (field) assert.match(err.message, new RegExp(field.replace(/[[\]]/g, '\\$&')));
    return true;
  });
}

describe('validateCreateOrder', () => {
  it('accepts a well-formed request and normalises product ids to lower case', () => {
    const input = validateCreateOrder({ customerId: 'cust-0001', items: [{ productId: A.toUpperCase(), quantity: 2 }] });
    assert.deepEqual(input, { customerId: 'cust-0001', items: [{ productId: A, quantity: 2 }] });
  });

  it('rejects a malformed customer id, naming customer_id', () => {
    for (const customerId of ['', 'has space', 'x'.repeat(65), 'semi;colon', undefined]) {
      rejects(() => validateCreateOrder({ customerId, items: [{ productId: A, quantity: 1 }] }), 'invalid_argument', 'VALIDATION_FAILED', 'customer_id');
    }
  });

  it('requires between 1 and 50 items', () => {
    rejects(() => validateCreateOrder({ customerId: 'c', items: [] }), 'invalid_argument', 'VALIDATION_FAILED', 'items');
    const many = Array.from({ length: 51 }, (_, i) => ({ productId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, quantity: 1 }));
    rejects(() => validateCreateOrder({ customerId: 'c', items: many }), 'invalid_argument', 'VALIDATION_FAILED', 'items');
    assert.equal(validateCreateOrder({ customerId: 'c', items: many.slice(0, 50) }).items.length, 50);
  });

  it('rejects quantities outside 1..100 or not integers, naming the item', () => {
    for (const quantity of [0, -1, 101, 1.5, Number.NaN]) {
      rejects(() => validateCreateOrder({ customerId: 'c', items: [{ productId: A, quantity }] }), 'invalid_argument', 'VALIDATION_FAILED', 'items[0].quantity');
    }
  });

  it('rejects a product id that is not a UUID', () => {
    rejects(() => validateCreateOrder({ customerId: 'c', items: [{ productId: 'nope', quantity: 1 }] }), 'invalid_argument', 'VALIDATION_FAILED', 'items[0].product_id');
  });

  it('rejects the same product twice, whatever its case', () => {
    rejects(
      () => validateCreateOrder({ customerId: 'c', items: [{ productId: A, quantity: 1 }, { productId: A.toUpperCase(), quantity: 2 }] }),
      'invalid_argument',
      'VALIDATION_FAILED',
      'items[1].product_id',
    );
  });
});

describe('priceOrder', () => {
  const catalog = new Map<string, CatalogPrice>([
    [A, { priceCents: 1250, currency: 'USD' }],
    [B, { priceCents: 399, currency: 'USD' }],
  ]);

  it('takes unit prices from the catalog and sums the total', () => {
    const priced = priceOrder([{ productId: A, quantity: 2 }, { productId: B, quantity: 3 }], catalog);
    assert.deepEqual(priced, {
      items: [
        { productId: A, quantity: 2, unitPriceCents: 1250 },
        { productId: B, quantity: 3, unitPriceCents: 399 },
      ],
      totalCents: 2 * 1250 + 3 * 399,
      currency: 'USD',
    });
  });

  it('refuses unknown products with PRODUCT_NOT_FOUND, listing them', () => {
    const ghost = '0b6f8a3e-3c55-4b43-9d53-0f1f4d0a1aff';
    rejects(() => priceOrder([{ productId: ghost, quantity: 1 }], catalog), 'failed_precondition', 'PRODUCT_NOT_FOUND', ghost);
  });

  it('refuses a cart priced in several currencies', () => {
    const mixed = new Map(catalog).set(B, { priceCents: 399, currency: 'EUR' });
    rejects(() => priceOrder([{ productId: A, quantity: 1 }, { productId: B, quantity: 1 }], mixed), 'failed_precondition', 'CURRENCY_MISMATCH');
  });
});

describe('order status transitions', () => {
  it('allows pending → fulfilling → fulfilled | failed and pending → fulfilled | failed', () => {
    assert.ok(canTransition('pending', 'fulfilling'));
    assert.ok(canTransition('fulfilling', 'fulfilled'));
    assert.ok(canTransition('fulfilling', 'failed'));
    assert.ok(canTransition('pending', 'fulfilled'));
    assert.ok(canTransition('pending', 'failed'));
  });

  it('never leaves a terminal status and never goes backwards', () => {
    assert.ok(isTerminal('fulfilled') && isTerminal('failed'));
    assert.ok(!canTransition('fulfilled', 'failed'));
    assert.ok(!canTransition('failed', 'fulfilled'));
    assert.ok(!canTransition('fulfilling', 'pending'));
    assert.ok(!canTransition('fulfilled', 'pending'));
  });

  it('decides completion: shipped → fulfilled, failed → failed, and nothing once final', () => {
    assert.deepEqual(decideCompletion('fulfilling', 'shipped'), { kind: 'transition', to: 'fulfilled' });
    assert.deepEqual(decideCompletion('pending', 'failed'), { kind: 'transition', to: 'failed' });
    assert.deepEqual(decideCompletion('fulfilled', 'failed'), { kind: 'unchanged' });
    assert.deepEqual(decideCompletion('failed', 'shipped'), { kind: 'unchanged' });
  });
});
