/**
 * Keyset pagination: page sizes and opaque cursors. A cursor is the platform's cursor
 * (encodeCursorKey) of JSON of the last row's sort key, tagged with what it pages through, so a
 * products cursor is refused by ListOrders.
 */
import { isUuid } from '@orderlab/contracts/formats';
import { PAGE_SIZE } from '@orderlab/contracts/limits';
import { decodeCursorKey, encodeCursorKey } from '@orderlab/platform';
import { invalidArgument, OrdersErrorCode } from './errors.js';

/** Resolves a requested page size: 0 → default, above max → max, negative → INVALID_ARGUMENT. */
export function resolvePageSize(requested: number | undefined): number {
  const value = requested ?? 0;
  if (!Number.isInteger(value) || value < 0) throw invalidArgument('page_size must be 0 (default) or a positive integer');
  if (value === 0) return PAGE_SIZE.default;
  return Math.min(value, PAGE_SIZE.max);
}

/** Sort key of the last order on a page (created_at DESC, id DESC). createdAt keeps microseconds. */
export interface OrderCursor {
  createdAt: string;
  id: string;
}

/** Sort key of the last product on a page (name, id). */
export interface ProductCursor {
  name: string;
  id: string;
}

// An RFC 3339 timestamp with up to microsecond precision, as Postgres prints it for us.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

function encode(kind: 'o' | 'p', key: string, id: string): string {
  return encodeCursorKey(JSON.stringify({ k: kind, s: key, i: id }));
}

function decode(kind: 'o' | 'p', token: string): { s: string; i: string } {
  const invalid = () => invalidArgument('page_token is not a token returned by this service', OrdersErrorCode.invalidCursor);
  const text = decodeCursorKey(token);
  if (text === undefined) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid();
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    (parsed as { k?: unknown }).k !== kind ||
    typeof (parsed as { s?: unknown }).s !== 'string' ||
    typeof (parsed as { i?: unknown }).i !== 'string' ||
    !isUuid((parsed as { i: string }).i)
  ) {
    throw invalid();
  }
  return parsed as { s: string; i: string };
}

/** An opaque page token for the order after which the next page starts. */
export function encodeOrderCursor(cursor: OrderCursor): string {
  return encode('o', cursor.createdAt, cursor.id);
}

/** Reads a ListOrders page token; an empty token means the first page. INVALID_ARGUMENT if forged. */
export function decodeOrderCursor(token: string): OrderCursor | undefined {
  if (token === '') return undefined;
  const { s, i } = decode('o', token);
  if (!TIMESTAMP.test(s) || Number.isNaN(Date.parse(s))) {
    throw invalidArgument('page_token is not a token returned by this service', OrdersErrorCode.invalidCursor);
  }
  return { createdAt: s, id: i };
}

/** An opaque page token for the product after which the next page starts. */
export function encodeProductCursor(cursor: ProductCursor): string {
  return encode('p', cursor.name, cursor.id);
}

/** Reads a ListProducts page token; an empty token means the first page. INVALID_ARGUMENT if forged. */
export function decodeProductCursor(token: string): ProductCursor | undefined {
  if (token === '') return undefined;
  const { s, i } = decode('p', token);
  return { name: s, id: i };
}
