/** Catalog rules without I/O: the product shape and validation of CreateProduct. */
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

/** Bounds of a product, shared with the error messages. */
export const PRODUCT_LIMITS = { maxName: 200, maxDescription: 2000, minPriceCents: 1, maxPriceCents: 10_000_000 } as const;

const SKU = /^[A-Z0-9-]{3,32}$/;
const CURRENCY = /^[A-Z]{3}$/;

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
  if (
    typeof priceCents !== 'number' ||
    !Number.isInteger(priceCents) ||
    priceCents < PRODUCT_LIMITS.minPriceCents ||
    priceCents > PRODUCT_LIMITS.maxPriceCents
  ) {
    throw invalidArgument(
      `price_cents must be an integer from ${PRODUCT_LIMITS.minPriceCents} to ${PRODUCT_LIMITS.maxPriceCents}`,
    );
  }
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) {
    throw invalidArgument('currency must be a three-letter ISO 4217 code in upper case, e.g. USD');
  }
  return { sku, name, description, priceCents, currency };
}
