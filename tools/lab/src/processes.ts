/** Whether a process lives, for pid files (the data stores', the lab record's, the tool installer's locks). */
import { readFileSync } from 'node:fs';

/** True when the pid is a live process (optionally whose command line contains `marker`). */
export function processAlive(pid: number, marker?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!marker) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return true; // no /proc: trust kill(0)
  }
}
