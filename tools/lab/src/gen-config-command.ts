/**
 * `npm run gen:config [-- --check]`: writes the generated files under deploy/ (deploy-configs.ts)
 * from the topology and the scrape jobs. With --check it writes nothing and exits 1 when a
 * committed file is out of date, naming it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY_CONFIGS, staleDeployConfigs } from './deploy-configs.js';
import { REPO_ROOT } from './paths.js';

/** Writes (or with --check, checks) every generated file; resolves to the exit code. */
export function main(argv: string[]): Promise<number> {
  if (argv.includes('--check')) {
    const stale = staleDeployConfigs();
    for (const path of stale) process.stderr.write(`${path} is out of date: run npm run gen:config and commit the result\n`);
    return Promise.resolve(stale.length === 0 ? 0 : 1);
  }
  for (const config of DEPLOY_CONFIGS) {
    writeFileSync(join(REPO_ROOT, config.path), config.render());
    process.stdout.write(`wrote ${config.path}\n`);
  }
  return Promise.resolve(0);
}
