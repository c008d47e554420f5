/**
 * A CLIENT span per Postgres statement, made by the platform's pool wrapper (createPgPool)
 * instead of the pg instrumentation, which wraps every query and its callback even when the
 * trace is not recorded. Here a statement gets a span only inside a recorded span (the relays'
 * and the worker's idle polling, and unsampled requests, make none), with attributes built once
 * per statement text. After the database conventions: named `{db.operation.name}
 * {db.collection.name}` (`INSERT orders`, `BEGIN`), `db.system.name` postgresql,
 * `db.namespace` (the database), `db.operation.name`, `db.collection.name`, `db.query.text`
 * (the parameterised text: the lab's statements are constants, values never appear),
 * `server.address`/`server.port`; a failed statement has `error.type` (its SQLSTATE code, or
 * `timeout`) and status ERROR.
 */
import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { dbErrorType, NO_COLLECTION, sqlNames } from '../postgres-metrics.js';
import { tracingRuntime } from './runtime.js';

const tracer = trace.getTracer('orderlab-postgres');

/** Statement texts whose name and attributes are kept; the lab's statements are constants. */
const MAX_STATEMENTS = 1_000;

/** Starts the span of one statement, or gives undefined outside a recorded span. */
export type StatementSpanStarter = (sql: string) => Span | undefined;

interface StatementShape {
  name: string;
  attributes: Attributes;
}

/** The connection's database, host and port as the spans name them (from the pool's connection string). */
function connectionAttributes(connectionString: string): Attributes {
  try {
    const url = new URL(connectionString);
    return {
      'db.namespace': decodeURIComponent(url.pathname.slice(1)),
      'server.address': url.hostname,
      ...(url.port === '' ? {} : { 'server.port': Number(url.port) }),
    };
  } catch {
    return {};
  }
}

/** The span starter for a pool's statements; undefined when this process does not trace. */
export function pgStatementSpans(connectionString: string): StatementSpanStarter | undefined {
  if (tracingRuntime() === undefined) return undefined;
  const connection = connectionAttributes(connectionString);
  const shapes = new Map<string, StatementShape>();
  const shapeOf = (sql: string): StatementShape => {
    let shape = shapes.get(sql);
    if (shape === undefined) {
      const { operation, collection } = sqlNames(sql);
      const named = collection !== NO_COLLECTION;
      shape = {
        name: named ? `${operation} ${collection}` : operation,
        attributes: {
          'db.system.name': 'postgresql',
          ...connection,
          'db.operation.name': operation,
          ...(named ? { 'db.collection.name': collection } : {}),
          'db.query.text': sql,
        },
      };
      if (shapes.size < MAX_STATEMENTS) shapes.set(sql, shape);
    }
    return shape;
  };
  return (sql) => {
    if (trace.getActiveSpan()?.isRecording() !== true) return undefined;
    const { name, attributes } = shapeOf(sql);
    return tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
  };
}

/** Ends a statement's span, failed with the statement's error type when it failed. */
export function endStatementSpan(span: Span, err: unknown): void {
  if (err !== undefined && err !== null) {
    span.setAttribute('error.type', dbErrorType(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : 'the statement failed' });
  }
  span.end();
}
