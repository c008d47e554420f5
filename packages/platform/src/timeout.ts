/** A deadline on any wait, so that no stop(), probe or confirm can hang its caller. No dependencies. */

/**
 * Waits for `promise` at most `ms`: true when it fulfilled in time, false when the time ran out
 * first (the work goes on; the caller decides what to do about it). A rejection in time is passed
 * on. The timer is cleared as soon as either side wins and never keeps the process alive.
 */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms), false);
    timer.unref();
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
