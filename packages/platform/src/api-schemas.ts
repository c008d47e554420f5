/**
 * TypeBox pieces every REST API of OrderLab uses the same way: ids, timestamps, cursor
 * pagination and the X-Request-Id request header. Each is at once the validator, the
 * TypeScript type and a piece of the OpenAPI document.
 */
import { PAGE_SIZE, PAGE_TOKEN } from '@orderlab/contracts/limits';
import Type, { type TProperties, type TSchema } from 'typebox';

/** An id the services store as a UUID. */
export const UuidSchema = Type.String({ format: 'uuid', description: 'A UUID' });

/** A timestamp as RFC 3339 in UTC. */
export const TimestampSchema = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp (UTC)' });

/** An opaque page cursor: pass a response's nextCursor back to get the next page. */
export const CursorSchema = Type.String({
  pattern: PAGE_TOKEN.pattern,
  maxLength: PAGE_TOKEN.maxLength,
  description: 'nextCursor of the previous page',
});

/** Page size of list endpoints: 1 to 100, default 20. */
export const LimitSchema = Type.Integer({ minimum: 1, maximum: PAGE_SIZE.max, default: PAGE_SIZE.default, description: 'Page size' });

/** A list page's nextCursor: null on the last page. */
export const NextCursorSchema = Type.Unsafe<string | null>({
  type: ['string', 'null'],
  description: 'Cursor of the next page; null on the last page',
});

/** One page of a list endpoint, named title: its items and the cursor of the next page. */
export function pageSchema<Item extends TSchema>(item: Item, title: string) {
  return Type.Object({ items: Type.Array(item), nextCursor: NextCursorSchema }, { title, additionalProperties: false });
}

/** Query of a list endpoint: its own filters, then limit and cursor; unknown parameters are rejected. */
export function pageQuerySchema<Filters extends TProperties>(filters: Filters) {
  return Type.Object(
    { ...filters, limit: Type.Optional(LimitSchema), cursor: Type.Optional(CursorSchema) },
    { additionalProperties: false },
  );
}

/** The X-Request-Id request header, to spread into a route's headers schema (never rejected). */
export const requestIdHeader = {
  'x-request-id': Type.Optional(
    Type.String({ description: 'Correlation id; kept when 1-128 characters of [A-Za-z0-9._:-], otherwise replaced' }),
  ),
};
