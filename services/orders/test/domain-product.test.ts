import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../src/domain/errors.js';
import { validateCreateProduct } from '../src/domain/product.js';

const valid = { sku: 'COF-ETH-250', name: 'Ethiopia Yirgacheffe 250 g', description: 'Floral, citrus.', priceCents: 1450, currency: 'USD' };

function rejectsField(patch: Record<string, unknown>, field: string): void {
  assert.throws(
    () => validateCreateProduct({ ...valid, ...patch }),
    (err: unknown) => err instanceof DomainError && err.kind === 'invalid_argument' && err.message.startsWith(field),
  );
}

describe('validateCreateProduct', () => {
  it('accepts a valid product and defaults the description to empty', () => {
    assert.deepEqual(validateCreateProduct(valid), valid);
    const { description: _omitted, ...rest } = valid;
    assert.equal(validateCreateProduct(rest).description, '');
  });

  it('checks the sku format', () => {
    for (const sku of ['ab', 'lower-case', 'A'.repeat(33), 'HAS SPACE', '']) rejectsField({ sku }, 'sku');
  });

  it('requires a name of 1-200 characters that is not blank', () => {
    for (const name of ['', '   ', 'x'.repeat(201), undefined]) rejectsField({ name }, 'name');
  });

  it('limits the description to 2000 characters', () => {
    rejectsField({ description: 'x'.repeat(2001) }, 'description');
  });

  it('requires a price of 1 to 10,000,000 cents', () => {
    for (const priceCents of [0, -5, 10_000_001, 12.5, '100']) rejectsField({ priceCents }, 'price_cents');
  });

  it('requires an upper-case three-letter currency', () => {
    for (const currency of ['usd', 'US', 'USDT', '']) rejectsField({ currency }, 'currency');
  });
});
