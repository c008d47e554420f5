import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findSamples, promtoolProblems, sampleValue, waitFor } from '@orderlab/platform/testing';
import { orderCreated } from './support/events.js';
import { createTestEnvironment } from './support/test-environment.js';

const queue = { messaging_system: 'rabbitmq', messaging_destination_name: 'notifications' };

describe('GET /metrics (notifications)', () => {
  it('reports consumed, stored, duplicate and dead-lettered events, the REST API and the statements', async (t) => {
    const env = await createTestEnvironment(t, 'metrics');
    const { url } = await env.startService();
    const event = orderCreated();
    await env.publish(event);
    await env.publish(event); // the same event id again: a duplicate
    await env.publish({ not: 'an event' }, { routingKey: 'order.created', messageId: 'poison-1' });

    const text = await waitFor('three deliveries to be processed', async () => {
      const res = await fetch(`${url}/metrics`);
      const body = await res.text();
      return sampleValue(body, 'messaging_process_duration_seconds_count', queue) === 3 ? body : undefined;
    });
    assert.equal((await fetch(`${url}/api/v1/notifications?orderId=${event.data.id}`)).status, 200);
    const after = await (await fetch(`${url}/metrics`)).text();

    assert.equal(sampleValue(text, 'messaging_client_consumed_messages_total', queue), 3);
    assert.equal(sampleValue(text, 'messaging_process_duration_seconds_count', { ...queue, error_type: '' }), 2, 'a duplicate is a success');
    assert.equal(sampleValue(text, 'messaging_process_duration_seconds_count', { ...queue, error_type: 'invalid' }), 1);
    assert.equal(sampleValue(text, 'orderlab_messaging_dead_lettered_messages_total', queue), 1);
    assert.equal(sampleValue(text, 'orderlab_messaging_redelivered_messages_total', queue), 0);
    assert.equal(sampleValue(text, 'orderlab_notifications_stored_total', { event_type: 'order.created', result: 'stored' }), 1);
    assert.equal(sampleValue(text, 'orderlab_notifications_stored_total', { event_type: 'order.created', result: 'duplicate' }), 1);
    assert.ok(findSamples(text, 'db_client_operation_duration_seconds_count', { db_client_connection_pool_name: 'notifications', error_type: '' }).length > 0);
    assert.equal(
      sampleValue(after, 'http_server_request_duration_seconds_count', { http_request_method: 'GET', http_route: '/api/v1/notifications', http_response_status_code: '200' }),
      1,
    );
    assert.equal(findSamples(after, 'http_server_request_duration_seconds_count', { http_route: '/metrics' }).length, 0);
    assert.equal(sampleValue(after, 'orderlab_build_info', { service_name: 'notifications' }), 1);
    assert.deepEqual(await promtoolProblems(after), []);
  });

  it('is a 404 with METRICS_ENABLED=false', async (t) => {
    const env = await createTestEnvironment(t, 'metrics_off');
    const { url } = await env.startService({ METRICS_ENABLED: 'false' });
    assert.equal((await fetch(`${url}/metrics`)).status, 404);
    assert.equal((await fetch(`${url}/api/v1/notifications`)).status, 200);
  });
});
