/** RabbitMQ connections that recover by themselves (amqplib's opt-in recovery), with logging. */
import { connect, type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from './logger.js';
import { PORTS } from '@orderlab/contracts/topology';

export interface RabbitMqOptions {
  /** amqp://user:pass@host:port/vhost */
  url: string;
  /** Shown in the management UI and `rabbitmqctl list_connections client_properties`. */
  connectionName: string;
  logger: Logger;
  /**
   * Runs after every (re)connect: declare topology, open channels, start consumers. Channels
   * of a previous connection are dead after a reconnect, so anything long-lived is made here.
   */
  setup(model: ChannelModel): Promise<void>;
  /** Heartbeat in seconds: how fast a dead broker or network is noticed (default 10). */
  heartbeatS?: number;
  /** Reconnect backoff ceiling (default 5000 ms). */
  maxReconnectDelayMs?: number;
}

export interface RabbitMq {
  readonly model: RecoveringChannelModel;
  /** True while a connection is up and its setup has run. */
  isConnected(): boolean;
  /** Rejects unless connected (for readiness checks). */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects without waiting for the broker: the service starts even while RabbitMQ is down and
 * connects (and reconnects, forever, with bounded backoff) in the background.
 */
export async function connectRabbitMq(options: RabbitMqOptions): Promise<RabbitMq> {
  const log = options.logger.child({ component: 'rabbitmq' });
  let connected = false;
  const url = new URL(options.url);
  const model = await connect(
    {
      protocol: 'amqp',
      hostname: url.hostname,
      port: Number(url.port || PORTS.rabbitmq),
      username: decodeURIComponent(url.username || 'guest'),
      password: decodeURIComponent(url.password || 'guest'),
      vhost: decodeURIComponent(url.pathname.slice(1)) || '/',
      heartbeat: options.heartbeatS ?? 10,
    },
    {
      clientProperties: { connection_name: options.connectionName },
      recovery: {
        initialDelay: 200,
        maxDelay: options.maxReconnectDelayMs ?? 5_000,
        maxRetries: Number.POSITIVE_INFINITY,
        waitForConnect: false,
        setup: async (m: ChannelModel) => {
          await options.setup(m);
          connected = true;
        },
      },
    },
  );
  model.on('connect', () => log.info('connected to RabbitMQ'));
  model.on('disconnect', (err: Error) => {
    connected = false;
    log.warn({ err }, 'disconnected from RabbitMQ; reconnecting');
  });
  model.on('connect-failed', (err: Error) => {
    connected = false;
    log.debug({ err }, 'RabbitMQ connection attempt failed');
  });
  model.on('reconnect-scheduled', ({ attempt, delay }: { attempt: number; delay: number }) => {
    if (attempt === 1 || attempt % 10 === 0) log.warn({ attempt, delay_ms: delay }, 'RabbitMQ unreachable; retrying');
  });
  model.on('blocked', (reason: string) => log.warn({ reason }, 'RabbitMQ blocked publishing (resource alarm)'));
  model.on('unblocked', () => log.info('RabbitMQ unblocked publishing'));
  model.on('error', (err: Error) => log.warn({ err }, 'RabbitMQ connection error'));
  model.on('handler-error', (err: Error, event: string) => log.error({ err, event }, 'error in a RabbitMQ event handler'));
  return {
    model,
    isConnected: () => connected,
    async check() {
      if (!connected) throw new Error('not connected to RabbitMQ');
    },
    async close() {
      connected = false;
      await model.close().catch((err: unknown) => log.debug({ err }, 'closing RabbitMQ connection'));
    },
  };
}
