/**
 * The scheduling both outbox relays share: rounds never overlap within one relay, a wake-up during
 * a round runs another right after it (so no commit's wake-up is lost), a backlog is drained round
 * after round, and a fallback poll covers wake-ups that never came. Also what both relays are
 * built from and what they offer (RelayOptions, Relay): only their round differs.
 */
import type { Logger } from '@orderlab/platform';
import type { ServiceMetrics } from '@orderlab/platform/metrics';
import { outsideAnyTrace } from '@orderlab/platform/tracing';
import type pg from 'pg';
import { throttledWarn } from './throttled-log.js';

/** What one round did. */
export interface RelayRound {
  claimed: number;
  delivered: number;
  failed: number;
}

/** What every relay is built from, besides its destination. */
export interface RelayOptions {
  pool: pg.Pool;
  logger: Logger;
  batchSize: number;
  pollIntervalMs: number;
  maxBackoffMs: number;
  /** messaging_client_* of its sends. */
  metrics?: ServiceMetrics;
  /** Randomness of the backoff jitter (tests pin it). */
  random?: () => number;
}

/** A running relay. */
export interface Relay {
  start(): void;
  /** Asks for a round now (coalesced with one in progress); a no-op unless started. */
  wake(): void;
  /** Stops waking up and lets the current round finish (each round's waits are bounded). */
  stop(): Promise<void>;
  /** Runs one round now (tests and tools); rounds never overlap within one relay. */
  relayOnce(): Promise<RelayRound>;
}

export interface RelayLoopOptions {
  /** For log lines ("outbox relay", "events relay"). */
  name: string;
  logger: Logger;
  batchSize: number;
  pollIntervalMs: number;
  /** Claims, delivers and settles one batch. */
  round: () => Promise<RelayRound>;
  /** What the "<name> started" line says besides batchSize. */
  startedFields?: Record<string, unknown>;
}

/** Builds a relay around its round; nothing runs until start(). */
export function buildRelayLoop({ name, logger, batchSize, pollIntervalMs, round, startedFields = {} }: RelayLoopOptions): Relay {
  const warn = throttledWarn(logger);
  let running = false;
  let current: Promise<unknown> | undefined;
  let wakeAgain = false;
  let pollTimer: NodeJS.Timeout | undefined;

  /** Rounds until a batch comes back short or has failures; those wait for the next wake-up or poll. */
  async function drain(): Promise<void> {
    while (running) {
      let result: RelayRound;
      try {
        result = await round();
      } catch (err) {
        warn(err, `${name} round failed; retrying at the next poll`);
        return;
      }
      if (result.claimed < batchSize || result.failed > 0) return;
    }
  }

  /**
   * Runs work as the loop's only activity; a wake-up that arrived meanwhile runs right after.
   * Outside any trace: a request's commit wakes the relay, but the round is the relay's own work.
   */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const promise = outsideAnyTrace(work);
    current = promise
      .catch(() => undefined)
      .finally(() => {
        current = undefined;
        if (wakeAgain) {
          wakeAgain = false;
          wake();
        }
      });
    return promise;
  }

  function wake(): void {
    if (!running) return;
    if (current) {
      wakeAgain = true;
      return;
    }
    void exclusive(drain);
  }

  return {
    start() {
      if (running) return;
      running = true;
      pollTimer = setInterval(wake, pollIntervalMs);
      pollTimer.unref();
      wake();
      logger.info({ ...startedFields, batchSize }, `${name} started`);
    },
    async stop() {
      running = false;
      clearInterval(pollTimer);
      await current;
    },
    wake,
    async relayOnce() {
      while (current) await current;
      return exclusive(round);
    },
  };
}
