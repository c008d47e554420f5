/**
 * Everything one component test needs: its own database (migrated) and RabbitMQ vhost (with
 * the production exchange and queue names), a captured log, a publisher that sends events the
 * way orders does (confirm channel, mandatory), and a way to start the real service on them.
 * Cleanup runs in reverse order of creation when the test (or suite) ends.
 */
import { connect, type ChannelModel, type ConfirmChannel, type GetMessage, type Options } from 'amqplib';
import { EVENTS_EXCHANGE, EVENT_HEADERS } from '@orderlab/contracts';
import { createPgPool, runMigrations } from '@orderlab/platform/postgres';
import { captureLogs, createTestDatabase, createTestVhost, waitFor, type CapturedLogs, type TestVhost } from '@orderlab/platform/testing';
import type pg from 'pg';
import { parseNotificationsConfig, type NotificationsConfig } from '../../src/config.js';
import { deadLetterQueueOf } from '../../src/event-topology.js';
import { MIGRATIONS_DIR } from '../../src/migrations.js';
import { buildNotificationsService, type NotificationsService } from '../../src/notifications-service.js';

/** Where cleanups go: a TestContext (t.after) or a suite's `after`. */
export interface Cleanup {
  after(fn: () => unknown): void;
}

export interface RunningService {
  service: NotificationsService;
  config: NotificationsConfig;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Stops the service (once; later calls wait for the first). */
  stop(): Promise<void>;
}

export interface PublishOptions {
  /** Defaults to the event's type. */
  routingKey?: string;
  /** Defaults to the event's id; null sends none. */
  messageId?: string | null;
  /** Sent as the correlation_id header and the AMQP correlationId. */
  correlationId?: string;
}

/** A dead letter as the tests read it back from `<queue>.dead`. */
export interface DeadLetter {
  body: string;
  messageId: string | undefined;
  /** x-first-death-reason: `rejected` (poison) or `delivery_limit`. */
  reason: string | undefined;
  /** x-first-death-queue */
  queue: string | undefined;
}

export interface TestEnvironment {
  vhost: TestVhost;
  logs: CapturedLogs;
  /** The test's own pool on the service's database. */
  pool: pg.Pool;
  /** Starts the service with test defaults (port 0, quick retries) plus env, and waits until it consumes. */
  startService(env?: Record<string, string>, options?: { waitUntilReady?: boolean }): Promise<RunningService>;
  /** Publishes a JSON event (or raw bytes) to orderlab.events with a publisher confirm; throws if unroutable. */
  publish(event: unknown, options?: PublishOptions): Promise<void>;
  /** Every dead letter taken from `notifications.dead` so far (they are removed from the queue as read). */
  deadLetters(): Promise<DeadLetter[]>;
  /** Ready messages in the notifications queue (unacked ones count once their channel is gone). */
  queueDepth(): Promise<number>;
  /** Consumers registered on the notifications queue. */
  consumerCount(): Promise<number>;
  /** Log lines whose msg is `msg` (and, optionally, whose message_id is messageId). */
  logLines(msg: string, messageId?: string): Record<string, unknown>[];
}

const QUEUE = 'notifications';

/** Sets up an isolated environment; everything it creates is removed by cleanup.after. */
export async function createTestEnvironment(cleanup: Cleanup, label: string): Promise<TestEnvironment> {
  const cleanups: (() => unknown)[] = [];
  cleanup.after(async () => {
    for (const step of cleanups.reverse()) await step();
  });

  const logs = captureLogs('notifications');
  const db = await createTestDatabase(`notifications_${label}`);
  cleanups.push(() => db.drop());
  await runMigrations({ databaseUrl: db.url, dir: MIGRATIONS_DIR, logger: logs.logger });
  const pool = createPgPool({ connectionString: db.url, max: 3, applicationName: 'notifications-test' }, logs.logger);
  cleanups.push(() => pool.end());

  const vhost = await createTestVhost(`notifications_${label}`);
  cleanups.push(() => vhost.drop());

  // The publisher reconnects lazily: closeVhostConnections closes its connection too.
  let publisher: Promise<{ model: ChannelModel; channel: ConfirmChannel }> | undefined;
  const returned = new Set<string>();
  function openPublisher() {
    publisher ??= (async () => {
      const model = await connect(vhost.url);
      const reset = () => {
        publisher = undefined;
      };
      model.on('close', reset);
      model.on('error', reset);
      const channel = await model.createConfirmChannel();
      channel.on('return', (msg) => returned.add(String(msg.properties.messageId)));
      channel.on('close', reset);
      return { model, channel };
    })();
    return publisher;
  }
  cleanups.push(async () => {
    const open = await publisher?.catch(() => undefined);
    await open?.model.close().catch(() => undefined);
  });

  const collected: DeadLetter[] = [];

  async function withChannel<T>(fn: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    const { model } = await openPublisher();
    // A separate channel: a failed passive declare closes the channel it ran on.
    const channel = await model.createConfirmChannel();
    try {
      return await fn(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  return {
    vhost,
    logs,
    pool,

    async startService(env = {}, { waitUntilReady = true } = {}) {
      const config = parseNotificationsConfig({
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'debug',
        DATABASE_URL: db.url,
        DATABASE_POOL_MAX: '4',
        MIGRATE_ON_START: 'false',
        RABBITMQ_URL: vhost.url,
        NOTIFICATIONS_RETRY_DELAY_MS: '10',
        SHUTDOWN_TIMEOUT_MS: '10000',
        ...env,
      });
      const service = buildNotificationsService(config, { logger: logs.logger });
      let stopped: Promise<void> | undefined;
      const stop = () => (stopped ??= service.stop());
      cleanups.push(stop);
      const { port } = await service.start();
      const url = `http://127.0.0.1:${port}`;
      if (waitUntilReady) {
        await waitFor('the service to be ready (consuming)', async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs: 15_000 });
      }
      return { service, config, url, stop };
    },

    async publish(event, options = {}) {
      const envelope = event as { id?: string; type?: string };
      const messageId = options.messageId === undefined ? envelope.id : options.messageId ?? undefined;
      const routingKey = options.routingKey ?? envelope.type ?? 'order.created';
      const correlationId = options.correlationId ?? 'test-request';
      const properties: Options.Publish = {
        persistent: true,
        contentType: 'application/json',
        correlationId,
        headers: { [EVENT_HEADERS.correlationId]: correlationId },
        mandatory: true,
        ...(messageId === undefined ? {} : { messageId }),
      };
      const content = Buffer.isBuffer(event) ? event : Buffer.from(typeof event === 'string' ? event : JSON.stringify(event));
      const { channel } = await openPublisher();
      await new Promise<void>((resolve, reject) => {
        channel.publish(EVENTS_EXCHANGE, routingKey, content, properties, (err: Error | null) => (err ? reject(err) : resolve()));
      });
      // With mandatory, basic.return comes before the confirm of an unroutable message.
      if (messageId !== undefined && returned.has(messageId)) throw new Error(`event ${messageId} (${routingKey}) was unroutable`);
    },

    async deadLetters() {
      await withChannel(async (channel) => {
        for (;;) {
          const msg: GetMessage | false = await channel.get(deadLetterQueueOf(QUEUE), { noAck: true });
          if (msg === false) break;
          const headers = msg.properties.headers ?? {};
          collected.push({
            body: msg.content.toString('utf8'),
            messageId: msg.properties.messageId as string | undefined,
            reason: headers['x-first-death-reason'],
            queue: headers['x-first-death-queue'],
          });
        }
      });
      return [...collected];
    },

    queueDepth: () => withChannel(async (channel) => (await channel.checkQueue(QUEUE)).messageCount),
    consumerCount: () => withChannel(async (channel) => (await channel.checkQueue(QUEUE)).consumerCount),

    logLines(msg, messageId) {
      return logs.lines().filter((line) => line.msg === msg && (messageId === undefined || line.message_id === messageId));
    },
  };
}
