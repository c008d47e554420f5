import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { sampleValue, waitFor } from '@orderlab/platform/testing';
import type pg from 'pg';
import { orderCreated } from './support/events.js';
import { createTestEnvironment } from './support/test-environment.js';

/** A stored event as the consumer leaves it: its message id and its notification, both `age` old. */
async function insertStored(pool: pg.Pool, age: string, messageId: string = randomUUID(), orderId: string = randomUUID()): Promise<string> {
  await pool.query(
    `WITH claimed AS (INSERT INTO processed_messages (message_id, received_at) VALUES ($1, now() - $2::interval) RETURNING message_id, received_at)
     INSERT INTO notifications (message_id, type, order_id, customer_id, message, redelivered, created_at)
     SELECT message_id, 'order.created', $3, 'cust-0001', 'Order placed.', false, received_at FROM claimed`,
    [messageId, age, orderId],
  );
  return messageId;
}

async function messageIds(pool: pg.Pool, table: 'notifications' | 'processed_messages'): Promise<Set<string>> {
  const { rows } = await pool.query<{ message_id: string }>(`SELECT message_id FROM ${table}`);
  return new Set(rows.map((row) => row.message_id));
}

describe('notifications retention', () => {
  it('prunes notifications past NOTIFICATIONS_RETENTION_HOURS with their message ids, and counts both', async (t) => {
    const env = await createTestEnvironment(t, 'retention');
    await insertStored(env.pool, '8 days');
    const daysOld = await insertStored(env.pool, '3 days');

    const { url } = await env.startService({ PRUNE_INTERVAL_MS: '100' });

    const text = await waitFor('the service to prune the week-old notification and its id', async () => {
      const body = await (await fetch(`${url}/metrics`)).text();
      return sampleValue(body, 'orderlab_pruned_rows_total', { db_collection_name: 'processed_messages' }) === 1 ? body : undefined;
    });
    assert.equal(sampleValue(text, 'orderlab_pruned_rows_total', { db_collection_name: 'notifications' }), 1);
    assert.deepEqual(await messageIds(env.pool, 'notifications'), new Set([daysOld]));
    // Older than the 24 h dedup window, but its notification is kept, so its id is too.
    assert.deepEqual(await messageIds(env.pool, 'processed_messages'), new Set([daysOld]));
  });

  it('keeps message ids for the dedup window after their notifications went: a redelivery is still a duplicate', async (t) => {
    const env = await createTestEnvironment(t, 'retention_dedup');
    const event = orderCreated();
    await insertStored(env.pool, '2 hours', event.id, event.data.id);
    const dayOld = await insertStored(env.pool, '25 hours');

    await env.startService({ NOTIFICATIONS_RETENTION_HOURS: '1', PROCESSED_MESSAGES_RETENTION_HOURS: '24', PRUNE_INTERVAL_MS: '100' });

    await waitFor('both notifications and the day-old id to be pruned', async () =>
      (await messageIds(env.pool, 'notifications')).size === 0 && !(await messageIds(env.pool, 'processed_messages')).has(dayOld));
    assert.deepEqual(await messageIds(env.pool, 'processed_messages'), new Set([event.id]));

    await env.publish(event);

    await waitFor('the redelivered event to be recognised', () => env.logLines('duplicate message skipped', event.id).length === 1);
    assert.equal((await messageIds(env.pool, 'notifications')).size, 0, 'no second notification');
  });
});
