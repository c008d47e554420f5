/** REST shapes of the catalog. Limits are the orders service's own (PRODUCT_LIMITS of @orderlab/contracts). */
import { PRODUCT_LIMITS, SKU_PATTERN } from '@orderlab/contracts/limits';
import Type, { type Static } from 'typebox';
import { Currency, pageQuerySchema, pageSchema, Timestamp, Uuid } from './common.js';

const Sku = Type.String({ pattern: SKU_PATTERN, description: 'Stock keeping unit', examples: ['TEA-EARL-GREY-100'] });
// Refused rather than stored: Postgres text cannot hold U+0000, and other control characters have
// no place in a catalog (a description keeps tabs and line breaks). The classes stay within what
// every regex engine reading the document accepts (no surrogates: Rust's, in Schemathesis, cannot).
const CONTROL = String.raw`\x00-\x1F\x7F-\x9F`;
const CONTROL_BUT_TAB_AND_LINE_BREAKS = String.raw`\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F`;

const Name = Type.String({
  minLength: 1,
  maxLength: PRODUCT_LIMITS.maxName,
  // Spaces, one visible character, the rest: only one way to match, so no backtracking.
  pattern: String.raw`^[^\S${CONTROL}]*[^\s${CONTROL}][^${CONTROL}]*$`,
  description: 'Not blank; no control characters',
  examples: ['Earl Grey tea, 100 g'],
});
const Description = Type.String({
  maxLength: PRODUCT_LIMITS.maxDescription,
  pattern: `^[^${CONTROL_BUT_TAB_AND_LINE_BREAKS}]*$`,
  description: 'Free text; tabs and line breaks but no other control characters',
});
const PriceCents = Type.Integer({ minimum: PRODUCT_LIMITS.minPriceCents, maximum: PRODUCT_LIMITS.maxPriceCents, description: 'Price in cents of currency' });

/** A product as the API returns it. */
export const Product = Type.Object(
  {
    id: Uuid,
    sku: Sku,
    name: Name,
    description: Description,
    priceCents: PriceCents,
    currency: Currency,
    createdAt: Timestamp,
  },
  { title: 'Product', additionalProperties: false },
);
export type Product = Static<typeof Product>;

/** Body of POST /api/v1/products; unknown fields are rejected. */
export const CreateProductBody = Type.Object(
  {
    sku: Sku,
    name: Name,
    description: Type.Optional(Description),
    priceCents: PriceCents,
    currency: Currency,
  },
  { title: 'CreateProduct', additionalProperties: false },
);
export type CreateProductBody = Static<typeof CreateProductBody>;

/** One page of the catalog, ordered by name. */
export const ProductPage = pageSchema(Product, 'ProductPage');
export type ProductPage = Static<typeof ProductPage>;

/** Query of GET /api/v1/products. */
export const ListProductsQuery = pageQuerySchema({});

/** Path of GET /api/v1/products/{id}. */
export const ProductParams = Type.Object({ id: Uuid }, { additionalProperties: false });
