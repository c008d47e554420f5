import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { waitFor } from '@orderlab/platform/testing';
import { CONSUMER_GROUP } from '../src/fulfillment-stream.js';
import { createTestEnvironment, type TestEnvironment } from './support/test-environment.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function request(orderId: string, requestId = `req-${orderId.slice(0, 8)}`): Record<string, string> {
  return { order_id: orderId, request_id: requestId, traceparent: TRACEPARENT, enqueued_at: new Date().toISOString() };
}

const shippedCalls = (env: TestEnvironment, orderId?: string) =>
  env.orders.calls.filter(
    (c) => c.request.outcome === 'FULFILLMENT_OUTCOME_SHIPPED' && c.answered === GrpcStatus.OK && (orderId === undefined || c.request.orderId === orderId),
  );

async function waitUntilSettled(env: TestEnvironment, label: string, done: () => boolean | Promise<boolean>): Promise<void> {
  await waitFor(label, async () => (await done()) && (await env.pending()).length === 0);
}

describe('fulfillment worker', () => {
  it('ships an order from the stream, reports it to orders with the request id, and acks the entry', async (t) => {
    const env = await createTestEnvironment(t, 'ships');
    await env.startWorker();
    const orderId = randomUUID();

    await env.addRequest(request(orderId, 'req-ships-1'));
    await waitUntilSettled(env, 'the order to be reported and acked', () => shippedCalls(env, orderId).length === 1);

    const [call] = env.orders.calls;
    assert.equal(env.orders.calls.length, 1);
    assert.equal(call?.request.orderId, orderId);
    assert.equal(call?.requestId, 'req-ships-1');
    assert.equal(call?.traceparent, TRACEPARENT);
    const [shipment] = await env.shipments();
    assert.equal(shipment?.status, 'reported');
    assert.equal(shipment?.shipment_id, call?.request.shipmentId);
    assert.equal(shipment?.tracking_number, call?.request.trackingNumber);
    assert.equal(shipment?.request_id, 'req-ships-1');

    const orderLines = env.logs.lines().filter((line) => line.order_id === orderId);
    assert.ok(orderLines.length > 0);
    assert.ok(orderLines.every((line) => line.request_id === 'req-ships-1'), 'every log line of the order carries its request id');
  });

  it('does the work once when the same order is delivered twice', async (t) => {
    const env = await createTestEnvironment(t, 'duplicate');
    const orderId = randomUUID();
    // Both entries are read in one batch and race each other; the shipment lease lets one work.
    await env.createGroup();
    await env.addRequest(request(orderId));
    await env.addRequest(request(orderId));
    await env.startWorker({ FULFILLMENT_CLAIM_IDLE_MS: '500' });

    await waitUntilSettled(env, 'both entries to be acked', () => shippedCalls(env, orderId).length >= 1);

    const shipments = await env.shipments();
    assert.equal(shipments.length, 1);
    const calls = shippedCalls(env, orderId);
    assert.ok(calls.every((c) => c.request.shipmentId === shipments[0]?.shipment_id && c.request.trackingNumber === shipments[0]?.tracking_number));
  });

  it('resumes a shipment from the step a crashed attempt reached', async (t) => {
    const env = await createTestEnvironment(t, 'resume');
    const orderId = randomUUID();
    const shipmentId = randomUUID();
    // A previous attempt picked and packed, then its process was killed.
    await env.query(`INSERT INTO shipments (order_id, shipment_id, status, request_id) VALUES ($1, $2, 'packed', 'req-first')`, [orderId, shipmentId]);
    await env.startWorker();

    await env.addRequest(request(orderId));
    await waitUntilSettled(env, 'the shipment to be completed', () => shippedCalls(env, orderId).length === 1);

    const [shipment] = await env.shipments();
    assert.equal(shipment?.shipment_id, shipmentId, 'the same shipment, not a new one');
    assert.equal(shipment?.attempts, 2);
    assert.equal(shipment?.status, 'reported');
    assert.equal(shippedCalls(env, orderId)[0]?.request.shipmentId, shipmentId);
  });

  it('acks a redelivered request of an order already reported without redoing anything', async (t) => {
    const env = await createTestEnvironment(t, 'already_reported');
    await env.startWorker();
    const orderId = randomUUID();
    await env.addRequest(request(orderId));
    await waitUntilSettled(env, 'the first delivery', () => shippedCalls(env, orderId).length === 1);
    const before = await env.shipments();

    // Delivered again, e.g. because the first ack was lost.
    await env.addRequest(request(orderId));
    await waitUntilSettled(env, 'the second delivery to be acked', () =>
      env.logs.lines().some((l) => l.msg === 'order already shipped and reported; nothing to do'),
    );
    assert.equal(env.orders.calls.length, 1);
    assert.deepEqual(await env.shipments(), before);
  });

  it('keeps a request pending while orders is down and completes it once orders is back', async (t) => {
    const env = await createTestEnvironment(t, 'orders_down');
    env.orders.stop();
    await env.startWorker({ FULFILLMENT_CLAIM_IDLE_MS: '200', FULFILLMENT_MAX_DELIVERIES: '1000' });
    const orderId = randomUUID();
    await env.addRequest(request(orderId));

    const [pending] = await waitFor('the request to be redelivered while orders is down', async () => {
      const entries = await env.pending();
      return entries.length === 1 && (entries[0]?.deliveries ?? 0) >= 2 ? entries : undefined;
    });
    assert.ok(pending);
    const [shipment] = await env.shipments();
    assert.equal(shipment?.status, 'shipped', 'the warehouse work is kept; only the report is outstanding');
    assert.deepEqual(await env.deadLetters(), []);

    await env.orders.restart();
    await waitUntilSettled(env, 'the request to complete after orders is back', () => shippedCalls(env, orderId).length === 1);
    const [reported] = await env.shipments();
    assert.equal(reported?.status, 'reported');
    assert.equal(reported?.shipment_id, shipment?.shipment_id);
  });

  it('reclaims the request of a consumer that died and completes it', async (t) => {
    const env = await createTestEnvironment(t, 'reclaim');
    const orderId = randomUUID();
    await env.createGroup();
    await env.addRequest(request(orderId));
    // Another worker read the request and died without acking it.
    await env.redis.xreadgroup('GROUP', CONSUMER_GROUP, 'crashed-worker', 'COUNT', 10, 'STREAMS', env.keys.requests, '>');
    assert.deepEqual((await env.pending()).map((p) => p.consumer), ['crashed-worker']);

    await env.startWorker({ FULFILLMENT_CLAIM_IDLE_MS: '200' });

    await waitUntilSettled(env, 'the reclaimed request to complete', () => shippedCalls(env, orderId).length === 1);
    assert.equal((await env.shipments())[0]?.status, 'reported');
  });

  it('redoes its own pending requests at once after a restart under the same name', async (t) => {
    const env = await createTestEnvironment(t, 'own_pending');
    const orderId = randomUUID();
    await env.createGroup();
    await env.addRequest(request(orderId));
    // The previous process with this CONSUMER_NAME read the request, then was killed.
    await env.redis.xreadgroup('GROUP', CONSUMER_GROUP, 'worker-under-test', 'COUNT', 10, 'STREAMS', env.keys.requests, '>');

    // A long idle threshold: only the own-pending recovery can pick it up within the test.
    await env.startWorker({ FULFILLMENT_CLAIM_IDLE_MS: '600000' });

    await waitUntilSettled(env, 'the own pending request to complete', () => shippedCalls(env, orderId).length === 1);
  });

  it('does not let a request that outlasts FULFILLMENT_CLAIM_IDLE_MS be reclaimed while it is in progress', async (t) => {
    const env = await createTestEnvironment(t, 'slow');
    await env.startWorker({ FULFILLMENT_PICK_MS: '800', FULFILLMENT_CLAIM_IDLE_MS: '200', FULFILLMENT_MAX_DELIVERIES: '2' });
    const orderId = randomUUID();

    await env.addRequest(request(orderId));

    await waitUntilSettled(env, 'the slow request to complete', () => shippedCalls(env, orderId).length === 1);
    assert.deepEqual(await env.deadLetters(), []);
    const [shipment] = await env.shipments();
    assert.equal(shipment?.attempts, 1, 'worked on once, not taken over midway');
  });

  it('dead-letters a poison request after the delivery limit, reports the order failed, and keeps the rest flowing', async (t) => {
    const env = await createTestEnvironment(t, 'poison');
    const [good1, poison, good2] = [randomUUID(), randomUUID(), randomUUID()];
    env.orders.behaviour = (req) =>
      req.orderId === poison && req.outcome === 'FULFILLMENT_OUTCOME_SHIPPED' ? GrpcStatus.INTERNAL : undefined;
    await env.startWorker({ FULFILLMENT_CLAIM_IDLE_MS: '400', FULFILLMENT_MAX_DELIVERIES: '3' });

    await env.addRequest(request(good1));
    await env.addRequest(request(poison, 'req-poison'));
    await env.addRequest({ order_id: 'not-a-uuid', request_id: 'req-malformed' });
    await env.addRequest(request(good2));

    await waitUntilSettled(env, 'every request to be settled', async () => (await env.deadLetters()).length === 2);

    assert.equal(shippedCalls(env, good1).length, 1);
    assert.equal(shippedCalls(env, good2).length, 1);
    const poisonAttempts = env.orders.calls.filter((c) => c.request.orderId === poison && c.request.outcome === 'FULFILLMENT_OUTCOME_SHIPPED');
    assert.equal(poisonAttempts.length, 3, 'one attempt per allowed delivery');

    const dead = await env.deadLetters();
    const deadPoison = dead.find((d) => d.fields.order_id === poison);
    assert.equal(deadPoison?.fields.request_id, 'req-poison');
    assert.equal(deadPoison?.fields.traceparent, TRACEPARENT);
    assert.equal(deadPoison?.fields.deliveries, '3');
    assert.match(deadPoison?.fields.reason ?? '', /failed 3 times: INTERNAL/);
    const deadMalformed = dead.find((d) => d.fields.order_id === 'not-a-uuid');
    assert.equal(deadMalformed?.fields.deliveries, '1');
    assert.match(deadMalformed?.fields.reason ?? '', /malformed request: order_id is not a UUID/);

    await waitFor('the failure to be reported', () => env.orders.calls.some((c) => c.request.orderId === poison && c.request.outcome === 'FULFILLMENT_OUTCOME_FAILED'));
    const failed = env.orders.calls.find((c) => c.request.outcome === 'FULFILLMENT_OUTCOME_FAILED');
    assert.equal(failed?.request.orderId, poison);
    assert.equal(failed?.requestId, 'req-poison');
    assert.match(failed?.request.failureReason ?? '', /INTERNAL/);
    assert.ok(
      env.logs.lines().some((l) => l.level === 'error' && l.msg === 'fulfillment request dead-lettered' && l.order_id === poison),
      'the dead letter is logged at error level',
    );
  });

  it('dead-letters at once a request orders rejects for good', async (t) => {
    const env = await createTestEnvironment(t, 'rejected');
    const orderId = randomUUID();
    env.orders.behaviour = () => GrpcStatus.NOT_FOUND;
    await env.startWorker({ FULFILLMENT_MAX_DELIVERIES: '5' });

    await env.addRequest(request(orderId));

    await waitUntilSettled(env, 'the request to be dead-lettered', async () => (await env.deadLetters()).length === 1);
    const [dead] = await env.deadLetters();
    assert.equal(dead?.fields.deliveries, '1');
    assert.match(dead?.fields.reason ?? '', /rejected: NOT_FOUND/);
  });

  it('never has more than FULFILLMENT_CONCURRENCY requests in flight, and completes them all', async (t) => {
    const env = await createTestEnvironment(t, 'concurrency');
    // Orders takes a moment per call, so requests in flight overlap in the fake.
    env.orders.behaviour = () => new Promise((resolve) => setTimeout(() => resolve(undefined), 30));
    const orderIds = Array.from({ length: 10 }, () => randomUUID());
    await env.createGroup();
    for (const orderId of orderIds) await env.addRequest(request(orderId));

    await env.startWorker({ FULFILLMENT_CONCURRENCY: '2' });

    await waitUntilSettled(env, 'all ten orders to complete', () => shippedCalls(env).length === 10);
    assert.deepEqual(new Set(shippedCalls(env).map((c) => c.request.orderId)), new Set(orderIds));
    assert.equal(env.orders.maxConcurrent, 2);
    assert.equal((await env.shipments()).filter((s) => s.status === 'reported').length, 10);
  });

  it('finishes and acks the request in progress before stop() resolves', async (t) => {
    const env = await createTestEnvironment(t, 'graceful_stop');
    const running = await env.startWorker({ FULFILLMENT_PICK_MS: '1000' });
    const orderId = randomUUID();
    await env.addRequest(request(orderId));
    await waitFor('the request to be mid-pick', async () => (await env.shipments())[0]?.status === 'received');

    await running.stop();

    assert.equal(shippedCalls(env, orderId).length, 1);
    assert.deepEqual(await env.pending(), []);
    assert.equal((await env.shipments())[0]?.status, 'reported');
  });

  it('stops at its drain deadline when a request takes too long, leaving it pending for redelivery', async (t) => {
    const env = await createTestEnvironment(t, 'drain_deadline');
    // The pick takes longer than the 5 s drain deadline.
    const running = await env.startWorker({ FULFILLMENT_PICK_MS: '8000' });
    const orderId = randomUUID();
    await env.addRequest(request(orderId));
    await waitFor('the request to be mid-pick', async () => (await env.shipments())[0]?.status === 'received');

    await running.stop();

    assert.equal(shippedCalls(env, orderId).length, 0, 'not reported');
    assert.equal((await env.pending()).length, 1, 'still pending in the group, so it is reclaimed after a restart');
  });

  it('answers /healthz, and /readyz once Postgres and Redis answer', async (t) => {
    const env = await createTestEnvironment(t, 'ops');
    const { opsPort } = await env.startWorker();

    const health = await fetch(`http://127.0.0.1:${opsPort}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('starts while Redis is unreachable and reports itself not ready', async (t) => {
    const env = await createTestEnvironment(t, 'redis_down');
    const { opsPort } = await env.startWorker({ REDIS_URL: 'redis://127.0.0.1:1' });

    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as { checks: Record<string, string> };
    assert.equal(body.checks.postgres, 'ok');
    assert.notEqual(body.checks.redis, 'ok');
  });
});
