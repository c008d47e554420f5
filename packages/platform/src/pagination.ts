/**
 * Keyset pagination, done the same way by every list of OrderLab: a page is read with one row
 * more than asked (that row says whether another page follows, without a count query), and the
 * next page's cursor is an opaque base64url token of the sort key of the page's last row. What
 * the key is, and how a service checks it, stays with the service.
 */
import { PAGE_TOKEN } from '@orderlab/contracts/limits';

const CURSOR = new RegExp(PAGE_TOKEN.pattern);

/** One page of rows, and the row the next page starts after (undefined on the last page). */
export interface KeysetPage<T> {
  items: T[];
  nextAfter: T | undefined;
}

/** Splits rows read with `LIMIT pageSize + 1` into the page and, when another page follows, its last row. */
export function keysetPage<T>(rows: readonly T[], pageSize: number): KeysetPage<T> {
  const items = rows.slice(0, pageSize);
  return { items, nextAfter: rows.length > pageSize ? items.at(-1) : undefined };
}

/** The opaque cursor of a sort key the service wrote as text. */
export function encodeCursorKey(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/**
 * The key encodeCursorKey was given, or undefined for any token it cannot have made: outside
 * PAGE_TOKEN (too long, other characters) or not the canonical spelling (Node's base64url decoder
 * skips what it does not know, so several tokens would otherwise decode alike).
 */
export function decodeCursorKey(cursor: string): string | undefined {
  if (cursor.length > PAGE_TOKEN.maxLength || !CURSOR.test(cursor)) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  return encodeCursorKey(key) === cursor ? key : undefined;
}
