/**
 * The opaque cursor of GET /api/v1/notifications: base64url of `v1:<seq>`, where seq is the
 * insertion sequence of the last notification of the previous page. No I/O.
 */

const PREFIX = 'v1:';
const SEQ = /^[1-9][0-9]{0,18}$/;

/** The cursor that continues after the notification with this sequence number. */
export function encodeCursor(seq: bigint | string): string {
  return Buffer.from(`${PREFIX}${seq}`, 'utf8').toString('base64url');
}

/** The sequence number a cursor continues after, or null when this API did not produce it. */
export function decodeCursor(cursor: string): bigint | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX)) return null;
  const seq = text.slice(PREFIX.length);
  if (!SEQ.test(seq)) return null;
  const value = BigInt(seq);
  // Only the canonical spelling is ours (Node's base64url decoder skips characters it does not know).
  return value <= 9_223_372_036_854_775_807n && encodeCursor(value) === cursor ? value : null;
}
