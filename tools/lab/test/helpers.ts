/** Small helpers shared by the lab's tests. */
import type { Reporter } from '../src/reporter.js';

/** Polls `condition` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(condition: () => T | Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A reporter that keeps every message, to assert on what the runner told the user. */
export function recordingReporter(): Reporter & { messages: string[] } {
  const messages: string[] = [];
  return {
    messages,
    info: (msg) => messages.push(msg),
    warn: (msg) => messages.push(msg),
    error: (msg) => messages.push(msg),
  };
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
