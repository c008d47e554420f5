/** REST shapes of the catalog. Limits match the orders service's own validation. */
import Type, { type Static } from 'typebox';
import { Currency, Cursor, Limit, NextCursor, Timestamp, Uuid } from './common.js';

/** Largest price a product may have: 100,000.00 in its currency. */
export const MAX_PRICE_CENTS = 10_000_000;

const Sku = Type.String({ pattern: '^[A-Z0-9-]{3,32}$', description: 'Stock keeping unit', examples: ['TEA-EARL-GREY-100'] });
// Refused rather than stored: Postgres text cannot hold U+0000, and other control characters have
// no place in a catalog (a description keeps tabs and line breaks). The classes stay within what
// every regex engine reading the document accepts (no surrogates: Rust's, in Schemathesis, cannot).
const CONTROL = String.raw`\x00-\x1F\x7F-\x9F`;
const CONTROL_BUT_TAB_AND_LINE_BREAKS = String.raw`\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F`;

const Name = Type.String({
  minLength: 1,
  maxLength: 200,
  // Spaces, one visible character, the rest: only one way to match, so no backtracking.
  pattern: String.raw`^[^\S${CONTROL}]*[^\s${CONTROL}][^${CONTROL}]*$`,
  description: 'Not blank; no control characters',
  examples: ['Earl Grey tea, 100 g'],
});
const Description = Type.String({
  maxLength: 2000,
  pattern: `^[^${CONTROL_BUT_TAB_AND_LINE_BREAKS}]*$`,
  description: 'Free text; tabs and line breaks but no other control characters',
});
const PriceCents = Type.Integer({ minimum: 1, maximum: MAX_PRICE_CENTS, description: 'Price in cents of currency' });

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
export const ProductPage = Type.Object(
  { items: Type.Array(Product), nextCursor: NextCursor },
  { title: 'ProductPage', additionalProperties: false },
);
export type ProductPage = Static<typeof ProductPage>;

/** Query of GET /api/v1/products. */
export const ListProductsQuery = Type.Object(
  { limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

/** Path of GET /api/v1/products/{id}. */
export const ProductParams = Type.Object({ id: Uuid }, { additionalProperties: false });
