import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { requeueStaleOrders } from '../src/reconciler.js';
import { createStores } from './helpers.js';

describe('reconciler', () => {
  it('re-queues an open order whose fulfillment request went stale, once', async (t) => {
    const { pool } = await createStores(t, 'reconciler');
    const [stale, fresh, done, waiting] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await pool.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency, fulfillment_requested_at, request_id) VALUES
         ($1, 'c', 'fulfilling', 100, 'USD', now() - interval '2 minutes', 'req-stale'),
         ($2, 'c', 'pending',    100, 'USD', now(),                       'req-fresh'),
         ($3, 'c', 'fulfilled',  100, 'USD', now() - interval '2 minutes', 'req-done'),
         ($4, 'c', 'pending',    100, 'USD', now() - interval '2 minutes', 'req-waiting')`,
      [stale, fresh, done, waiting],
    );
    // `waiting` still has an undelivered request (say Redis is down): nothing to add.
    await pool.query(
      "INSERT INTO outbox (destination, type, aggregate_id, payload) VALUES ('fulfillment', 'fulfillment.requested', $1, '{}')",
      [waiting],
    );

    const requeued = await requeueStaleOrders(pool, 60_000);
    const again = await requeueStaleOrders(pool, 60_000);

    assert.deepEqual(requeued, [stale]);
    assert.deepEqual(again, []);
    const { rows } = await pool.query(
      `SELECT o.fulfillment_requested_at > now() - interval '10 seconds' AS bumped, x.request_id, x.sent_at
         FROM orders o JOIN outbox x ON x.aggregate_id = o.id WHERE o.id = $1`,
      [stale],
    );
    assert.deepEqual(rows, [{ bumped: true, request_id: 'req-stale', sent_at: null }]);
  });
});
