// First stage of `npm start`, `npm test` and `npm run bench`: works in a fresh clone with
// nothing installed and nothing built, so it uses Node builtins only. On a Node older than the
// lab's (.node-version) it fetches that Node from the npm registry, caches it and re-runs
// itself under it; then it installs the npm dependencies when they are missing or stale,
// builds every TypeScript project incrementally (`tsc -b`), and hands over to the compiled
// runner in tools/lab/dist.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const nodeModules = join(repoRoot, 'node_modules');
const lockFile = join(repoRoot, 'package-lock.json');
const stampFile = join(nodeModules, '.orderlab-install-stamp');
/** npm writes this "hidden lockfile" at the end of every install. */
const npmHiddenLock = join(nodeModules, '.package-lock.json');
/** The lab's Node, pinned in .node-version (and .nvmrc, for nvm users). */
const LAB_NODE = readFileSync(join(repoRoot, '.node-version'), 'utf8').trim();
/** Older than this major, the runner re-runs itself under LAB_NODE. */
const LAB_NODE_MAJOR = Number(LAB_NODE.split('.')[0]);
/** How long the registry fetch of Node may take. */
const NODE_FETCH_TIMEOUT_MS = 10 * 60_000;

function say(message) {
  process.stdout.write(`lab           | ${message}\n`);
}

function fail(message) {
  process.stderr.write(`lab           | ${message}\n`);
  process.exit(1);
}

/** The user's cache of tools the lab fetches or builds (kept across clones): $XDG_CACHE_HOME/orderlab or ~/.cache/orderlab. */
export function toolCacheDir() {
  return process.env.ORDERLAB_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'orderlab');
}

/**
 * Path of the lab's Node binary, fetched when it is not cached: the registry's
 * `node-<platform>-<arch>` package carries the official binary (bin/node only; the machine's
 * npm keeps working with it).
 */
function labNodeBinary() {
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = join(toolCacheDir(), 'node', LAB_NODE);
  const bin = join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;
  say(`this is Node ${process.versions.node}; the lab runs on Node ${LAB_NODE}: fetching ${pkg}@${LAB_NODE} from the npm registry into ${dir}`);
  const started = Date.now();
  mkdirSync(dirname(dir), { recursive: true });
  const work = mkdtempSync(join(dirname(dir), '.fetch-'));
  try {
    const pack = spawnSync('npm', ['pack', `${pkg}@${LAB_NODE}`, '--silent', '--pack-destination', work], {
      cwd: work,
      encoding: 'utf8',
      timeout: NODE_FETCH_TIMEOUT_MS,
    });
    if (pack.status !== 0) {
      fail(`could not fetch ${pkg}@${LAB_NODE} from the npm registry (${(pack.stderr || pack.error?.message || '').trim().split('\n').slice(-2).join(' / ')}); install Node ${LAB_NODE} yourself (e.g. nvm install) and run again`);
    }
    const tarball = join(work, pack.stdout.trim().split('\n').pop());
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', work], { encoding: 'utf8' });
    if (untar.status !== 0) fail(`could not unpack ${tarball}: ${untar.stderr.trim()}`);
    // The package's folder becomes the cache entry in one rename, so a cut fetch leaves nothing half-made.
    renameSync(join(work, 'package'), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  say(`fetched Node ${LAB_NODE} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return bin;
}

/**
 * On a Node older than the lab's, re-runs this command under the lab's Node (every service the
 * runner starts inherits it) and exits with its code; returns when this Node is fine.
 */
async function ensureLabNode(startedAt) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= LAB_NODE_MAJOR) return;
  if (process.env.ORDERLAB_REEXEC) fail(`re-ran under ${process.execPath} but it is Node ${process.versions.node}; remove ${toolCacheDir()}/node and try again`);
  const node = labNodeBinary();
  say(`re-running under Node ${LAB_NODE} (${node})`);
  const child = spawn(node, process.argv.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, ORDERLAB_REEXEC: '1', ORDERLAB_STARTED_AT: String(startedAt), PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
  });
  // A terminal's Ctrl-C reaches both processes; this one waits for the child's clean stop.
  // A SIGTERM sent to this process alone is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  process.on('SIGHUP', () => child.kill('SIGHUP'));
  const code = await new Promise((resolve) => {
    child.on('error', (err) => fail(`could not run ${node}: ${err.message}`));
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
  process.exit(code);
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
  // A re-run under the lab's Node counts from the first start, fetching included.
  const startedAt = Number(process.env.ORDERLAB_STARTED_AT) || Date.now();
  delete process.env.ORDERLAB_STARTED_AT;
  await ensureLabNode(startedAt);
  ensureInstalled();
  build();
  const module = await import(pathToFileURL(join(repoRoot, 'tools', 'lab', 'dist', 'src', `${entry}.js`)).href);
  const code = await module.main(argv, { startedAt });
  // Exit explicitly: a stray handle (a socket a library keeps) must not keep the runner alive.
  process.exit(code);
}
