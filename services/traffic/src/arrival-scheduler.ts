/**
 * The open-model arrival scheduler (like k6's constant-arrival-rate): on every tick it adds the
 * integral of the target rate over the time since the last tick and starts as many arrivals as
 * are now due, however slow earlier responses are. One timer for all arrivals, not one per
 * request. When MAX_IN_FLIGHT requests are running an arrival is dropped and counted, never
 * queued, so a hanging target cannot grow memory.
 */
import { settleWithin } from '@orderlab/platform';

/** How often the scheduler looks at the clock. Jitter does not change the rate: it integrates. */
export const TICK_MS = 5;
/**
 * Longest gap one tick may integrate. After a longer stall (a paused laptop, a debugger) the
 * missed arrivals are not fired at once: a real client population would not have waited either.
 */
export const MAX_CATCH_UP_MS = 1000;

export interface ArrivalSchedulerOptions {
  /** Monotonic time in ms (performance.now in the service, a fake in tests). */
  now: () => number;
  /** Target arrivals per second at a time. */
  rateAt: (now: number) => number;
  /** Arrivals running at once; above it an arrival is dropped. */
  maxInFlight: number;
  /** Starts one arrival; its promise settles when the request is over (it must not reject). */
  launch: (now: number) => Promise<void>;
  /** Called for each dropped arrival. */
  onDrop?: (now: number) => void;
}

/** Starts arrivals at the target rate; tick() is public so tests drive it with a fake clock. */
export class ArrivalScheduler {
  private last: number | undefined;
  private due = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private idle: (() => void)[] = [];
  /** Arrivals started since creation. */
  launched = 0;
  /** Arrivals dropped since creation because maxInFlight were running. */
  dropped = 0;

  constructor(private readonly options: ArrivalSchedulerOptions) {}

  /** Requests running now. */
  get inFlight(): number {
    return this.running;
  }

  /** True between start() and stop(). */
  get started(): boolean {
    return this.timer !== undefined;
  }

  /** Starts arrivals due since the last tick. */
  tick(): void {
    const now = this.options.now();
    if (this.last === undefined) {
      this.last = now;
      return;
    }
    const elapsed = Math.min(Math.max(now - this.last, 0), MAX_CATCH_UP_MS);
    // The rate at the start of the interval: exact for steady, a tick's worth of error at a burst edge.
    this.due += (this.options.rateAt(this.last) * elapsed) / 1000;
    this.last = now;
    const arrivals = Math.floor(this.due);
    this.due -= arrivals;
    for (let i = 0; i < arrivals; i++) this.arrive(now);
  }

  /** Forgets the fraction of an arrival carried over (on a mode switch, so pause really sends nothing). */
  resetDue(): void {
    this.due = 0;
  }

  /** Ticks every TICK_MS until stop(). */
  start(): void {
    if (this.timer) return;
    this.last = undefined;
    this.tick();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** No new arrivals; running requests go on. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves when no request is running, or false at the deadline. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.running === 0) return true;
    return settleWithin(new Promise<void>((resolve) => this.idle.push(resolve)), timeoutMs);
  }

  private arrive(now: number): void {
    if (this.running >= this.options.maxInFlight) {
      this.dropped += 1;
      this.options.onDrop?.(now);
      return;
    }
    this.running += 1;
    this.launched += 1;
    const done = () => {
      this.running -= 1;
      if (this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
    };
    this.options.launch(now).then(done, done);
  }
}
