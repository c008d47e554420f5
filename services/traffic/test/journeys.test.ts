import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildGateway, parseGatewayConfig } from '@orderlab/gateway';
import { buildNotificationsService, OPENAPI_PATH as NOTIFICATIONS_OPENAPI, parseNotificationsConfig } from '@orderlab/notifications';
import { createLogger } from '@orderlab/platform';
import { JOURNEYS, JourneyPlanner, parseJourneyWeights, REQUEST_KINDS, type JourneyWeights, type PlannedRequest, type RequestKind } from '../src/journeys.js';
import { requestProblems, type OpenApiDocument } from './support/openapi-requests.js';
import { seededRandom } from './support/seeded-random.js';

const WEIGHTS = parseJourneyWeights('browse=30,view-product=30,place-order=15,poll-order=15,read-notifications=10');

/** A catalog page as the gateway answers it. */
function page(ids: string[], nextCursor: string | null): string {
  return JSON.stringify({ items: ids.map((id) => ({ id, sku: 'SKU-1', name: 'x', description: '', priceCents: 1, currency: 'EUR', createdAt: '2024-01-01T00:00:00Z' })), nextCursor });
}

/** Answers each request as the lab would (201 with a new id for orders), so the planner's memory fills. */
function answer(planner: JourneyPlanner, request: PlannedRequest, catalog: string[]): void {
  if (request.kind === 'browse') planner.learn(request, { status: 200, body: page(catalog.slice(0, 20), 'abc_DEF-1') });
  else if (request.kind === 'place-order') planner.learn(request, { status: 201, body: JSON.stringify({ id: randomUUID() }) });
  else planner.learn(request, { status: 200 });
}

describe('journey weights', () => {
  it('parses name=weight pairs; journeys left out weigh 0', () => {
    assert.deepEqual(parseJourneyWeights('browse=1, place-order=2.5'), { browse: 1, 'view-product': 0, 'place-order': 2.5, 'poll-order': 0, 'read-notifications': 0 });
  });

  it('rejects unknown journeys, bad syntax and an all-zero mix', () => {
    assert.throws(() => parseJourneyWeights('browse=1,checkout=2'), /unknown journey "checkout"/);
    assert.throws(() => parseJourneyWeights('browse:1'), /name=weight/);
    assert.throws(() => parseJourneyWeights('browse=-1'), /name=weight/);
    assert.throws(() => parseJourneyWeights('browse=0'), /at least one/);
  });

  it('draws journeys in proportion to their weights', () => {
    const planner = new JourneyPlanner({ weights: WEIGHTS, retryRatio: 0, random: seededRandom(1) });
    const counts = Object.fromEntries(JOURNEYS.map((j) => [j, 0])) as JourneyWeights;
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[planner.draw()] += 1;
    for (const j of JOURNEYS) assert.ok(Math.abs(counts[j] / n - WEIGHTS[j] / 100) < 0.01, `${j}: ${counts[j]}`);
  });
});

describe('JourneyPlanner', () => {
  it('browses first: without known products every journey that needs one becomes a catalog read', () => {
    const planner = new JourneyPlanner({ weights: WEIGHTS, retryRatio: 0.5, random: seededRandom(2) });
    for (const journey of ['view-product', 'place-order', 'poll-order'] as const) {
      const request = planner.plan(journey);
      assert.equal(request.kind, 'browse');
      assert.match(request.path, /^\/api\/v1\/products\?limit=(10|20|50)$/);
    }
    assert.equal(planner.plan('read-notifications').path, '/api/v1/notifications?limit=20');
  });

  it('uses what it learnt: product ids in views and orders, placed orders in polls and notifications', () => {
    const catalog: string[] = Array.from({ length: 20 }, () => randomUUID());
    const planner = new JourneyPlanner({ weights: WEIGHTS, retryRatio: 0, random: seededRandom(3) });
    answer(planner, planner.plan('browse'), catalog);
    const view = planner.plan('view-product');
    assert.ok(catalog.includes(view.path.slice('/api/v1/products/'.length)), view.path);
    const order = planner.plan('place-order');
    assert.equal(order.kind, 'place-order');
    const body = JSON.parse(order.body!) as { customerId: string; items: { productId: string; quantity: number }[] };
    assert.ok(body.items.every((i) => catalog.includes(i.productId)));
    assert.equal(new Set(body.items.map((i) => i.productId)).size, body.items.length);
    const orderId = randomUUID();
    planner.learn(order, { status: 201, body: JSON.stringify({ id: orderId }) });
    assert.equal(planner.plan('poll-order').path, `/api/v1/orders/${orderId}`);
    assert.equal(planner.plan('read-notifications').path, `/api/v1/notifications?orderId=${orderId}`);
    // The next page of what it browsed, some of the time.
    const paths = Array.from({ length: 20 }, () => planner.plan('browse').path);
    assert.ok(paths.some((p) => p.endsWith('&cursor=abc_DEF-1')) && paths.some((p) => !p.includes('cursor')));
  });

  it('re-sends only completed orders, with the same Idempotency-Key and the same body, each once', () => {
    const catalog: string[] = Array.from({ length: 20 }, () => randomUUID());
    const planner = new JourneyPlanner({ weights: WEIGHTS, retryRatio: 1, random: seededRandom(4) });
    answer(planner, planner.plan('browse'), catalog);
    const first = planner.plan('place-order');
    assert.equal(first.kind, 'place-order'); // nothing completed yet
    const again = planner.plan('place-order');
    assert.equal(again.kind, 'place-order'); // the first has not completed: a retry now would get 409
    assert.notEqual(again.headers['idempotency-key'], first.headers['idempotency-key']);
    planner.learn(first, { status: 201, body: JSON.stringify({ id: randomUUID() }) });
    const retry = planner.plan('place-order');
    assert.equal(retry.kind, 'retry-order');
    assert.equal(retry.headers['idempotency-key'], first.headers['idempotency-key']);
    assert.equal(retry.body, first.body);
    assert.equal(planner.plan('place-order').kind, 'place-order');
    // A failed order is not retried.
    const failed = planner.plan('place-order');
    planner.learn(failed, { status: 503 });
    assert.equal(planner.plan('place-order').kind, 'place-order');
  });

  it('keeps a bounded memory however much it is told', () => {
    const planner = new JourneyPlanner({ weights: WEIGHTS, retryRatio: 0.1, random: seededRandom(5) });
    for (let i = 0; i < 100; i++) planner.learn(planner.plan('browse'), { status: 200, body: page(Array.from({ length: 50 }, () => randomUUID()), null) });
    for (let i = 0; i < 1000; i++) planner.learn(planner.plan('place-order'), { status: 201, body: JSON.stringify({ id: randomUUID() }) });
    const memory = planner.memory();
    assert.ok(memory.products <= 500 && memory.orders <= 200 && memory.retryable <= 100, JSON.stringify(memory));
  });

  it('ignores bodies that are not what the API promises', () => {
    const planner = new JourneyPlanner({ weights: WEIGHTS, retryRatio: 0, random: seededRandom(6) });
    planner.learn(planner.plan('browse'), { status: 200, body: '{"items":[{"id":"../../admin"},{"id":42}]}' });
    planner.learn(planner.plan('browse'), { status: 200, body: 'not json' });
    assert.equal(planner.memory().products, 0);
    assert.equal(planner.plan('view-product').kind, 'browse');
  });
});

describe('generated requests against the real APIs', () => {
  let gatewayDoc: OpenApiDocument;
  let notificationsDoc: OpenApiDocument;
  const logger = createLogger({ service: 'traffic-test', level: 'silent' });
  // Both services are built but never started: nothing connects, app.inject serves their OpenAPI documents.
  const gateway = buildGateway(parseGatewayConfig({ ORDERS_GRPC_ADDR: '127.0.0.1:1' }), { logger });
  const notifications = buildNotificationsService(parseNotificationsConfig({}), { logger });

  before(async () => {
    gatewayDoc = (await gateway.app.inject('/api/v1/openapi.json')).json();
    notificationsDoc = (await notifications.app.inject(NOTIFICATIONS_OPENAPI)).json();
  });
  after(async () => {
    await gateway.stop();
    await notifications.stop();
  });

  it("every kind of request is valid against the gateway's and notifications' schemas", () => {
    const catalog: string[] = Array.from({ length: 60 }, () => randomUUID());
    const planner = new JourneyPlanner({ weights: WEIGHTS, retryRatio: 0.2, random: seededRandom(8) });
    const seen = new Set<RequestKind>();
    for (let i = 0; i < 2000; i++) {
      const request = planner.next();
      seen.add(request.kind);
      const doc = request.path.startsWith('/api/v1/notifications') ? notificationsDoc : gatewayDoc;
      assert.deepEqual(requestProblems(doc, request), [], `${request.method} ${request.path} ${request.body ?? ''}`);
      answer(planner, request, catalog);
    }
    assert.deepEqual([...seen].sort(), [...REQUEST_KINDS].sort());
  });

  it('the checker itself rejects what the gateway would reject', () => {
    const bad: PlannedRequest = { kind: 'place-order', method: 'POST', path: '/api/v1/orders', headers: { 'content-type': 'application/json' }, body: '{"customerId":"a b","items":[]}', readBody: false };
    const problems = requestProblems(gatewayDoc, bad);
    assert.ok(problems.some((p) => p.includes('idempotency-key')) && problems.some((p) => p.startsWith('body')), problems.join('; '));
    assert.deepEqual(requestProblems(gatewayDoc, { ...bad, method: 'GET', path: '/api/v1/products?limit=500&sort=name', body: undefined }).length, 2);
  });
});
