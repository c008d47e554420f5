import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createServiceMetrics } from '@orderlab/platform/metrics';
import { findSamples, promtoolProblems, sampleValue, waitFor } from '@orderlab/platform/testing';
import { registerQueueGauges } from '../src/fulfillment-metrics.js';
import { CONSUMER_GROUP } from '../src/fulfillment-stream.js';
import { createTestEnvironment } from './support/test-environment.js';

const stream = { messaging_system: 'redis', messaging_destination_name: 'fulfillment:requests' };

async function scrape(opsPort: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

describe('GET /metrics on the fulfillment ops port', () => {
  it('reports consumed, processed and dead-lettered requests, the queue, the orders call and the statements', async (t) => {
    const env = await createTestEnvironment(t, 'metrics');
    const { opsPort } = await env.startWorker();
    await env.addRequest({ order_id: randomUUID(), request_id: 'req-metrics-1', traceparent: '', enqueued_at: new Date().toISOString() });
    await env.addRequest({ nonsense: 'yes' });

    const text = await waitFor('both requests to be settled', async () => {
      const body = await scrape(opsPort);
      const done = sampleValue(body, 'messaging_process_duration_seconds_count', stream) === 2 && (await env.pending()).length === 0;
      return done ? body : undefined;
    });

    assert.equal(sampleValue(text, 'messaging_client_consumed_messages_total', stream), 2);
    assert.equal(sampleValue(text, 'messaging_process_duration_seconds_count', { ...stream, error_type: '' }), 1);
    assert.equal(sampleValue(text, 'messaging_process_duration_seconds_count', { ...stream, error_type: 'invalid' }), 1);
    assert.equal(sampleValue(text, 'orderlab_messaging_dead_lettered_messages_total', stream), 1);
    assert.equal(sampleValue(text, 'orderlab_messaging_redelivered_messages_total', stream), 0);
    const queue = { messaging_destination_name: 'fulfillment:requests' };
    assert.equal(sampleValue(text, 'orderlab_queue_messages', { ...queue, state: 'dead' }), 1);
    assert.equal(sampleValue(text, 'orderlab_queue_messages', { ...queue, state: 'lag' }), 0);
    assert.equal(sampleValue(text, 'orderlab_queue_messages', { ...queue, state: 'pending' }), 0);
    assert.equal(sampleValue(text, 'orderlab_queue_oldest_message_age_seconds', queue), 0);
    assert.equal(
      sampleValue(text, 'rpc_client_call_duration_seconds_count', {
        rpc_system_name: 'grpc',
        rpc_method: 'orderlab.orders.v1.OrderService/CompleteFulfillment',
        rpc_status_code: 'OK',
      }),
      1,
    );
    assert.ok(findSamples(text, 'db_client_operation_duration_seconds_count', { db_client_connection_pool_name: 'fulfillment', db_collection_name: 'shipments' }).length > 0);
    assert.equal(sampleValue(text, 'orderlab_build_info', { service_name: 'fulfillment' }), 1);
    assert.deepEqual(await promtoolProblems(text), []);
  });

  it('shows undelivered (lag) and pending entries and the age of the oldest', async (t) => {
    const env = await createTestEnvironment(t, 'metrics_queue');
    await env.createGroup();
    const first = await env.addRequest({ order_id: randomUUID() });
    await env.addRequest({ order_id: randomUUID() });
    await env.addRequest({ order_id: randomUUID() });
    // One entry delivered to a consumer that never acks it.
    await env.redis.xreadgroup('GROUP', CONSUMER_GROUP, 'stalled', 'COUNT', 1, 'STREAMS', env.keys.requests, '>');

    const metrics = createServiceMetrics({ enabled: true, service: 'fulfillment', version: 'test' });
    const now = Number(first.split('-')[0]) + 30_000;
    registerQueueGauges(metrics, { redis: env.redis, keys: env.keys, now: () => now });
    const text = await metrics.registry!.metrics();
    const queue = { messaging_destination_name: 'fulfillment:requests' };
    assert.equal(sampleValue(text, 'orderlab_queue_messages', { ...queue, state: 'lag' }), 2);
    assert.equal(sampleValue(text, 'orderlab_queue_messages', { ...queue, state: 'pending' }), 1);
    assert.equal(sampleValue(text, 'orderlab_queue_messages', { ...queue, state: 'dead' }), 0);
    assert.equal(sampleValue(text, 'orderlab_queue_oldest_message_age_seconds', queue), 30);
  });

  it('is a 404 with METRICS_ENABLED=false', async (t) => {
    const env = await createTestEnvironment(t, 'metrics_off');
    const { opsPort } = await env.startWorker({ METRICS_ENABLED: 'false' });
    assert.equal((await fetch(`http://127.0.0.1:${opsPort}/metrics`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${opsPort}/healthz`)).status, 200);
  });
});
