/** Test helpers for the events relay: a RabbitMQ vhost per test, queues to observe, outbox rows. */
import { connectRabbitMq, type RabbitMq } from '@orderlab/platform/rabbitmq';
import { createTestVhost, type TestVhost } from '@orderlab/platform/testing';
import amqp, { type Channel, type GetMessage } from 'amqplib';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type pg from 'pg';
import { buildEventPublisher, declareEventExchanges, type EventPublisher } from '../src/event-publisher.js';
import { buildEventRelay, type EventRelay, type EventRelayOptions } from '../src/event-relay.js';
import type { TestStores } from './helpers.js';

/** A fresh vhost for one test, dropped after it (after everything registered later has closed). */
export async function testVhost(stores: Pick<TestStores, 'onCleanup'>, label: string): Promise<TestVhost> {
  const vhost = await createTestVhost(`orders_${label}`);
  stores.onCleanup(() => vhost.drop());
  return vhost;
}

/** Runs fn on a short-lived channel of its own connection (so it survives closeVhostConnections). */
export async function withChannel<T>(url: string, fn: (channel: Channel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(url);
  try {
    return await fn(await connection.createChannel());
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Declares the event exchanges (as the service does) and a durable queue bound with `keys`; with
 * no consumer, its message count is exactly what the broker accepted.
 */
export async function bindQueue(url: string, queue: string, keys: readonly string[]): Promise<void> {
  await withChannel(url, async (channel) => {
    await declareEventExchanges(channel);
    await channel.assertQueue(queue, { durable: true });
    for (const key of keys) await channel.bindQueue(queue, 'orderlab.events', key);
  });
}

/** Ready messages in a queue. */
export async function queueDepth(url: string, queue: string): Promise<number> {
  return withChannel(url, async (channel) => (await channel.checkQueue(queue)).messageCount);
}

/** Takes every message out of a queue (basic.get, auto-ack). */
export async function drainQueue(url: string, queue: string): Promise<GetMessage[]> {
  return withChannel(url, async (channel) => {
    const messages: GetMessage[] = [];
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (!message) return messages;
      messages.push(message);
    }
  });
}

/** Each message's AMQP messageId (amqplib types it as any; it is whatever the publisher set). */
export function messageIds(messages: readonly GetMessage[]): unknown[] {
  return messages.map((m): unknown => m.properties.messageId);
}

/**
 * Inserts `count` valid `item.created` event rows straight into the outbox (SKUs in upper case,
 * as the contract's SKU_PATTERN wants); resolves to their ids in order.
 */
export async function insertItemEvents(pool: pg.Pool, count: number, label = 'evt'): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `WITH items AS (SELECT n, gen_random_uuid() AS id FROM generate_series(1, $1::int) AS n)
     INSERT INTO outbox (destination, type, aggregate_id, payload, request_id, idempotency_key)
     SELECT 'events', 'item.created', id,
            jsonb_build_object('id', id, 'sku', upper($2::text) || '-' || n, 'name', 'Item ' || n, 'description', '',
                               'priceCents', 100 + n, 'currency', 'USD',
                               'createdAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
            'req-' || $2 || '-' || n, 'key-' || $2 || '-' || n
       FROM items ORDER BY n
     RETURNING id`,
    [count, label],
  );
  return rows.map((row) => row.id);
}

/** Counts of the event rows by state. */
export async function eventRowCounts(pool: pg.Pool): Promise<{ sent: number; unsent: number; attempted: number }> {
  const { rows } = await pool.query<{ sent: number; unsent: number; attempted: number }>(
    `SELECT count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent,
            count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent,
            count(*) FILTER (WHERE attempts > 0)::int AS attempted
       FROM outbox WHERE destination = 'events'`,
  );
  return rows[0]!;
}

/** A publisher, its recovering connection and an events relay, started, as orders-service wires them. */
export interface TestEventRelay {
  relay: EventRelay;
  publisher: EventPublisher;
  rabbit: RabbitMq;
}

/** Starts an events relay on the test's database against `url`; stopped after the test. */
export async function startEventRelay(
  stores: Pick<TestStores, 'pool' | 'logger' | 'onCleanup'>,
  url: string,
  { confirmTimeoutMs = 5_000, ...overrides }: Partial<EventRelayOptions> & { confirmTimeoutMs?: number } = {},
): Promise<TestEventRelay> {
  const publisher = buildEventPublisher({ logger: stores.logger, confirmTimeoutMs, onReady: () => relay.wake() });
  const relay = buildEventRelay({
    pool: stores.pool,
    publisher,
    logger: stores.logger,
    batchSize: 100,
    pollIntervalMs: 100,
    maxBackoffMs: 100,
    ...overrides,
  });
  const rabbit = await connectRabbitMq({ url, connectionName: 'orders-test', logger: stores.logger, setup: publisher.setup, maxReconnectDelayMs: 500 });
  relay.start();
  stores.onCleanup(async () => {
    publisher.stop();
    await relay.stop();
    await rabbit.close();
  });
  return { relay, publisher, rabbit };
}

/**
 * A TCP proxy to the local broker that refuses connections until enabled: a broker that is
 * unreachable at start and comes up later, as a client sees it.
 */
export interface BrokerGate {
  port: number;
  enable(): void;
  close(): Promise<void>;
}

/** Starts a closed gate on 127.0.0.1, port 0. */
export async function startBrokerGate(target = { host: '127.0.0.1', port: 5672 }): Promise<BrokerGate> {
  let open = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    enable: () => {
      open = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
