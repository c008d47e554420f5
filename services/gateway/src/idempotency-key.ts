/** The Idempotency-Key request header (IETF draft-ietf-httpapi-idempotency-key-header). */
import { HTTP_HEADERS, IDEMPOTENCY_KEY_MAX_LENGTH, OrdersErrorCode } from '@orderlab/contracts';
import { AppError } from '@orderlab/platform';

/** Request header name, lower-case as Node exposes it. */
export const IDEMPOTENCY_KEY_HEADER = HTTP_HEADERS.idempotencyKey;

/** Response header set when the body is the stored response of an earlier request. */
export const IDEMPOTENT_REPLAYED_HEADER = HTTP_HEADERS.idempotentReplayed;

// One character of an RFC 8941 sf-string: printable ASCII but `"` and `\`, or either escaped by `\`.
const SF_CHAR = String.raw`[\x20\x21\x23-\x5B\x5D-\x7E]|\\["\\]`;
// The same without the space: a key neither starts nor ends with one (it would not survive as gRPC metadata).
const SF_CHAR_NO_SPACE = String.raw`[\x21\x23-\x5B\x5D-\x7E]|\\["\\]`;
const INNER = IDEMPOTENCY_KEY_MAX_LENGTH - 2;

/**
 * Every well-formed header value: 1-255 printable ASCII characters without leading or trailing
 * spaces, sent bare (not starting with `"`) or as the draft's quoted sf-string. The OpenAPI
 * document and the route schema carry it, so what the document allows is what the API takes.
 */
export const IDEMPOTENCY_KEY_PATTERN =
  String.raw`^(?:[\x21\x23-\x7E](?:[\x20-\x7E]{0,${INNER}}[\x21-\x7E])?` +
  `|"(?:${SF_CHAR_NO_SPACE})(?:(?:${SF_CHAR}){0,${INNER}}(?:${SF_CHAR_NO_SPACE}))?")$`;

const WELL_FORMED = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/**
 * The key of a write request, without the quotes and escapes of the quoted form. Missing → 400
 * IDEMPOTENCY_KEY_REQUIRED; malformed → 400 IDEMPOTENCY_KEY_INVALID, before anything reaches orders.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string {
  const raw = Array.isArray(header) ? header.join(', ') : header;
  if (raw === undefined || raw.trim() === '') {
    throw new AppError({
      status: 400,
      code: OrdersErrorCode.idempotencyKeyRequired,
      detail: 'This request needs an Idempotency-Key header (a UUID is a good choice).',
    });
  }
  if (!WELL_FORMED.test(raw)) {
    throw new AppError({
      status: 400,
      code: OrdersErrorCode.idempotencyKeyInvalid,
      detail: `Idempotency-Key must be 1-${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters, bare or as a quoted string.`,
    });
  }
  return raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(["\\])/g, '$1') : raw;
}
