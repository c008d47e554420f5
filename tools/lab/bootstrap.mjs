// First stage of `npm start`, `npm test` and `npm run bench`: works in a fresh clone with
// nothing installed and nothing built, so it uses Node builtins only. It installs the npm
// dependencies when they are missing or stale, builds every TypeScript project
// incrementally (`tsc -b`), then hands over to the compiled runner in tools/lab/dist.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const nodeModules = join(repoRoot, 'node_modules');
const lockFile = join(repoRoot, 'package-lock.json');
const stampFile = join(nodeModules, '.orderlab-install-stamp');
/** npm writes this "hidden lockfile" at the end of every install. */
const npmHiddenLock = join(nodeModules, '.package-lock.json');
const MIN_NODE = [20, 19];

function say(message) {
  process.stdout.write(`lab           | ${message}\n`);
}

function fail(message) {
  process.stderr.write(`lab           | ${message}\n`);
  process.exit(1);
}

function checkNodeVersion() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    fail(`Node.js >= ${MIN_NODE.join('.')} is required (this is ${process.versions.node})`);
  }
}

/** package.json of the root and of every workspace (globs like "services/*" expanded). */
function packageJsonFiles() {
  const root = join(repoRoot, 'package.json');
  const workspaces = JSON.parse(readFileSync(root, 'utf8')).workspaces ?? [];
  const files = [root];
  for (const pattern of workspaces) {
    const dirs = pattern.endsWith('/*')
      ? readdirSync(join(repoRoot, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(repoRoot, pattern.slice(0, -2), d.name))
      : [join(repoRoot, pattern)];
    for (const dir of dirs) if (existsSync(join(dir, 'package.json'))) files.push(join(dir, 'package.json'));
  }
  return files.sort();
}

/** Hash of what decides the installed tree: the lockfile and the dependency fields of every package.json. */
function installHash() {
  const hash = createHash('sha256');
  if (existsSync(lockFile)) hash.update(readFileSync(lockFile));
  for (const file of packageJsonFiles()) {
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    const { name, dependencies, devDependencies, optionalDependencies, peerDependencies, workspaces, overrides } = pkg;
    hash.update(JSON.stringify({ file: file.slice(repoRoot.length), name, dependencies, devDependencies, optionalDependencies, peerDependencies, workspaces, overrides }));
  }
  return hash.digest('hex');
}

/**
 * True when every package the lockfile pins is installed at that version, according to the
 * record npm keeps in node_modules/.package-lock.json after each install.
 */
function treeMatchesLock() {
  if (!existsSync(lockFile) || !existsSync(npmHiddenLock)) return false;
  try {
    const wanted = JSON.parse(readFileSync(lockFile, 'utf8')).packages ?? {};
    const installed = JSON.parse(readFileSync(npmHiddenLock, 'utf8')).packages ?? {};
    return Object.entries(wanted).every(
      ([path, entry]) => !path.includes('node_modules/') || entry.optional || installed[path]?.version === entry.version,
    );
  } catch {
    return false;
  }
}

/** Why an install is needed, or null when node_modules matches the lockfile. */
function installReason(hash) {
  if (!existsSync(nodeModules)) return 'node_modules is missing';
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === hash) return null;
  // The inputs changed since our last install, but someone may have run `npm install`
  // since (or only edited a package.json field npm does not install from): when the
  // installed tree already matches the lockfile there is nothing to do.
  if (treeMatchesLock()) return null;
  return 'node_modules does not match package-lock.json';
}

function run(command, args, what) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
  if (result.error) fail(`${what} could not run: ${result.error.message}`);
  if (result.status !== 0) fail(`${what} failed (exit code ${result.status ?? result.signal})`);
  return Date.now() - started;
}

function ensureInstalled() {
  const hash = installHash();
  const reason = installReason(hash);
  if (reason) {
    const args = existsSync(lockFile) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
    say(`installing dependencies (${reason}): npm ${args.join(' ')}`);
    const ms = run('npm', args, `npm ${args[0]}`);
    say(`dependencies installed in ${(ms / 1000).toFixed(1)} s`);
  }
  // Written even when npm had nothing to do, so the next run skips the comparison.
  writeFileSync(stampFile, `${installHash()}\n`);
}

function build() {
  const tsc = join(nodeModules, 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) fail(`TypeScript is missing at ${tsc}; run: npm ci`);
  say('building (tsc -b)');
  const ms = run(process.execPath, [tsc, '-b'], 'the TypeScript build (npx tsc -b)');
  say(`built in ${(ms / 1000).toFixed(1)} s`);
}

/**
 * Installs and builds when needed, then imports `tools/lab/dist/src/<entry>.js` and runs its
 * `main(argv, { startedAt })`; the process exits with the code main resolves to.
 */
export async function bootstrap(entry, argv) {
  const startedAt = Date.now();
  checkNodeVersion();
  ensureInstalled();
  build();
  const module = await import(pathToFileURL(join(repoRoot, 'tools', 'lab', 'dist', 'src', `${entry}.js`)).href);
  const code = await module.main(argv, { startedAt });
  // Exit explicitly: a stray handle (a socket a library keeps) must not keep the runner alive.
  process.exit(code);
}
