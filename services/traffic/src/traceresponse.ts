/**
 * The `traceresponse` response header (W3C Trace Context level 2): how the generator learns the
 * trace each of its requests became. Parsed strictly — a malformed value is ignored, never shown
 * or linked — because it comes from another process and ends up in a page's links.
 */
import { HTTP_HEADERS } from '@orderlab/contracts/headers';

/** The header's name, lower-case as undici exposes it. */
export const TRACERESPONSE_HEADER = HTTP_HEADERS.traceresponse;

/**
 * Version 00 only: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, lower-case, nothing
 * around it. (The spec lets a later version append fields; none exists, and the lab's gateway
 * writes 00, so anything else is treated as malformed rather than guessed at.)
 */
const TRACERESPONSE = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
/** A trace id as the console's URLs and Jaeger's API take it (either case; all zeros is invalid). */
const TRACE_ID = /^[0-9a-fA-F]{32}$/;

/** The trace id of a traceresponse value, or undefined when it is missing or malformed. */
export function traceIdFromTraceresponse(value: string | string[] | undefined): string | undefined {
  // Two headers of the same name (an array) is not one trace: ignore it. A test and two slices
  // cost well under a microsecond: this runs for every response of the generator.
  if (typeof value !== 'string' || value.length !== 55 || !TRACERESPONSE.test(value)) return undefined;
  const traceId = value.slice(3, 35);
  // All-zero ids are invalid by the spec.
  if (traceId === ZERO_TRACE_ID || value.slice(36, 52) === ZERO_SPAN_ID) return undefined;
  return traceId;
}

/** The canonical (lower-case) form of a trace id given in a URL, or undefined when malformed. */
export function normalizeTraceId(value: string): string | undefined {
  if (!TRACE_ID.test(value)) return undefined;
  const id = value.toLowerCase();
  return id === ZERO_TRACE_ID ? undefined : id;
}
