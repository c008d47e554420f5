import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { sampleValue, waitFor } from '@orderlab/platform/testing';
import { createTestEnvironment } from './support/test-environment.js';

describe('shipments retention', () => {
  it('prunes shipments untouched for SHIPMENTS_RETENTION_HOURS, reported or given up, and counts them', async (t) => {
    const env = await createTestEnvironment(t, 'retention');
    const [reportedLongAgo, abandoned, reportedRecently, inProgress] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await env.query(
      `INSERT INTO shipments (order_id, status, tracking_number, shipped_at, reported_at, created_at, updated_at) VALUES
         ($1, 'reported', 'TRK-1', now() - interval '8 days', now() - interval '8 days', now() - interval '8 days', now() - interval '8 days'),
         ($2, 'picked',   NULL,    NULL,                      NULL,                      now() - interval '8 days', now() - interval '8 days'),
         ($3, 'reported', 'TRK-3', now() - interval '6 days', now() - interval '6 days', now() - interval '6 days', now() - interval '6 days'),
         ($4, 'received', NULL,    NULL,                      NULL,                      now(),                     now())`,
      [reportedLongAgo, abandoned, reportedRecently, inProgress],
    );

    const { opsPort } = await env.startWorker({ SHIPMENTS_RETENTION_HOURS: String(7 * 24), PRUNE_INTERVAL_MS: '100' });

    await waitFor('the worker to prune the week-old shipments', async () => (await env.shipments()).length === 2);
    assert.deepEqual(new Set((await env.shipments()).map((s) => s.order_id)), new Set([reportedRecently, inProgress]));
    const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    assert.equal(sampleValue(text, 'orderlab_pruned_rows_total', { db_collection_name: 'shipments' }), 2);
    assert.deepEqual(env.logs.lines().find((line) => line.msg === 'old rows pruned')?.pruned, { shipments: 2 });
  });
});
