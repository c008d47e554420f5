/**
 * The console's logs view without I/O: what a learner may search by (validated), the LogsQL
 * built from it (values always quoted, never raw user text), and the one place that knows which
 * VictoriaLogs fields a log line's service, level, message and ids live in.
 *
 * The lab's Collector ships each service's JSON stdout line as an OTLP log record: `service`
 * becomes the resource attribute `service.name` (the stream), `level` the severity (VictoriaLogs
 * stores it as `severity_text`), `msg` the body (`_msg`), and the other fields keep their names.
 * The names below also accept the line as the service wrote it (`service`, `level`), so the view
 * keeps working while the pipeline's mapping changes.
 */
import { AppError, ErrorCode, isValidRequestId, type ValidationIssue } from '@orderlab/platform';
import { normalizeTraceId } from './traceresponse.js';

/** Where each part of a log line may be stored, first match wins. */
export const LOG_FIELDS = {
  time: ['_time'],
  message: ['_msg'],
  service: ['service.name', 'service'],
  level: ['severity_text', 'severity', 'level'],
  requestId: ['request_id'],
  traceId: ['trace_id'],
  spanId: ['span_id'],
  route: ['route'],
  method: ['method'],
  status: ['status'],
  durationMs: ['duration_ms'],
} as const;

/** The services a search may name: the lab's own (the edge's access log included). */
export const LOG_SERVICES = ['edge', 'gateway', 'orders', 'fulfillment', 'notifications', 'traffic'] as const;
/** pino's level labels, which the services write and the Collector keeps as the severity text. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
/** Levels the error tail and the error-rate table count. */
export const ERROR_LEVELS = ['error', 'fatal'] as const;
/** How far back a search looks, by name (LogsQL durations). */
export const LOG_SINCE = ['5m', '15m', '1h', '6h', '24h', '7d'] as const;
/**
 * The window when none is asked for: an hour for a request or trace id (cheap, VictoriaLogs finds
 * the values through its per-block filters), 15 minutes for browsing, which sorts every line.
 */
export const DEFAULT_SINCE = '1h';
export const BROWSE_SINCE = '15m';
/** Lines a search answers by default, and at most. */
export const DEFAULT_LOG_LIMIT = 200;
export const MAX_LOG_LIMIT = 1000;
/** The error tail: the newest error lines of all services in this window. */
export const ERROR_TAIL_LIMIT = 50;
export const ERROR_TAIL_SINCE = '5m';
/** The error-rate table's window, in minutes. */
export const ERROR_RATE_WINDOW_MIN = 15;

export type LogService = (typeof LOG_SERVICES)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A validated search. */
export interface LogFilter {
  requestId?: string;
  traceId?: string;
  service?: LogService;
  level?: LogLevel;
  since: (typeof LOG_SINCE)[number];
  limit: number;
}

/** One log line as the console shows it; `fields` holds the line's other fields. */
export interface LogLine {
  time: string;
  service: string | null;
  level: string | null;
  message: string;
  requestId: string | null;
  traceId: string | null;
  spanId: string | null;
  route: string | null;
  method: string | null;
  status: number | null;
  durationMs: number | null;
  fields: Record<string, string>;
}

/** A search's query parameters (`/api/logs?…`, and the page's form): names as in the logs. */
const PARAMS = ['request_id', 'trace_id', 'service', 'level', 'since', 'limit'] as const;

/**
 * The filter of `/api/logs`, or a 400 naming every bad parameter. An empty parameter is no filter
 * (the page's form sends every field); anything else must be a value the logs can hold.
 */
export function parseLogFilter(query: Record<string, unknown>): LogFilter {
  const errors: ValidationIssue[] = [];
  const bad = (name: string, detail: string) => errors.push({ in: 'query', pointer: `#/${name}`, detail });
  const value = (name: string): string | undefined => {
    const raw = query[name];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string') {
      bad(name, 'must be given once');
      return undefined;
    }
    const trimmed = raw.trim();
    return trimmed === '' ? undefined : trimmed;
  };
  for (const name of Object.keys(query)) {
    if (!(PARAMS as readonly string[]).includes(name)) bad(name, `is not a parameter of this search (use ${PARAMS.join(', ')})`);
  }
  const filter: LogFilter = { since: BROWSE_SINCE, limit: DEFAULT_LOG_LIMIT };

  const requestId = value('request_id');
  if (requestId !== undefined) {
    if (isValidRequestId(requestId)) filter.requestId = requestId;
    else bad('request_id', 'must be a request id: 1 to 128 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"');
  }
  const traceId = value('trace_id');
  if (traceId !== undefined) {
    const normalized = normalizeTraceId(traceId);
    if (normalized === undefined) bad('trace_id', 'must be a W3C trace id: 32 hexadecimal digits, not all zeros');
    else filter.traceId = normalized;
  }
  const service = value('service');
  if (service !== undefined) {
    if ((LOG_SERVICES as readonly string[]).includes(service)) filter.service = service as LogService;
    else bad('service', `must be one of ${LOG_SERVICES.join(', ')}`);
  }
  const level = value('level')?.toLowerCase();
  if (level !== undefined) {
    if ((LOG_LEVELS as readonly string[]).includes(level)) filter.level = level as LogLevel;
    else bad('level', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const since = value('since');
  if (since === undefined) {
    if (filter.requestId !== undefined || filter.traceId !== undefined) filter.since = DEFAULT_SINCE;
  } else {
    if ((LOG_SINCE as readonly string[]).includes(since)) filter.since = since as LogFilter['since'];
    else bad('since', `must be one of ${LOG_SINCE.join(', ')}`);
  }
  const limit = value('limit');
  if (limit !== undefined) {
    const n = /^\d{1,7}$/.test(limit) ? Number(limit) : NaN;
    if (n >= 1 && n <= MAX_LOG_LIMIT) filter.limit = n;
    else bad('limit', `must be a whole number from 1 to ${MAX_LOG_LIMIT}`);
  }

  if (errors.length > 0) {
    throw new AppError({
      code: ErrorCode.VALIDATION_FAILED,
      status: 400,
      detail: `The log search is invalid: ${errors.map((e) => `${e.pointer.slice(2)} ${e.detail}`).join('; ')}.`,
      errors,
    });
  }
  return filter;
}

/** A LogsQL string literal: double-quoted, with `"` and `\` escaped (LogsQL's rules, as Go's). */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** `field:="value"` for any of the names the part may be stored under. */
function exactAny(names: readonly string[], value: string): string {
  const terms = names.map((name) => `${quote(name)}:=${quote(value)}`);
  return terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`;
}

/** The level in any of its fields, in the spellings pino, the Collector and OTel use. */
function levelFilter(levels: readonly string[]): string {
  const spellings = levels.flatMap((l) => [l, l.toUpperCase(), l[0]!.toUpperCase() + l.slice(1)]);
  const list = spellings.map(quote).join(', ');
  return `(${LOG_FIELDS.level.map((name) => `${quote(name)}:in(${list})`).join(' OR ')})`;
}

/** The filters of a search, a time filter first. */
function searchFilters(filter: Pick<LogFilter, 'requestId' | 'traceId' | 'service' | 'level'> & { since: string }): string {
  const parts = [`_time:${filter.since}`];
  if (filter.requestId !== undefined) parts.push(exactAny(LOG_FIELDS.requestId, filter.requestId));
  if (filter.traceId !== undefined) parts.push(exactAny(LOG_FIELDS.traceId, filter.traceId));
  if (filter.service !== undefined) parts.push(exactAny(LOG_FIELDS.service, filter.service));
  if (filter.level !== undefined) parts.push(levelFilter([filter.level]));
  return parts.join(' ');
}

/** The newest `limit` lines matching a search, newest first. */
export function searchQuery(filter: LogFilter): string {
  return `${searchFilters(filter)} | sort by (_time) desc limit ${filter.limit}`;
}

/** The error tail: the newest error and fatal lines of every service. */
export function errorTailQuery(): string {
  return `_time:${ERROR_TAIL_SINCE} ${levelFilter(ERROR_LEVELS)} | sort by (_time) desc limit ${ERROR_TAIL_LIMIT}`;
}

/**
 * Lines and error lines per service over the last 15 minutes: the error log rate per service.
 * Grouped by both names a service may be under; rows are merged by errorRateRows.
 */
export function errorRateQuery(): string {
  const by = LOG_FIELDS.service.map(quote).join(', ');
  return `_time:${ERROR_RATE_WINDOW_MIN}m | stats by (${by}) count() as lines, count() if (${levelFilter(ERROR_LEVELS)}) as errors`;
}

/** The first non-empty value of a part's fields. */
function pick(record: Record<string, unknown>, names: readonly string[]): string | null {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  }
  return null;
}

function numberOrNull(value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Bookkeeping of VictoriaLogs and of the Collector's receiver, not the line's. */
const INTERNAL_FIELDS = new Set(['_stream', '_stream_id', 'scope.name', 'scope.version']);
const MAPPED_FIELDS = new Set<string>(Object.values(LOG_FIELDS).flat());
/** Bounds on the extra fields a line carries to the page. */
const MAX_EXTRA_FIELDS = 40;
const MAX_FIELD_CHARS = 2_000;

/** One VictoriaLogs JSON line as the console's LogLine. */
export function toLogLine(record: Record<string, unknown>): LogLine {
  const fields: Record<string, string> = {};
  let extra = 0;
  for (const [key, value] of Object.entries(record)) {
    if (MAPPED_FIELDS.has(key) || INTERNAL_FIELDS.has(key) || extra >= MAX_EXTRA_FIELDS) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    fields[key] = text.length > MAX_FIELD_CHARS ? `${text.slice(0, MAX_FIELD_CHARS)}…` : text;
    extra += 1;
  }
  const level = pick(record, LOG_FIELDS.level);
  const traceId = pick(record, LOG_FIELDS.traceId);
  return {
    time: pick(record, LOG_FIELDS.time) ?? '',
    service: pick(record, LOG_FIELDS.service),
    // A plain-text line has no level; OTLP calls that severity "Unspecified".
    level: level === null || /^unspecified$/i.test(level) ? null : level.toLowerCase(),
    message: (pick(record, LOG_FIELDS.message) ?? '').slice(0, 16_000),
    requestId: pick(record, LOG_FIELDS.requestId),
    // Only a real trace id links to a trace page.
    traceId: traceId === null ? null : (normalizeTraceId(traceId) ?? null),
    spanId: pick(record, LOG_FIELDS.spanId),
    route: pick(record, LOG_FIELDS.route),
    method: pick(record, LOG_FIELDS.method),
    status: numberOrNull(pick(record, LOG_FIELDS.status)),
    durationMs: numberOrNull(pick(record, LOG_FIELDS.durationMs)),
    fields,
  };
}

/** One row of the error-rate table. */
export interface ErrorRateRow {
  service: string;
  lines: number;
  errors: number;
}

/** The stats rows merged by service name (a line without one counts under "(unknown)"), most errors first. */
export function errorRateRows(records: Record<string, unknown>[]): ErrorRateRow[] {
  const rows = new Map<string, ErrorRateRow>();
  for (const record of records) {
    const service = pick(record, LOG_FIELDS.service) ?? '(unknown)';
    const row = rows.get(service) ?? { service, lines: 0, errors: 0 };
    row.lines += numberOrNull(pick(record, ['lines'])) ?? 0;
    row.errors += numberOrNull(pick(record, ['errors'])) ?? 0;
    rows.set(service, row);
  }
  return [...rows.values()].sort((a, b) => b.errors - a.errors || b.lines - a.lines || a.service.localeCompare(b.service));
}
