/**
 * Helpers of the event-bus end-to-end tests: a lab tuned for quick event delivery, the two
 * sides of the pipeline as rows (orders' outbox, notifications' tables), the lab's RabbitMQ
 * vhost, and the shared broker's own state.
 */
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { connect as amqpConnect, type Channel, type ChannelModel } from 'amqplib';
import type pg from 'pg';
import type { Lab, LabOptions, LabService } from '@orderlab/lab';
import { rabbitmqctl } from '@orderlab/platform/testing';
import { connect, eventually, http, labFor, placeOrder } from './helpers.js';

/** Short simulated fulfillment and a short relay backoff, so a test waits seconds, not minutes. */
export const FAST_EVENTS_ENV: NonNullable<LabOptions['env']> = {
  orders: { OUTBOX_MAX_BACKOFF_MS: '500' },
  fulfillment: { FULFILLMENT_PICK_MS: '5', FULFILLMENT_PACK_MS: '5', FULFILLMENT_SHIP_MS: '5' },
};

/** A throwaway lab with FAST_EVENTS_ENV under `env` (which wins), disposed after the test. */
export function eventsLab(t: TestContext, label: string, env: LabOptions['env'] = {}): Promise<Lab> {
  const merged: NonNullable<LabOptions['env']> = { ...FAST_EVENTS_ENV };
  for (const [service, vars] of Object.entries(env) as [LabService, Record<string, string>][]) {
    merged[service] = { ...merged[service], ...vars };
  }
  return labFor(t, label, { env: merged });
}

/** The lab's orders and notifications databases; close() before the lab is disposed. */
export async function pipelineDbs(lab: Lab): Promise<{ orders: pg.Client; notifications: pg.Client; close(): Promise<void> }> {
  const orders = await connect(lab.databases.orders.url);
  const notifications = await connect(lab.databases.notifications.url);
  return {
    orders,
    notifications,
    close: async () => {
      await orders.end().catch(() => {});
      await notifications.end().catch(() => {});
    },
  };
}

/** An `events` outbox row: one committed domain event. */
export interface OutboxEvent {
  id: string;
  type: string;
  aggregate_id: string;
  sent_at: Date | null;
  attempts: number;
  last_error: string | null;
}

/** Every committed event (outbox rows of type order.* / item.*), oldest first. */
export async function outboxEvents(orders: pg.Client): Promise<OutboxEvent[]> {
  const { rows } = await orders.query<OutboxEvent>(
    `SELECT id, type, aggregate_id, sent_at, attempts, last_error FROM outbox
      WHERE destination = 'events' AND (type LIKE 'order.%' OR type LIKE 'item.%') ORDER BY seq`,
  );
  return rows;
}

/** Message ids in notifications' processed-message table. */
export async function processedIds(notifications: pg.Client): Promise<string[]> {
  const { rows } = await notifications.query<{ message_id: string }>('SELECT message_id FROM processed_messages');
  return rows.map((r) => r.message_id);
}

/** What the notifications table holds, counted the ways a duplicate would show. */
export interface NotificationCounts {
  rows: number;
  distinctMessages: number;
  /** Distinct (type, order) and (type, product) pairs: a redelivered event written twice shows here. */
  distinctSubjects: number;
  redelivered: number;
}

/** Counts of the notifications table. */
export async function notificationCounts(notifications: pg.Client): Promise<NotificationCounts> {
  const { rows } = await notifications.query<NotificationCounts>(
    `SELECT count(*)::int AS rows,
            count(DISTINCT message_id)::int AS "distinctMessages",
            count(DISTINCT (type, coalesce(order_id::text, ''), coalesce(product_id::text, '')))::int AS "distinctSubjects",
            count(*) FILTER (WHERE redelivered)::int AS redelivered
       FROM notifications`,
  );
  return rows[0]!;
}

/**
 * Waits until every committed event is marked sent and processed by notifications, then returns
 * both sides (sorted ids) for the caller to compare.
 */
export async function waitForAllDelivered(
  dbs: { orders: pg.Client; notifications: pg.Client },
  timeoutMs = 90_000,
): Promise<{ events: string[]; processed: string[] }> {
  let last = { events: [] as string[], processed: [] as string[], unsent: 0 };
  try {
    return await eventually(
      'every committed event to be sent and processed',
      async () => {
        const events = await outboxEvents(dbs.orders);
        const processed = await processedIds(dbs.notifications);
        last = { events: events.map((e) => e.id).sort(), processed: processed.sort(), unsent: events.filter((e) => !e.sent_at).length };
        const done = last.unsent === 0 && last.processed.length >= last.events.length && last.events.every((id) => processed.includes(id));
        return done ? { events: last.events, processed: last.processed } : undefined;
      },
      timeoutMs,
    );
  } catch (err) {
    const missing = last.events.filter((id) => !last.processed.includes(id));
    throw new Error(`${(err as Error).message}: ${last.events.length} events, ${last.unsent} unsent, ${missing.length} not processed (e.g. ${missing.slice(0, 3).join(', ')})`);
  }
}

/** Notifications of one order through the REST API (every page). */
export async function notificationsOf(lab: Lab, orderId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const query = `orderId=${orderId}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await http(lab.urls.notifications, 'GET', `/api/v1/notifications?${query}`);
    if (res.status !== 200) throw new Error(`GET /api/v1/notifications?${query} → ${res.status} ${res.text}`);
    const body = res.json() as { items: Record<string, unknown>[]; nextCursor: string | null };
    items.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return items;
}

/**
 * Places `count` orders through the gateway, `concurrency` at a time, each for one of `products`;
 * every one must be accepted (201). `onPlaced(n)` runs after each, e.g. to break something
 * mid-burst; `paceMs` spreads the burst out (each worker waits that long between its orders).
 */
export async function placeOrders(
  lab: Lab,
  products: string[],
  count: number,
  options: { concurrency?: number; customer?: string; paceMs?: number; onPlaced?: (placed: number) => Promise<void> | void } = {},
): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await placeOrder(lab, {
        customerId: `${options.customer ?? 'cust-events'}-${i % 7}`,
        items: [{ productId: products[i % products.length], quantity: 1 + (i % 3) }],
      });
      if (res.status !== 201) throw new Error(`order ${i}: ${res.status} ${res.text}`);
      ids.push(String(res.json().id));
      await options.onPlaced?.(ids.length);
      if (options.paceMs) await new Promise((r) => setTimeout(r, options.paceMs));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return ids;
}

/** An AMQP connection and channel in the lab's own vhost; close() before the lab is disposed. */
export async function labChannel(lab: Lab): Promise<{ connection: ChannelModel; channel: Channel; close(): Promise<void> }> {
  const connection = await amqpConnect(lab.rabbitmq.url);
  connection.on('error', () => {});
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  return {
    connection,
    channel,
    close: async () => {
      await connection.close().catch(() => {});
    },
  };
}

/** Waits (bounded) until the local broker has fully booted and accepts AMQP connections again. */
export async function waitForBroker(timeoutMs = 60_000): Promise<void> {
  await eventually(
    'RabbitMQ to accept connections again',
    async () => {
      try {
        await rabbitmqctl('await_startup', '--timeout', '10');
        const connection = await amqpConnect('amqp://guest:guest@127.0.0.1:5672');
        await connection.close();
        return true;
      } catch {
        return false;
      }
    },
    timeoutMs,
  );
}

/** A valid `order.created` envelope for an order that exists only in this message. */
export function orderCreatedEnvelope(productId: string): { id: string; orderId: string; body: Buffer } {
  const id = randomUUID();
  const orderId = randomUUID();
  const now = new Date().toISOString();
  const envelope = {
    id,
    type: 'order.created',
    timestamp: now,
    source_service: 'orders',
    data: {
      id: orderId,
      customerId: 'cust-poison',
      status: 'pending',
      items: [{ productId, quantity: 1, unitPriceCents: 1299 }],
      totalCents: 1299,
      currency: 'EUR',
      createdAt: now,
      updatedAt: now,
    },
  };
  return { id, orderId, body: Buffer.from(JSON.stringify(envelope)) };
}
