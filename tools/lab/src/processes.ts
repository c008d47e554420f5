/** Whether a process lives, for pid files (the data stores', the lab record's, the tool installer's locks). */
import { readFileSync } from 'node:fs';

/**
 * True when the pid is a live process (optionally whose command line contains `marker`). A
 * zombie — exited, not yet reaped by its parent — is not alive: it holds no port and does no work.
 */
export function processAlive(pid: number, marker?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true; // no /proc: trust kill(0)
  }
  // "pid (comm) state …": the state follows the last ')', since comm may contain one.
  if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') return false;
  if (!marker) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false; // gone between the two reads
  }
}
