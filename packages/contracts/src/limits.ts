/**
 * Bounds of what the shop accepts, defined once. orders' domain enforces them (it is the source
 * of truth); the gateway's REST schemas and the event schemas repeat them to the client and to
 * consumers from here, so a request the gateway lets through is never refused by orders for a
 * bound, and an event never promises less than orders guarantees. Patterns are strings because
 * JSON Schema (TypeBox, OpenAPI, AsyncAPI) carries them so; code compiles them with `new RegExp`.
 * No dependencies (`@orderlab/contracts/limits`).
 */

/** Lines of one order and units of one product per line. */
export const ORDER_LIMITS = { minItems: 1, maxItems: 50, minQuantity: 1, maxQuantity: 100 } as const;

/** A customer id: 1-64 characters of letters, digits, `_` or `-`. */
export const CUSTOMER_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

/** Text lengths and price range of a catalog product (a price of 10,000,000 cents is 100,000.00). */
export const PRODUCT_LIMITS = { maxName: 200, maxDescription: 2000, minPriceCents: 1, maxPriceCents: 10_000_000 } as const;

/** A stock keeping unit: 3-32 characters of A-Z, 0-9 or `-`. */
export const SKU_PATTERN = '^[A-Z0-9-]{3,32}$';

/** An ISO 4217 currency code in upper case; every amount comes with one. */
export const CURRENCY_PATTERN = '^[A-Z]{3}$';

/** Page sizes of the list calls: 0 or none means the default, above the maximum is clamped (orders.proto). */
export const PAGE_SIZE = { default: 20, max: 100 } as const;

/** An opaque page token (cursor): base64url, bounded so a forged one cannot cost much to refuse. */
export const PAGE_TOKEN = { pattern: '^[A-Za-z0-9_-]+$', maxLength: 1024 } as const;

/** Longest Idempotency-Key the gateway forwards and orders stores. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
