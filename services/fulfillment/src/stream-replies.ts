/** Parsing of raw Redis stream replies (ioredis types them as unknown[]). No I/O. */
import { fieldsToRecord, type StreamEntry } from './fulfillment-request.js';

/** One pending entry as XPENDING's extended form reports it. */
export interface PendingInfo {
  id: string;
  consumer: string;
  idleMs: number;
  deliveries: number;
}

/** The reply of XAUTOCLAIM (Redis ≥ 7: cursor, claimed entries, ids deleted by trimming). */
export interface AutoClaimReply {
  cursor: string;
  entries: StreamEntry[];
  deletedIds: string[];
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** `[[id, [f, v, …] | null], …]` → entries; a null field list marks an entry deleted by trimming. */
export function parseEntries(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const entries: StreamEntry[] = [];
  for (const item of raw) {
    if (!Array.isArray(item) || typeof item[0] !== 'string') continue;
    const fields: unknown = item[1];
    entries.push({ id: item[0], fields: isStringArray(fields) ? fieldsToRecord(fields) : null });
  }
  return entries;
}

/** XREADGROUP reply for a single stream: `[[key, entries]]`, or null when BLOCK timed out. */
export function parseReadGroupReply(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw) || raw.length === 0) return [];
  const stream: unknown = raw[0];
  return Array.isArray(stream) ? parseEntries(stream[1]) : [];
}

/** XAUTOCLAIM reply: `[cursor, entries, deletedIds]` (Redis 6.2 sends no third element). */
export function parseAutoClaimReply(raw: unknown): AutoClaimReply {
  if (!Array.isArray(raw) || typeof raw[0] !== 'string') {
    throw new Error('unexpected XAUTOCLAIM reply');
  }
  const deleted: unknown = raw[2];
  return { cursor: raw[0], entries: parseEntries(raw[1]), deletedIds: isStringArray(deleted) ? deleted : [] };
}

/** Extended XPENDING reply: `[[id, consumer, idleMs, deliveries], …]`. */
export function parsePendingReply(raw: unknown): PendingInfo[] {
  if (!Array.isArray(raw)) return [];
  const result: PendingInfo[] = [];
  for (const item of raw) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string') continue;
    result.push({ id: item[0], consumer: item[1], idleMs: Number(item[2]), deliveries: Number(item[3]) });
  }
  return result;
}
