/** Catalog rules without I/O: the product shape and validation of CreateProduct. */
import { CURRENCY_PATTERN, PRODUCT_LIMITS, SKU_PATTERN } from '@orderlab/contracts/limits';
import { assertIntegerIn } from './checks.js';
import { invalidArgument } from './errors.js';

/** A catalog entry as the service stores, caches and returns it. */
export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  createdAt: string;
}

/** A validated CreateProduct request. */
export interface CreateProductInput {
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
}

const SKU = new RegExp(SKU_PATTERN);
const CURRENCY = new RegExp(CURRENCY_PATTERN);

/** Validates a CreateProduct request; throws INVALID_ARGUMENT naming the first bad field. */
export function validateCreateProduct(request: {
  sku?: unknown;
  name?: unknown;
  description?: unknown;
  priceCents?: unknown;
  currency?: unknown;
}): CreateProductInput {
  const { sku, name, description = '', priceCents, currency } = request;
  if (typeof sku !== 'string' || !SKU.test(sku)) {
    throw invalidArgument("sku must be 3-32 characters of A-Z, 0-9 or '-'");
  }
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > PRODUCT_LIMITS.maxName) {
    throw invalidArgument(`name must be 1-${PRODUCT_LIMITS.maxName} characters and not blank`);
  }
  if (typeof description !== 'string' || description.length > PRODUCT_LIMITS.maxDescription) {
    throw invalidArgument(`description must be at most ${PRODUCT_LIMITS.maxDescription} characters`);
  }
  assertIntegerIn(priceCents, 'price_cents', PRODUCT_LIMITS.minPriceCents, PRODUCT_LIMITS.maxPriceCents);
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) {
    throw invalidArgument('currency must be a three-letter ISO 4217 code in upper case, e.g. USD');
  }
  return { sku, name, description, priceCents, currency };
}
