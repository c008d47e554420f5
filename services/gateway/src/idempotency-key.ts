/** The Idempotency-Key request header (IETF draft-ietf-httpapi-idempotency-key-header). */
import { AppError } from '@orderlab/platform';

/** Request header name, lower-case as Node exposes it. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Response header set when the body is the stored response of an earlier request. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

const MAX_KEY_LENGTH = 255;
// Inner spaces are fine; leading or trailing ones would not survive as gRPC metadata.
const KEY = /^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/;
// RFC 8941 sf-string: printable ASCII between quotes, with `"` and `\` escaped by a backslash.
const SF_STRING = /^"((?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\["\\])*)"$/;

/**
 * The key of a write request: 1–255 printable ASCII characters, sent bare (a UUID, say) or as
 * the draft's quoted string. Missing → 400 IDEMPOTENCY_KEY_REQUIRED; malformed → 400
 * IDEMPOTENCY_KEY_INVALID, before anything reaches orders.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string {
  const raw = Array.isArray(header) ? header.join(', ') : header;
  if (raw === undefined || raw.trim() === '') {
    throw new AppError({
      status: 400,
      code: 'IDEMPOTENCY_KEY_REQUIRED',
      detail: 'This request needs an Idempotency-Key header (a UUID is a good choice).',
    });
  }
  const quoted = SF_STRING.exec(raw);
  const key = quoted ? quoted[1]!.replace(/\\(["\\])/g, '$1') : raw;
  const wellFormed = (quoted !== null || !raw.startsWith('"')) && key.length >= 1 && key.length <= MAX_KEY_LENGTH && KEY.test(key);
  if (!wellFormed) {
    throw new AppError({
      status: 400,
      code: 'IDEMPOTENCY_KEY_INVALID',
      detail: `Idempotency-Key must be 1-${MAX_KEY_LENGTH} printable ASCII characters, bare or as a quoted string.`,
    });
  }
  return key;
}
