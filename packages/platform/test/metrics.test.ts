import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describe, it, type TestContext } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Counter, Histogram, Registry } from 'prom-client';
import Fastify from 'fastify';
import { registerHealthRoutes } from '../src/health.js';
import { httpServerOptions, registerHttpDefaults } from '../src/http.js';
import { registerMetrics } from '../src/http-metrics.js';
import { grpcClientCallRecorder, grpcServerCallRecorder } from '../src/grpc-metrics.js';
import { FastCounter, FastHistogram, register } from '../src/instruments.js';
import { createServiceMetrics, type ServiceMetrics } from '../src/metrics.js';
import { buildOpsServer } from '../src/ops-server.js';
import { createPgPool } from '../src/postgres.js';
import { dbErrorType, sqlNames } from '../src/postgres-metrics.js';
import { captureLogs, createTestDatabase, findSamples, metricTypes, parseSamples, promtoolProblems, sampleValue } from '../src/testing/index.js';

const enabled = () => createServiceMetrics({ enabled: true, service: 'test', version: '1.2.3' });
const scrape = async (metrics: ServiceMetrics) => (metrics.registry ? metrics.registry.metrics() : '');

async function buildApp(t: TestContext, metrics: ServiceMetrics) {
  const app = Fastify(httpServerOptions({ logger: captureLogs('test').logger }));
  registerHttpDefaults(app);
  registerMetrics(app, metrics);
  registerHealthRoutes(app, []);
  app.get('/api/v1/orders/:id', async () => ({ ok: true }));
  app.post('/api/v1/orders', async (_request, reply) => reply.code(201).send({ ok: true }));
  await app.ready();
  t.after(() => app.close());
  return app;
}

describe('createServiceMetrics', () => {
  it('says which build runs and exposes the Node runtime metrics', async () => {
    const text = await scrape(enabled());
    assert.equal(sampleValue(text, 'orderlab_build_info', { service_name: 'test', service_version: '1.2.3' }), 1);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.ok(findSamples(text, name).length > 0, `${name} is exposed`);
    }
    assert.deepEqual(await promtoolProblems(text), []);
  });

  it('reports the version of the package.json a service points it at', async () => {
    const packageJson = new URL('../../package.json', import.meta.url);
    const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
    const text = await scrape(createServiceMetrics({ enabled: true, service: 'test', version: packageJson }));
    assert.equal(sampleValue(text, 'orderlab_build_info', { service_name: 'test', service_version: version }), 1);
  });

  it('registers nothing and records into no-ops when disabled', () => {
    const metrics = createServiceMetrics({ enabled: false, service: 'test', version: '1' });
    assert.equal(metrics.registry, undefined);
    const counter = metrics.counter({ name: 'x_total', help: 'x', labelNames: ['a'] });
    counter.inc({ a: '1' });
    metrics.histogram({ name: 'y_seconds', help: 'y', buckets: [1] }).observe({}, 0.5);
    let collected = false;
    metrics.gauge({ name: 'z', help: 'z', collect: () => void (collected = true) }).set({}, 1);
    assert.equal(collected, false);
  });

  it('shares one counter between components that ask for the same name', async () => {
    const metrics = enabled();
    metrics.counter({ name: 'jobs_total', help: 'jobs', labelNames: ['kind'] }).inc({ kind: 'a' });
    metrics.counter({ name: 'jobs_total', help: 'jobs', labelNames: ['kind'] }).inc({ kind: 'b' }, 2);
    const text = await scrape(metrics);
    assert.equal(sampleValue(text, 'jobs_total'), 3);
  });
});

/** Samples as sorted `name{a="1",b="2"} value` lines, so label order does not matter. */
function normalised(text: string): string[] {
  return parseSamples(text)
    .map(({ name, labels, value }) => `${name}{${Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}="${v}"`).join(',')}} ${value}`)
    .sort();
}

describe('FastHistogram and FastCounter (instruments.ts)', () => {
  const labelNames = ['method', 'route', 'status'] as const;
  const buckets = [0.005, 0.01, 0.025, 0.1, 1];
  // On a bound, below the first, above the last, repeated, with a number and a missing label.
  const observations: [Record<string, string | number>, number][] = [
    [{ method: 'GET', route: '/a', status: 200 }, 0.005],
    [{ method: 'GET', route: '/a', status: 200 }, 0.0001],
    [{ method: 'GET', route: '/a', status: 200 }, 0.3],
    [{ method: 'GET', route: '/a', status: 200 }, 7],
    [{ method: 'POST', route: '/b', status: '503' }, 0.02],
    [{ method: 'POST', route: '/b' }, 0.02],
    [{ method: 'POST', route: '/b', status: '' }, 0.011],
  ];

  it('expose exactly what prom-client\'s Histogram and Counter expose for the same calls', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const histogram = new FastHistogram({ name: 'req_seconds', help: 'Requests.', labelNames, buckets });
    const counter = new FastCounter({ name: 'req_total', help: 'Requests.', labelNames });
    const plain = new FastCounter({ name: 'plain_total', help: 'Never incremented.', labelNames: [] });
    const plainHistogram = new FastHistogram({ name: 'plain_seconds', help: 'Never observed.', labelNames: [], buckets });
    for (const metric of [histogram, counter, plain, plainHistogram]) register(ours, metric);
    const promHistogram = new Histogram({ name: 'req_seconds', help: 'Requests.', labelNames, buckets, registers: [theirs] });
    const promCounter = new Counter({ name: 'req_total', help: 'Requests.', labelNames, registers: [theirs] });
    new Counter({ name: 'plain_total', help: 'Never incremented.', registers: [theirs] });
    new Histogram({ name: 'plain_seconds', help: 'Never observed.', buckets, registers: [theirs] });
    for (const [labels, value] of observations) {
      histogram.observe(labels, value);
      counter.inc(labels, value * 10);
      promHistogram.observe(labels, value);
      promCounter.inc(labels, value * 10);
    }
    const [ourText, theirText] = [await ours.metrics(), await theirs.metrics()];
    assert.deepEqual(normalised(ourText), normalised(theirText));
    assert.deepEqual(metricTypes(ourText), metricTypes(theirText));
    assert.match(ourText, /# HELP req_seconds Requests\.\n# TYPE req_seconds histogram/);
    // Spot checks in Prometheus's terms: cumulative buckets, +Inf = count.
    assert.equal(sampleValue(ourText, 'req_seconds_bucket', { method: 'GET', route: '/a', status: '200', le: '0.005' }), 2);
    assert.equal(sampleValue(ourText, 'req_seconds_bucket', { method: 'GET', route: '/a', status: '200', le: '1' }), 3);
    assert.equal(sampleValue(ourText, 'req_seconds_bucket', { method: 'GET', route: '/a', status: '200', le: '+Inf' }), 4);
    assert.deepEqual(await promtoolProblems(ourText), []);
  });

  it('ignore values that would corrupt a series (NaN, infinities, negative increments)', async () => {
    const registry = new Registry();
    const histogram = new FastHistogram({ name: 'h_seconds', help: 'h', labelNames: [], buckets: [1] });
    const counter = new FastCounter({ name: 'c_total', help: 'c', labelNames: [] });
    register(registry, histogram);
    register(registry, counter);
    histogram.observe({}, Number.NaN);
    histogram.observe({}, Number.POSITIVE_INFINITY);
    histogram.observe({}, 0.5);
    counter.inc({}, -1);
    counter.inc({}, Number.NaN);
    counter.inc({}, Number.POSITIVE_INFINITY);
    counter.inc();
    const text = await registry.metrics();
    assert.equal(sampleValue(text, 'h_seconds_count'), 1);
    assert.equal(sampleValue(text, 'h_seconds_sum'), 0.5);
    assert.equal(sampleValue(text, 'c_total'), 1);
  });

  it('start again from zero on resetMetrics()', async () => {
    const registry = new Registry();
    const histogram = new FastHistogram({ name: 'h_seconds', help: 'h', labelNames: ['a'], buckets: [1] });
    register(registry, histogram);
    histogram.observe({ a: 'x' }, 0.5);
    registry.resetMetrics();
    assert.deepEqual(findSamples(await registry.metrics(), 'h_seconds_count'), []);
  });

  it('record through a bound series exactly what observe records, also after a reset', async () => {
    const [viaBind, viaObserve] = [new Registry(), new Registry()];
    const bound = new FastHistogram({ name: 'req_seconds', help: 'Requests.', labelNames, buckets });
    const plain = new FastHistogram({ name: 'req_seconds', help: 'Requests.', labelNames, buckets });
    register(viaBind, bound);
    register(viaObserve, plain);
    const handles = new Map(observations.map(([labels]) => [JSON.stringify(labels), bound.bind(labels)]));
    // A handle creates nothing until it records, like observe.
    assert.deepEqual(findSamples(await viaBind.metrics(), 'req_seconds_count'), []);
    const record = () => {
      for (const [labels, value] of observations) {
        handles.get(JSON.stringify(labels))!.observe(value);
        plain.observe(labels, value);
      }
    };
    record();
    handles.get(JSON.stringify(observations[0]![0]))!.observe(Number.NaN);
    assert.deepEqual(normalised(await viaBind.metrics()), normalised(await viaObserve.metrics()));
    viaBind.resetMetrics();
    viaObserve.resetMetrics();
    record();
    assert.deepEqual(normalised(await viaBind.metrics()), normalised(await viaObserve.metrics()));
    assert.equal(sampleValue(await viaBind.metrics(), 'req_seconds_count', { method: 'GET', route: '/a', status: '200' }), 4);
  });
});

describe('registerMetrics (HTTP)', () => {
  it('labels requests with the route template, never the raw path', async (t) => {
    const metrics = enabled();
    const app = await buildApp(t, metrics);
    await app.inject({ method: 'GET', url: '/api/v1/orders/11111111-1111-4111-8111-111111111111' });
    await app.inject({ method: 'GET', url: '/api/v1/orders/22222222-2222-4222-8222-222222222222' });
    await app.inject({ method: 'POST', url: '/api/v1/orders', payload: {} });
    await app.inject({ method: 'GET', url: '/no/such/path/33' });

    const res = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = res.body;
    const count = 'http_server_request_duration_seconds_count';
    assert.equal(sampleValue(text, count, { http_request_method: 'GET', http_route: '/api/v1/orders/:id', http_response_status_code: '200' }), 2);
    assert.equal(sampleValue(text, count, { http_request_method: 'POST', http_route: '/api/v1/orders', http_response_status_code: '201' }), 1);
    assert.equal(sampleValue(text, count, { http_route: 'unmatched', http_response_status_code: '404' }), 1);
    assert.ok(!text.includes('11111111-1111'), 'no raw path in any label');
    assert.equal(findSamples(text, 'http_server_request_duration_seconds_bucket', { http_route: '/api/v1/orders/:id', le: '0.25' }).length, 1, 'the SLO threshold is a bucket edge');
    assert.equal(sampleValue(text, 'http_server_active_requests'), 0, 'nothing in progress once every response is sent');
    assert.deepEqual(await promtoolProblems(text), []);
  });

  it('does not record scrapes and probes', async (t) => {
    const metrics = enabled();
    const app = await buildApp(t, metrics);
    for (const url of ['/healthz', '/readyz', '/metrics']) assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
    const text = await scrape(metrics);
    assert.deepEqual(findSamples(text, 'http_server_request_duration_seconds_count'), []);
  });

  it('counts a request in progress while it runs', async (t) => {
    const metrics = enabled();
    const app = Fastify(httpServerOptions({ logger: captureLogs('test').logger }));
    registerHttpDefaults(app);
    registerMetrics(app, metrics);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    app.get('/slow', async () => {
      entered();
      await held;
      return { ok: true };
    });
    await app.ready();
    t.after(() => app.close());
    const response = app.inject({ method: 'GET', url: '/slow' });
    await started;
    assert.equal(sampleValue(await scrape(metrics), 'http_server_active_requests', { http_request_method: 'GET' }), 1);
    release();
    await response;
    assert.equal(sampleValue(await scrape(metrics), 'http_server_active_requests', { http_request_method: 'GET' }), 0);
  });

  it('has no /metrics route and records nothing when disabled', async (t) => {
    const metrics = createServiceMetrics({ enabled: false, service: 'test', version: '1' });
    const app = await buildApp(t, metrics);
    await app.inject({ method: 'GET', url: '/api/v1/orders/x' });
    assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
  });
});

describe('buildOpsServer', () => {
  it('serves /metrics beside the probes when enabled, and 404 when disabled', async (t) => {
    for (const [on, status] of [[true, 200], [false, 404]] as const) {
      const ops = buildOpsServer({ logger: captureLogs('test').logger, checks: [], metrics: createServiceMetrics({ enabled: on, service: 'ops', version: '1' }) });
      t.after(() => ops.stop());
      const res = await ops.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, status);
      if (on) assert.equal(sampleValue(res.body, 'orderlab_build_info', { service_name: 'ops' }), 1);
    }
  });
});

describe('sqlNames', () => {
  const cases: [string, string, string][] = [
    ['SELECT 1', 'SELECT', 'none'],
    ['select id from orders where id = $1', 'SELECT', 'orders'],
    ['SELECT o.id FROM public.orders o JOIN order_items i ON i.order_id = o.id', 'SELECT', 'orders'],
    ['INSERT INTO outbox (destination, payload) VALUES ($1, $2)', 'INSERT', 'outbox'],
    ['UPDATE orders SET status = $2 WHERE id = $1', 'UPDATE', 'orders'],
    ['DELETE FROM idempotency_keys WHERE id IN (SELECT id FROM idempotency_keys LIMIT $1 FOR UPDATE SKIP LOCKED)', 'DELETE', 'idempotency_keys'],
    ['BEGIN', 'BEGIN', 'none'],
    ['commit', 'COMMIT', 'none'],
    ['ROLLBACK', 'ROLLBACK', 'none'],
    ['-- the next batch\nSELECT * FROM outbox WHERE sent_at IS NULL FOR UPDATE SKIP LOCKED', 'SELECT', 'outbox'],
    ['SELECT extract(epoch FROM now() - min(created_at)) AS age FROM outbox', 'SELECT', 'outbox'],
    ['SELECT * FROM unnest($1::uuid[]) AS u(id) JOIN products p ON p.id = u.id', 'SELECT', 'products'],
    ['SELECT id FROM "Orders"', 'SELECT', 'Orders'],
    ['INSERT INTO products (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET name = $2', 'INSERT', 'products'],
    // A CTE names the main statement's operation and the first real table (CTE names are not tables).
    ['WITH claimed AS (INSERT INTO processed_messages (message_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING message_id) INSERT INTO notifications SELECT * FROM claimed', 'INSERT', 'processed_messages'],
    ['WITH sent AS (UPDATE outbox SET sent_at = now() WHERE id = ANY($1)) SELECT count(*) FROM sent', 'SELECT', 'outbox'],
    ['WITH stale AS (SELECT o.id FROM orders o FOR UPDATE OF o SKIP LOCKED), bumped AS (UPDATE orders o SET x = 1 FROM stale) INSERT INTO outbox SELECT * FROM bumped', 'INSERT', 'orders'],
    ['WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT n FROM t', 'SELECT', 'none'],
    ['LISTEN outbox', 'LISTEN', 'none'],
  ];
  for (const [sql, operation, collection] of cases) {
    it(`names ${JSON.stringify(sql.slice(0, 60))} ${operation} on ${collection}`, () => {
      assert.deepEqual(sqlNames(sql), { operation, collection });
    });
  }

  it('classifies errors by SQLSTATE, timeouts as timeout, the rest as _OTHER', () => {
    assert.equal(dbErrorType(Object.assign(new Error('duplicate key'), { code: '23505' })), '23505');
    assert.equal(dbErrorType(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })), 'timeout');
    assert.equal(dbErrorType(new Error('timeout exceeded when trying to connect')), 'timeout');
    assert.equal(dbErrorType(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), '_OTHER');
  });
});

describe('createPgPool with metrics', () => {
  it('records pool.query and transaction statements with their names, errors and the pool gauges', async (t) => {
    const db = await createTestDatabase('metrics_pg');
    t.after(() => db.drop());
    const metrics = enabled();
    const pool = createPgPool({ connectionString: db.url, max: 3, applicationName: 'things', statementTimeoutMs: 200, metrics }, captureLogs('test').logger);
    t.after(() => pool.end());
    await pool.query('CREATE TABLE things (id int PRIMARY KEY)');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO things (id) VALUES ($1)', [1]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    // The same statement again, on whichever client: one series per statement and outcome.
    await pool.query('INSERT INTO things (id) VALUES ($1)', [2]);
    await assert.rejects(pool.query('INSERT INTO things (id) VALUES (1)'), { code: '23505' });
    await assert.rejects(pool.query('SELECT pg_sleep(1) FROM things'), { code: '57014' });
    const held = await pool.connect();

    const text = await scrape(metrics);
    held.release();
    const count = (labels: Record<string, string>) =>
      sampleValue(text, 'db_client_operation_duration_seconds_count', { db_system_name: 'postgresql', db_client_connection_pool_name: 'things', ...labels });
    assert.equal(count({ db_operation_name: 'BEGIN', db_collection_name: 'none', error_type: '' }), 1);
    assert.equal(count({ db_operation_name: 'INSERT', db_collection_name: 'things', error_type: '' }), 2);
    assert.equal(count({ db_operation_name: 'INSERT', db_collection_name: 'things', error_type: '23505' }), 1);
    assert.equal(count({ db_operation_name: 'SELECT', db_collection_name: 'things', error_type: 'timeout' }), 1);
    assert.equal(count({ db_operation_name: 'COMMIT' }), 1);
    assert.equal(sampleValue(text, 'db_client_connection_max', { db_client_connection_pool_name: 'things' }), 3);
    assert.equal(sampleValue(text, 'db_client_connection_count', { db_client_connection_pool_name: 'things', db_client_connection_state: 'used' }), 1);
    assert.equal(sampleValue(text, 'db_client_connection_pending_requests', { db_client_connection_pool_name: 'things' }), 0);
    assert.deepEqual(await promtoolProblems(text), []);
  });
});

describe('gRPC call recorders', () => {
  it('record client and server calls by full method and status name, with the time since the start', async () => {
    for (const [record, name] of [
      [grpcClientCallRecorder, 'rpc_client_call_duration_seconds'],
      [grpcServerCallRecorder, 'rpc_server_call_duration_seconds'],
    ] as const) {
      const metrics = enabled();
      const recordCall = record(metrics);
      recordCall('test.v1.EchoService/Echo', grpc.status.OK, performance.now() - 30);
      recordCall('test.v1.EchoService/Echo', grpc.status.NOT_FOUND, performance.now());
      recordCall('test.v1.EchoService/Echo', 99, performance.now());
      const text = await scrape(metrics);
      const labels = { rpc_system_name: 'grpc', rpc_method: 'test.v1.EchoService/Echo' };
      assert.equal(sampleValue(text, `${name}_count`, { ...labels, rpc_status_code: 'OK' }), 1, name);
      assert.equal(sampleValue(text, `${name}_bucket`, { ...labels, rpc_status_code: 'OK', le: '0.025' }), 0, 'the 30 ms call is above 25 ms');
      assert.equal(sampleValue(text, `${name}_bucket`, { ...labels, rpc_status_code: 'OK', le: '0.05' }), 1, 'and well below 50 ms');
      assert.equal(sampleValue(text, `${name}_count`, { ...labels, rpc_status_code: 'NOT_FOUND' }), 1, name);
      assert.equal(sampleValue(text, `${name}_count`, { ...labels, rpc_status_code: 'UNKNOWN' }), 1, 'an unknown code is UNKNOWN');
      assert.deepEqual(await promtoolProblems(text), []);
    }
  });

  it('record nothing when disabled', () => {
    const off = createServiceMetrics({ enabled: false, service: 'test', version: '1' });
    // No registry to write to: a call must simply do nothing.
    grpcClientCallRecorder(off)('test.v1.EchoService/Echo', grpc.status.OK, performance.now());
    grpcServerCallRecorder(off)('test.v1.EchoService/Echo', grpc.status.OK, performance.now());
    assert.equal(off.registry, undefined);
  });
});
