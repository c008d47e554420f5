import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { waitFor } from '@orderlab/platform/testing';
import { encodeCursor } from '../src/page-cursor.js';
import { itemCreated, orderCreated, orderFailed, orderFulfilled } from './support/events.js';
import { createTestEnvironment, type RunningService, type TestEnvironment } from './support/test-environment.js';

interface Page {
  items: { id: string; type: string; orderId: string | null; productId: string | null; message: string; requestId: string | null; createdAt: string }[];
  nextCursor: string | null;
}

type Doc = {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, { operationId: string; parameters?: { in: string; name: string }[]; responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }> }>>;
};

async function get(url: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

function assertProblem(res: Awaited<ReturnType<typeof get>>, status: number, code: string): Record<string, unknown> {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers.get('content-type')), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(body.request_id, res.headers.get('x-request-id'));
  return body;
}

describe('GET /api/v1/notifications', () => {
  let env: TestEnvironment;
  let running: RunningService;
  const created = orderCreated();
  const other = orderCreated({ customerId: 'cust-0002' });
  // Published in this order, so newest first is the reverse.
  const events = [created, itemCreated(), other, orderFulfilled(created), orderFailed(other)];

  // One environment for the suite; `after` called inside a hook would run right after that hook.
  const cleanups: (() => unknown)[] = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  before(async () => {
    env = await createTestEnvironment({ after: (fn) => cleanups.push(fn) }, 'rest');
    running = await env.startService({ CORS_ORIGINS: 'https://shop.example:8443' });
    for (const event of events) {
      // One at a time, so that the insertion order (and thus "newest first") is the publishing order.
      await env.publish(event);
      await waitFor(`${event.type} ${event.id} stored`, () => env.logLines('notification stored', event.id).length === 1);
    }
  });

  it('lists every notification newest first, page by page, with an opaque cursor', async () => {
    const seen: Page['items'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(running.url, `/api/v1/notifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.status, 200, res.text);
      const page = res.json() as unknown as Page;
      assert.ok(page.items.length <= 2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    assert.equal(pages, 3);
    assert.deepEqual(seen.map((n) => n.type), ['order.failed', 'order.fulfilled', 'order.created', 'item.created', 'order.created']);
    assert.equal(new Set(seen.map((n) => n.id)).size, events.length);
    const times = seen.map((n) => Date.parse(n.createdAt));
    assert.deepEqual([...times].sort((a, b) => b - a), times);
  });

  it("filters by orderId, returning only that order's notifications", async () => {
    const res = await get(running.url, `/api/v1/notifications?orderId=${created.data.id}`);
    assert.equal(res.status, 200);
    const page = res.json() as unknown as Page;
    assert.deepEqual(page.items.map((n) => [n.type, n.orderId]), [['order.fulfilled', created.data.id], ['order.created', created.data.id]]);
    assert.equal(page.nextCursor, null);
    assert.match(page.items[0]!.message, /was fulfilled: shipment .+, tracking number TRK-000123$/);
    const none = await get(running.url, '/api/v1/notifications?orderId=00000000-0000-4000-8000-000000000000');
    assert.deepEqual(none.json(), { items: [], nextCursor: null });
  });

  it('rejects bad query parameters with 400 problem+json naming the parameter', async () => {
    const cases: [string, string][] = [
      ['orderId=not-a-uuid', '#/orderId'],
      ['limit=0', '#/limit'],
      ['limit=101', '#/limit'],
      ['limit=ten', '#/limit'],
      ['cursor=%21%21', '#/cursor'],
      ['customerId=cust-0001', '#/customerId'],
    ];
    for (const [query, pointer] of cases) {
      const body = assertProblem(await get(running.url, `/api/v1/notifications?${query}`), 400, 'VALIDATION_FAILED');
      const errors = body.errors as { in: string; pointer: string }[];
      assert.deepEqual(errors.map((e) => [e.in, e.pointer]), [['query', pointer]], query);
    }
  });

  it('answers a cursor it did not produce with 400 INVALID_CURSOR', async () => {
    for (const cursor of ['abc', Buffer.from('v9:12').toString('base64url'), encodeCursor(5n).slice(0, -1)]) {
      assertProblem(await get(running.url, `/api/v1/notifications?cursor=${cursor}`), 400, 'INVALID_CURSOR');
    }
  });

  it('answers unknown routes with 404 and other methods with 405 + Allow, as problem+json', async () => {
    assertProblem(await get(running.url, '/api/v1/notifications/123'), 404, 'NOT_FOUND');
    assertProblem(await get(running.url, '/api/v1/orders'), 404, 'NOT_FOUND');
    const res = await fetch(`${running.url}/api/v1/notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    assert.match(String(res.headers.get('content-type')), /^application\/problem\+json/);
  });

  it('echoes a sane X-Request-Id, replaces a bad one, and sends one on errors too', async () => {
    const kept = await get(running.url, '/api/v1/notifications?limit=1', { 'x-request-id': 'req-from-edge-1' });
    assert.equal(kept.headers.get('x-request-id'), 'req-from-edge-1');
    const replaced = await get(running.url, '/api/v1/notifications?limit=1', { 'x-request-id': 'bad id with spaces' });
    assert.match(String(replaced.headers.get('x-request-id')), /^[0-9a-f]{32}$/);
    const problem = assertProblem(await get(running.url, '/nowhere', { 'x-request-id': 'req-404' }), 404, 'NOT_FOUND');
    assert.equal(problem.request_id, 'req-404');
    const [line] = env.logs.lines().filter((l) => l.request_id === 'req-from-edge-1' && l.msg === 'request completed');
    assert.equal(line?.route, '/api/v1/notifications');
  });

  it('is ready only with Postgres, RabbitMQ and the consumer up', async () => {
    assert.deepEqual((await get(running.url, '/healthz')).json(), { status: 'ok' });
    const ready = await get(running.url, '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json(), { status: 'ready', checks: { postgres: 'ok', rabbitmq: 'ok', consumer: 'ok' } });
  });

  it('allows the configured origin cross-origin reads, and no other', async () => {
    const allowed = await get(running.url, '/api/v1/notifications?limit=1', { origin: 'https://shop.example:8443' });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example:8443');
    const foreign = await get(running.url, '/api/v1/notifications?limit=1', { origin: 'https://evil.example' });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });

  it('serves a valid OpenAPI 3.1 document of exactly the notifications API, and its docs', async () => {
    const res = await get(running.url, '/api/v1/notifications/openapi.json');
    assert.equal(res.status, 200);
    const doc = res.json() as unknown as Doc;
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.deepEqual(result.errors, undefined);
    assert.equal(validator.version, '3.1');
    assert.equal(doc.info.title, 'OrderLab notifications API');
    assert.deepEqual(Object.keys(doc.paths), ['/api/v1/notifications']);
    const op = doc.paths['/api/v1/notifications']!.get!;
    assert.equal(op.operationId, 'listNotifications');
    assert.deepEqual(op.parameters?.filter((p) => p.in === 'query').map((p) => p.name).sort(), ['cursor', 'limit', 'orderId']);
    assert.ok(op.parameters?.some((p) => p.in === 'header' && p.name === 'x-request-id'));
    assert.ok(op.responses['200']?.content?.['application/json']);
    for (const status of ['400', '500', '503']) {
      assert.deepEqual(Object.keys(op.responses[status]?.content ?? {}), ['application/problem+json'], status);
      assert.ok(op.responses[status]?.headers?.['X-Request-Id']);
    }
    assert.ok(op.responses['503']?.headers?.['Retry-After']);

    const docs = await get(running.url, '/api/v1/notifications/docs');
    assert.equal(docs.status, 200);
    assert.match(String(docs.headers.get('content-type')), /^text\/html/);
  });
});

describe('the service without a broker', () => {
  it('starts, serves stored notifications, and reports RabbitMQ as not ready', async (t) => {
    const env = await createTestEnvironment(t, 'no_broker');
    const running = await env.startService();
    const event = orderCreated();
    await env.publish(event);
    await waitFor('the notification', () => env.logLines('notification stored', event.id).length === 1);
    await running.stop();

    // A port nothing listens on: the consumer keeps retrying in the background.
    const { url } = await env.startService({ RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1' }, { waitUntilReady: false });
    const ready = await get(url, '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.headers.get('retry-after'), '5');
    const checks = ready.json().checks as Record<string, string>;
    assert.equal(checks.postgres, 'ok');
    assert.notEqual(checks.rabbitmq, 'ok');
    assert.notEqual(checks.consumer, 'ok');
    const page = (await get(url, '/api/v1/notifications')).json() as unknown as Page;
    assert.deepEqual(page.items.map((n) => n.orderId), [event.data.id]);
  });
});
