/**
 * `npm run stop` and `npm run reset`: stop the lab this checkout runs — started in another
 * terminal, or left behind by a runner that was killed — and then its data stores; `reset`
 * also deletes every bit of the lab's state (databases, Redis and RabbitMQ data, logs,
 * Prometheus's storage), so the next `npm start` begins from nothing.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DATA_STORES_ROOT, stopDataStores } from './data-stores.js';
import { stopRecordedLab } from './lab-record.js';
import { DEFAULT_RUN_DIR } from './paths.js';
import { createReporter } from './reporter.js';

/** Stops the lab and its data stores; with `reset`, deletes `.lab` too. Resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const reset = argv.includes('--reset');
  const reporter = createReporter({ print: true, color: process.stdout.isTTY === true });
  const found = await stopRecordedLab(DEFAULT_RUN_DIR, reporter);
  if (found === 'none') reporter.info('no lab is running from this checkout');
  // The lab's runner released them; they still run when a runner was killed, or when another
  // one (npm test in a third terminal) still uses them — then they stay, except for a reset.
  const stopped = await stopDataStores({ reporter, unlessUsed: !reset });
  if (!Array.isArray(stopped)) {
    reporter.info(`the data stores keep running: runner(s) ${stopped.usedBy.join(', ')} still use them (npm run reset stops them anyway)`);
    return 0;
  }
  reporter.info(stopped.length > 0 ? `stopped the data stores: ${stopped.join(', ')}` : 'no data store was running');
  if (!reset) return 0;
  const root = DEFAULT_DATA_STORES_ROOT;
  // Postgres's data may live outside the checkout (see data-stores.ts, postgresDataDir).
  const location = join(root, 'data', 'postgres', 'LOCATION');
  if (existsSync(location)) {
    const outside = readFileSync(location, 'utf8').split('\n')[0]?.trim();
    if (outside) rmSync(outside, { recursive: true, force: true });
  }
  rmSync(root, { recursive: true, force: true });
  reporter.info(`deleted ${root}: databases, Redis and RabbitMQ data, logs and Prometheus's storage; the next npm start begins from nothing`);
  return 0;
}
