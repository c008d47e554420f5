/**
 * The event-bus part of `npm run bench`, on the real path (orders' outbox relay → RabbitMQ →
 * notifications), timed by the databases' own clocks:
 *
 * - publish: a backlog of events waits in the outbox while orders cannot reach RabbitMQ (the
 *   lab's vhost refuses connections), then the relay drains it with publisher confirms;
 *   rate = events / (last sent_at − first sent_at).
 * - consume: the same events wait in the `notifications` queue while the service is stopped,
 *   then it drains them; rate = events / (last − first notification created_at).
 * - latency: orders placed one at a time; order created_at (orders DB) → its order.created
 *   notification's created_at (notifications DB), p50 / p99.
 */
import { randomUUID } from 'node:crypto';
import type { Lab } from '@orderlab/lab';
import { closeVhostConnections, rabbitmqctl } from '@orderlab/platform/testing';
import pg from 'pg';
import { percentile } from './load.js';

/** Measured event figures. */
export interface EventResults {
  /** Events in the backlog of each drain. */
  backlog: number;
  publishedPerSecond: number;
  consumedPerSecond: number;
  latency: { orders: number; p50Ms: number; p99Ms: number; maxMs: number };
}

interface Api {
  request(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; expect: number }): Promise<string>;
}

async function waitUntil(label: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(sql, params);
  return rows[0]?.n ?? 0;
}

/** Runs the three measurements against a running lab; leaves every service running. */
export async function measureEvents(
  lab: Lab,
  api: Api,
  orderBody: (i: number) => unknown,
  options: { backlogOrders: number; latencyOrders: number; concurrency: number; say: (line: string) => void },
): Promise<EventResults> {
  const { say } = options;
  const ordersDb = new pg.Pool({ connectionString: lab.databases.orders.url, max: 2 });
  const notificationsDb = new pg.Pool({ connectionString: lab.databases.notifications.url, max: 2 });
  const vhost = lab.rabbitmq.vhost;
  try {
    const place = async (n: number, concurrency: number): Promise<string[]> => {
      const ids: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < n) {
            const i = next++;
            const body = await api.request('POST', '/api/v1/orders', { body: orderBody(i), headers: { 'idempotency-key': randomUUID() }, expect: 201 });
            ids.push((JSON.parse(body) as { id: string }).id);
          }
        }),
      );
      return ids;
    };
    const allFulfilled = (ids: string[]) =>
      waitUntil('the orders to be fulfilled', async () => (await count(ordersDb, "SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'fulfilled'", [ids])) === ids.length, 600_000);

    // Backlog: notifications stopped (its queue keeps what arrives), and orders cut off from the
    // broker — the vhost admits no connections, so its relay waits, claiming nothing.
    say(`events: building a backlog (${options.backlogOrders} orders, RabbitMQ unreachable for orders, notifications stopped)…`);
    await lab.kill('notifications', 'SIGTERM');
    await rabbitmqctl('set_vhost_limits', '-p', vhost, '{"max-connections": 0}');
    let limited = true;
    try {
      await closeVhostConnections(vhost, 'bench: building an outbox backlog');
      const ids = await place(options.backlogOrders, options.concurrency);
      await allFulfilled(ids);
      const backlog = await count(ordersDb, "SELECT count(*)::int AS n FROM outbox WHERE destination = 'events' AND sent_at IS NULL");

      await rabbitmqctl('clear_vhost_limits', '-p', vhost);
      limited = false;
      await waitUntil('the relay to drain the outbox', async () => (await count(ordersDb, "SELECT count(*)::int AS n FROM outbox WHERE destination = 'events' AND sent_at IS NULL")) === 0, 600_000);
      // sent_at is now() of the round's transaction, i.e. when the round began: the rounds before
      // the last one published their rows between the first and the last sent_at.
      const { rows: sent } = await ordersDb.query<{ n: number; before_last: number; seconds: number }>(
        `WITH backlog AS (SELECT sent_at FROM outbox WHERE destination = 'events' AND aggregate_id = ANY($1::uuid[]))
         SELECT count(*)::int AS n,
                count(*) FILTER (WHERE sent_at < (SELECT max(sent_at) FROM backlog))::int AS before_last,
                extract(epoch FROM max(sent_at) - min(sent_at))::float8 AS seconds
           FROM backlog`,
        [ids],
      );
      const publishedPerSecond = (sent[0]?.before_last ?? 0) / Math.max(sent[0]?.seconds ?? 0, 1e-3);
      say(`events: relay published ${sent[0]?.n} events with confirms in ${(sent[0]?.seconds ?? 0).toFixed(2)} s   ${publishedPerSecond.toFixed(0)} events/s`);

      // Consume: the queue now holds the whole backlog; start notifications and time its drain.
      await lab.restart('notifications');
      const messageIds = (await ordersDb.query<{ id: string }>("SELECT id FROM outbox WHERE destination = 'events' AND aggregate_id = ANY($1::uuid[])", [ids])).rows.map((r) => r.id);
      await waitUntil('notifications to drain the queue', async () => (await count(notificationsDb, 'SELECT count(*)::int AS n FROM notifications WHERE message_id = ANY($1::uuid[])', [messageIds])) === messageIds.length, 600_000);
      const { rows: consumed } = await notificationsDb.query<{ n: number; seconds: number }>(
        `SELECT count(*)::int AS n, extract(epoch FROM max(created_at) - min(created_at))::float8 AS seconds
           FROM notifications WHERE message_id = ANY($1::uuid[])`,
        [messageIds],
      );
      const consumedPerSecond = Math.max((consumed[0]?.n ?? 0) - 1, 0) / Math.max(consumed[0]?.seconds ?? 0, 1e-3);
      say(`events: notifications consumed ${consumed[0]?.n} events in ${(consumed[0]?.seconds ?? 0).toFixed(2)} s   ${consumedPerSecond.toFixed(0)} events/s`);

      // Latency: one order at a time, so nothing queues; both clocks are the one Postgres server's.
      const latencyIds: string[] = [];
      for (let i = 0; i < options.latencyOrders; i++) {
        latencyIds.push(...(await place(1, 1)));
        await new Promise((r) => setTimeout(r, 10));
      }
      await waitUntil('the latency orders to be notified', async () => (await count(notificationsDb, "SELECT count(*)::int AS n FROM notifications WHERE type = 'order.created' AND order_id = ANY($1::uuid[])", [latencyIds])) === latencyIds.length, 120_000);
      const created = new Map(
        (await ordersDb.query<{ id: string; t: number }>('SELECT id, extract(epoch FROM created_at)::float8 * 1000 AS t FROM orders WHERE id = ANY($1::uuid[])', [latencyIds])).rows.map((r) => [r.id, Number(r.t)]),
      );
      const notified = (await notificationsDb.query<{ order_id: string; t: number }>(
        "SELECT order_id, extract(epoch FROM created_at)::float8 * 1000 AS t FROM notifications WHERE type = 'order.created' AND order_id = ANY($1::uuid[])",
        [latencyIds],
      )).rows;
      const lat = notified.map((r) => Number(r.t) - (created.get(r.order_id) ?? Number.NaN)).sort((a, b) => a - b);
      const latency = { orders: lat.length, p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), maxMs: lat[lat.length - 1] ?? Number.NaN };
      say(`events: order created → order.created notification stored (${latency.orders} orders, one at a time)   p50 ${latency.p50Ms.toFixed(2)} ms   p99 ${latency.p99Ms.toFixed(2)} ms   max ${latency.maxMs.toFixed(2)} ms`);
      return { backlog, publishedPerSecond, consumedPerSecond, latency };
    } finally {
      if (limited) await rabbitmqctl('clear_vhost_limits', '-p', vhost).catch(() => {});
      if (!lab.services.notifications.running) await lab.restart('notifications').catch(() => {});
    }
  } finally {
    await ordersDb.end();
    await notificationsDb.end();
  }
}
