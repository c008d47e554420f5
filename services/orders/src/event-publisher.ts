/**
 * Publishes events to `orderlab.events` on a confirm channel and tells, per message, whether the
 * broker took responsibility for it: a message counts as delivered only
 * when its publisher confirm (basic.ack) arrived and no basic.return came back for it (with
 * `mandatory`, an unroutable message is returned and then still acked). A nack, a return, a closed
 * channel or connection, or no confirm before the deadline all count as not delivered.
 *
 * The channel is opened by `setup`, which connectRabbitMq runs after every (re)connect; between a
 * disconnect and the next setup the publisher is not ready and publishes nothing. A channel closed
 * by the broker while its connection lives on (e.g. a channel error) is reopened here, since no
 * reconnect will run setup again.
 */
import { EVENT_EXCHANGES, EVENTS_EXCHANGE } from '@orderlab/contracts';
import { settleWithin, type Logger } from '@orderlab/platform';
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import { throttledWarn } from './throttled-log.js';

/** One message for `orderlab.events`. */
export interface OutgoingEvent {
  routingKey: string;
  body: Buffer;
  /** messageId is required: a basic.return is matched to its message by it. */
  properties: Options.Publish & { messageId: string };
}

export interface EventPublisherOptions {
  logger: Logger;
  /** How long one batch may wait for its confirms (and for 'drain') before its rest counts as failed. */
  confirmTimeoutMs: number;
  /** Called whenever the publisher becomes ready (after each (re)connect or reopened channel). */
  onReady?: () => void;
}

/** The publishing side of the events relay. */
export interface EventPublisher {
  /** connectRabbitMq's setup (a plain function: it is passed on unbound): declares the exchanges, opens the confirm channel. */
  setup: (model: ChannelModel) => Promise<void>;
  /** True while a confirm channel is open and the connection is not blocked by a resource alarm. */
  isReady(): boolean;
  /** Publishes the batch with `mandatory`; resolves to each message's error, or null when confirmed and routed. */
  publishBatch(messages: readonly OutgoingEvent[]): Promise<(Error | null)[]>;
  /** Stops reopening channels (the connection itself is closed by its owner). */
  stop(): void;
}

const REOPEN_MIN_MS = 200;
const REOPEN_MAX_MS = 5_000;

/** Declares both exchanges exactly as the contract defines them (idempotent). */
export async function declareEventExchanges(channel: Pick<ConfirmChannel, 'assertExchange'>): Promise<void> {
  for (const { name, type, options } of EVENT_EXCHANGES) await channel.assertExchange(name, type, options);
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Builds the publisher; it opens nothing until connectRabbitMq calls setup. */
export function buildEventPublisher({ logger, confirmTimeoutMs, onReady = () => undefined }: EventPublisherOptions): EventPublisher {
  const log = logger.child({ component: 'event-publisher' });
  const warn = throttledWarn(log);
  let model: ChannelModel | undefined;
  let channel: ConfirmChannel | undefined;
  let blocked = false;
  let stopped = false;
  let reopenTimer: NodeJS.Timeout | undefined;
  let reopenFailures = 0;
  /** basic.return reasons by messageId, for the messages of the batch in flight. */
  const returned = new Map<string, string | null>();

  async function openChannel(on: ChannelModel): Promise<void> {
    const ch = await on.createConfirmChannel();
    ch.on('error', (err: Error) => log.warn({ err }, 'event channel error'));
    try {
      await declareEventExchanges(ch);
    } catch (err) {
      await ch.close().catch(() => undefined);
      throw err;
    }
    ch.on('return', (message: Message) => {
      const id = message.properties.messageId as string | undefined;
      if (id !== undefined && returned.has(id)) {
        const fields = message.fields as Message['fields'] & { replyCode?: number; replyText?: string };
        returned.set(id, `${fields.replyCode} ${fields.replyText} (${fields.exchange} ${fields.routingKey})`);
      }
    });
    ch.on('close', () => {
      if (channel !== ch) return;
      channel = undefined;
      if (!stopped && model === on) {
        log.warn('event channel closed; reopening it');
        scheduleReopen(on);
      }
    });
    if (stopped || model !== on) {
      await ch.close().catch(() => undefined);
      return;
    }
    channel = ch;
    reopenFailures = 0;
    onReady();
  }

  function scheduleReopen(on: ChannelModel): void {
    if (reopenTimer) return;
    const delay = Math.min(REOPEN_MIN_MS * 2 ** reopenFailures, REOPEN_MAX_MS);
    reopenFailures += 1;
    reopenTimer = setTimeout(() => {
      reopenTimer = undefined;
      if (stopped || model !== on || channel) return;
      openChannel(on).catch((err: unknown) => {
        warn(err, 'could not reopen the event channel; retrying');
        scheduleReopen(on);
      });
    }, delay);
    reopenTimer.unref();
  }

  /** Resolves true on 'drain', false if the channel closes or the deadline passes first. */
  function drained(ch: ConfirmChannel, deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        ch.off('drain', onDrain);
        ch.off('close', onClose);
        resolve(value);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, deadline - Date.now()));
      ch.on('drain', onDrain);
      ch.on('close', onClose);
    });
  }

  return {
    async setup(next) {
      model = next;
      blocked = false;
      next.on('blocked', () => {
        if (model === next) blocked = true;
      });
      next.on('unblocked', () => {
        if (model !== next) return;
        blocked = false;
        onReady();
      });
      next.on('close', () => {
        if (model !== next) return;
        model = undefined;
        channel = undefined;
      });
      try {
        await openChannel(next);
      } catch (err) {
        // connectRabbitMq closes this connection and tries again with backoff; say why, loudly:
        // a PRECONDITION_FAILED here means another service declared an exchange differently.
        log.error({ err }, 'could not declare the event exchanges or open the event channel');
        throw err;
      }
      log.info({ exchange: EVENTS_EXCHANGE }, 'event exchanges declared; publishing with confirms');
    },

    isReady: () => channel !== undefined && !blocked && !stopped,

    async publishBatch(messages) {
      const ch = channel;
      if (!ch) return messages.map(() => new Error('not connected to RabbitMQ'));
      const deadline = Date.now() + confirmTimeoutMs;
      const results: (Error | null | undefined)[] = messages.map(() => undefined);
      const confirms: Promise<void>[] = [];
      let aborted: Error | undefined;

      for (const [i, message] of messages.entries()) {
        if (aborted) {
          results[i] = aborted;
          continue;
        }
        const id = message.properties.messageId;
        returned.set(id, null);
        let writable = true;
        confirms.push(
          new Promise<void>((resolve) => {
            const settle = (err: unknown) => {
              // A confirm after the deadline is ignored: the row was already counted as failed.
              if (results[i] === undefined) {
                const reason = returned.get(id);
                results[i] = err ? toError(err) : reason ? new Error(`unroutable (returned by the broker): ${reason}`) : null;
              }
              resolve();
            };
            try {
              writable = ch.publish(EVENTS_EXCHANGE, message.routingKey, message.body, { ...message.properties, mandatory: true }, settle);
            } catch (err) {
              // The channel closed under us: nothing more can go out on it.
              aborted = toError(err);
              settle(err);
            }
          }),
        );
        // Backpressure: the socket buffer is full; wait for it to drain instead of growing it.
        if (!writable && !aborted && !(await drained(ch, deadline))) {
          aborted = new Error(`publishing stalled: the socket did not drain within ${confirmTimeoutMs} ms`);
        }
      }

      await settleWithin(Promise.all(confirms), deadline - Date.now());
      for (const message of messages) returned.delete(message.properties.messageId);
      const timeout = new Error(`no publisher confirm within ${confirmTimeoutMs} ms`);
      return results.map((result) => (result === undefined ? timeout : result));
    },

    stop() {
      stopped = true;
      clearTimeout(reopenTimer);
      reopenTimer = undefined;
    },
  };
}
