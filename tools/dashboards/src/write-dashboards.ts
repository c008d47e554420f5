/**
 * `npm run dashboards -w @orderlab/dashboards`: writes every dashboard to
 * deploy/grafana/dashboards/<uid>.json and deletes JSON files there that no dashboard
 * produces any more. With --check it writes nothing and exits 1 when a committed file differs
 * from what the sources generate (the test in test/generated.test.ts does the same).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allDashboards, DASHBOARDS_DIR, fileNameOf, renderDashboard, REPO_ROOT } from './index.js';

/** File name → content, as the sources generate them. */
export function generatedFiles(): Map<string, string> {
  return new Map(allDashboards().map(({ json }) => [fileNameOf(json), renderDashboard(json)]));
}

/** Files that differ between the sources and the folder: missing, changed, or left over. */
export function staleFiles(dir = join(REPO_ROOT, DASHBOARDS_DIR)): { missing: string[]; changed: string[]; extra: string[] } {
  const generated = generatedFiles();
  const present = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  return {
    missing: [...generated.keys()].filter((f) => !present.includes(f)),
    changed: [...generated].filter(([f, content]) => present.includes(f) && readFileSync(join(dir, f), 'utf8') !== content).map(([f]) => f),
    extra: present.filter((f) => !generated.has(f)),
  };
}

function main(argv: string[]): number {
  const dir = join(REPO_ROOT, DASHBOARDS_DIR);
  if (argv.includes('--check')) {
    const { missing, changed, extra } = staleFiles(dir);
    const problems = [...missing.map((f) => `missing ${f}`), ...changed.map((f) => `out of date ${f}`), ...extra.map((f) => `not generated ${f}`)];
    for (const p of problems) process.stderr.write(`${DASHBOARDS_DIR}: ${p}\n`);
    if (problems.length > 0) process.stderr.write('run `npm run dashboards -w @orderlab/dashboards` and commit the result\n');
    return problems.length === 0 ? 0 : 1;
  }
  mkdirSync(dir, { recursive: true });
  const generated = generatedFiles();
  for (const [file, content] of generated) writeFileSync(join(dir, file), content);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && !generated.has(f))) rmSync(join(dir, file));
  process.stdout.write(`wrote ${generated.size} dashboards to ${DASHBOARDS_DIR}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = main(process.argv.slice(2));
