/**
 * The span of each Postgres statement (src/tracing/postgres-spans.ts), made by createPgPool's
 * wrapper in a traced process: a real Postgres (the lab's), a real tracer provider with a
 * parent-based sampler like the services', finished spans kept in memory. In Jaeger a learner
 * reads an order's transaction from these spans, so their names, attributes and parents matter;
 * and background polling must not flood the store with spans of its own.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type pg from 'pg';
import { createServiceMetrics } from '../src/metrics.js';
import { createPgPool } from '../src/postgres.js';
import { exporter, stopTracing } from './fixtures/in-memory-tracing.js';
import { captureLogs, createTestDatabase, sampleValue, type TestDatabase } from '../src/testing/index.js';

const tracer = trace.getTracer('tracing-postgres-test');
let db: TestDatabase;
let pool: pg.Pool;
const metrics = createServiceMetrics({ enabled: true, service: 'test', version: '1' });

before(async () => {
  db = await createTestDatabase('tracing_pg');
  pool = createPgPool({ connectionString: db.url, max: 2, applicationName: 'things', metrics }, captureLogs('test').logger);
  await pool.query('CREATE TABLE things (id int PRIMARY KEY, name text NOT NULL)');
});

after(async () => {
  await pool.end();
  await db.drop();
  await stopTracing();
});

beforeEach(() => exporter.reset());

/** Runs fn inside a recorded span `request`, ended afterwards; gives the spans finished by then. */
async function inRequest(fn: () => Promise<unknown>): Promise<{ request: ReadableSpan; statements: ReadableSpan[] }> {
  await tracer.startActiveSpan('request', async (span) => {
    try {
      await fn();
    } catch {
      // a failing statement is part of some tests: its span says so
    } finally {
      span.end();
    }
  });
  const finished = exporter.getFinishedSpans();
  const request = finished.find((s) => s.name === 'request')!;
  return { request, statements: finished.filter((s) => s !== request) };
}

describe('the span of a Postgres statement', () => {
  it('is the CLIENT child of the active span, named `{operation} {table}`, with the database conventions’ attributes', async () => {
    const { request, statements } = await inRequest(() => pool.query('INSERT INTO things (id, name) VALUES ($1, $2)', [1, 'one']));
    assert.equal(statements.length, 1);
    const [insert] = statements;
    assert.equal(insert!.name, 'INSERT things');
    assert.equal(insert!.kind, SpanKind.CLIENT);
    assert.equal(insert!.parentSpanContext?.spanId, request.spanContext().spanId);
    const url = new URL(db.url);
    assert.deepEqual(insert!.attributes, {
      'db.system.name': 'postgresql',
      'db.namespace': db.name,
      'server.address': url.hostname,
      'server.port': Number(url.port || 5432),
      'db.operation.name': 'INSERT',
      'db.collection.name': 'things',
      // The parameterised text: the values ($1, $2) are not in it.
      'db.query.text': 'INSERT INTO things (id, name) VALUES ($1, $2)',
    });
    assert.equal(insert!.status.code, SpanStatusCode.UNSET);
  });

  it('shows a transaction statement by statement, in order, on one pooled client', async () => {
    const { statements } = await inRequest(async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT name FROM things WHERE id = $1 FOR UPDATE', [1]);
        await client.query('UPDATE things SET name = $2 WHERE id = $1', [1, 'uno']);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    });
    assert.deepEqual(statements.map((s) => s.name), ['BEGIN', 'SELECT things', 'UPDATE things', 'COMMIT']);
    assert.equal(statements[0]!.attributes['db.collection.name'], undefined, 'BEGIN names no table');
  });

  it('fails with the SQLSTATE code as error.type when the statement fails', async () => {
    const { statements } = await inRequest(() => pool.query('INSERT INTO things (id, name) VALUES ($1, $2)', [1, 'again']));
    const [insert] = statements;
    assert.equal(insert!.status.code, SpanStatusCode.ERROR);
    assert.equal(insert!.attributes['error.type'], '23505', 'unique_violation');
    assert.match(insert!.status.message ?? '', /duplicate key/);
  });

  it('also ends when the statement is given a callback', async () => {
    const { statements } = await inRequest(() => new Promise<void>((resolve, reject) => {
      pool.query('SELECT count(*) FROM things', (err: Error | undefined) => (err ? reject(err) : resolve()));
    }));
    assert.deepEqual(statements.map((s) => s.name), ['SELECT things']);
  });

  it('is not made outside a trace, nor inside one that is not recorded (polling and unsampled requests cost nothing)', async () => {
    await context.with(ROOT_CONTEXT, () => pool.query('SELECT 1'));
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.NONE,
      isRemote: true,
    });
    await context.with(unsampled, () => pool.query('SELECT 2'));
    assert.deepEqual(exporter.getFinishedSpans(), []);
  });

  it('leaves the statement metrics as they were: a traced statement is counted once', async () => {
    const labels = { db_operation_name: 'SELECT', db_collection_name: 'things', error_type: '' };
    const count = async () => sampleValue(await metrics.registry!.metrics(), 'db_client_operation_duration_seconds_count', labels);
    const before = await count();
    await inRequest(() => pool.query('SELECT id FROM things WHERE id = $1', [1]));
    assert.equal(await count(), before + 1);
  });
});
