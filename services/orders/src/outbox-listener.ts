/**
 * A dedicated Postgres connection that LISTENs on `orderlab_outbox` and wakes the relays at once
 * when outbox rows are written outside this process's request path: by the reconciler, by
 * another replica, or by hand (`INSERT INTO outbox …; NOTIFY orderlab_outbox`). The request path
 * itself wakes the relay in-process, because NOTIFY serialises commits. The listener reconnects
 * by itself with capped backoff; relays also poll, so a lost notification only delays delivery.
 */
import type { Logger } from '@orderlab/platform';
import pg from 'pg';
import { throttledWarn } from './throttled-log.js';

/** The channel every outbox writer notifies on commit. */
export const OUTBOX_CHANNEL = 'orderlab_outbox';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface OutboxListenerOptions {
  databaseUrl: string;
  logger: Logger;
  /** Called for every notification, and after each (re)connect since notifications may have been missed. */
  onNotify: () => void;
}

/** Listens while started; stop() closes the connection and cancels any pending reconnect. */
export interface OutboxListener {
  start(): void;
  stop(): Promise<void>;
}

/** Builds the listener; nothing connects until start(). */
export function buildOutboxListener({ databaseUrl, logger, onNotify }: OutboxListenerOptions): OutboxListener {
  const warn = throttledWarn(logger);
  let client: pg.Client | undefined;
  let stopped = true;
  let failures = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;

  function scheduleReconnect(): void {
    if (stopped || reconnectTimer) return;
    const delay = Math.min(RECONNECT_MIN_MS * 2 ** failures, RECONNECT_MAX_MS);
    failures += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, delay);
    reconnectTimer.unref();
  }

  async function connect(): Promise<void> {
    const candidate = new pg.Client({ connectionString: databaseUrl, application_name: 'orders-outbox-listener', connectionTimeoutMillis: 2_000 });
    const lost = (err?: unknown) => {
      if (client !== candidate) return;
      client = undefined;
      candidate.removeAllListeners('notification');
      void candidate.end().catch(() => undefined);
      if (!stopped) warn(err ?? new Error('connection ended'), 'outbox listener lost its connection; reconnecting');
      scheduleReconnect();
    };
    candidate.on('error', lost);
    candidate.on('end', () => lost());
    candidate.on('notification', () => onNotify());
    client = candidate;
    try {
      await candidate.connect();
      await candidate.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (stopped) {
        await candidate.end();
        return;
      }
      failures = 0;
      logger.debug('outbox listener connected');
      onNotify();
    } catch (err) {
      lost(err);
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void connect();
    },
    async stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
