/**
 * `npm run bench` (after tools/lab/bench.mjs installed and built): hands over to the
 * benchmark workspace's compiled entry, bench/dist/src/main.js. That module either exports
 * `main(argv)` resolving to an exit code, or runs on import (top-level await).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { acquireForCommand } from './data-stores.js';
import { REPO_ROOT } from './paths.js';
import { createReporter } from './reporter.js';
import { DATA_STORE_SERVERS, NGINX, ensureSystemPackages } from './system-packages.js';

/** Compiled entry of the benchmark workspace. */
export const BENCH_ENTRY = join(REPO_ROOT, 'bench', 'dist', 'src', 'main.js');

/** Runs the benchmark; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (!existsSync(BENCH_ENTRY)) {
    createReporter({ print: true }).error(`the benchmark is not built: ${BENCH_ENTRY} is missing`);
    return 1;
  }
  // The benchmark's lab includes the edge, on the lab's own data stores.
  const reporter = createReporter({ print: true });
  const packages = await ensureSystemPackages([...DATA_STORE_SERVERS, NGINX], { reporter });
  for (const line of packages.problems) reporter.error(line);
  if (!packages.ok) return 1;
  const stores = await acquireForCommand(reporter, 'run the benchmark');
  if (!stores) return 1;
  try {
    const bench = (await import(pathToFileURL(BENCH_ENTRY).href)) as { main?: (argv: string[]) => Promise<number> };
    if (typeof bench.main === 'function') return await bench.main(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } finally {
    await stores.release();
  }
}
