/**
 * The opaque cursor of GET /api/v1/notifications: the platform's cursor of `v1:<seq>`, where seq
 * is the insertion sequence of the last notification of the previous page. No I/O.
 */
import { decodeCursorKey, encodeCursorKey } from '@orderlab/platform';

const PREFIX = 'v1:';
const SEQ = /^[1-9][0-9]{0,18}$/;
const MAX_SEQ = 9_223_372_036_854_775_807n;

/** The cursor that continues after the notification with this sequence number. */
export function encodeCursor(seq: bigint | string): string {
  return encodeCursorKey(`${PREFIX}${seq}`);
}

/** The sequence number a cursor continues after, or null when this API did not produce it. */
export function decodeCursor(cursor: string): bigint | null {
  const key = decodeCursorKey(cursor);
  if (key === undefined || !key.startsWith(PREFIX)) return null;
  const seq = key.slice(PREFIX.length);
  if (!SEQ.test(seq)) return null;
  const value = BigInt(seq);
  return value <= MAX_SEQ ? value : null;
}
