/**
 * Request fingerprints for idempotency: the same key with a different request is refused
 * (IDEMPOTENCY_KEY_MISMATCH), so we need a stable digest of "what was asked".
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values always serialise the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) sorted[key] = sortKeys(child);
    }
    return sorted;
  }
  return value;
}

/**
 * sha256 (hex) of the operation name and the canonical JSON of the validated request. The
 * operation is part of it so one key can never match across different RPCs.
 */
export function requestFingerprint(operation: string, request: unknown): string {
  return createHash('sha256').update(operation).update('\n').update(canonicalJson(request)).digest('hex');
}
