/** X-Request-Id handling: accept a sane id from upstream, otherwise make one. */
import { HTTP_HEADERS } from '@orderlab/contracts/headers';
import { randomBytes } from 'node:crypto';

/** The request id's header (HTTP) and metadata key (gRPC): one name, from the contracts. */
export const REQUEST_ID_HEADER = HTTP_HEADERS.requestId;

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

/** True for 1–128 characters of `[A-Za-z0-9._:-]` (Nginx's `$request_id`, UUIDs, ULIDs…). */
export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && SANE.test(value);
}

/** 32 lowercase hex characters, the same shape as Nginx's `$request_id`. */
export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

/** The given id if it is sane, else a new one (so callers cannot inject into logs). */
export function requestIdFrom(value: unknown): string {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return isValidRequestId(first) ? first : newRequestId();
}
