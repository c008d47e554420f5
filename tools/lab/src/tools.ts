/**
 * One installer for the pinned tools Debian lacks, each from its own registry: Go programs with
 * `go install module@version`, from a wrapper module of ours, or as a Collector distribution
 * built by the OpenTelemetry Collector Builder (all from the Go module proxy), Java artifacts with Maven
 * (`mvn dependency:copy-dependencies` from a pom in the repo; Maven Central) and Python tools
 * in a virtualenv (`pip install name==version`; PyPI). Each is built once per version into the
 * user's tool cache (`~/.cache/orderlab/tools/<name>/<version>`, kept across clones, so a new
 * clone does not rebuild what an old one built), under a lock, with a progress line every 15 s
 * and the time taken; a failure is one line naming the registry.
 *
 * An install is a promise: the runner starts the installs of optional components in the
 * background and goes on (see ToolInstalls), so a tool still building never holds up the core lab.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { processAlive } from './processes.js';
import { findExecutable } from './config.js';
import { REPO_ROOT } from './paths.js';
import { silentReporter, type Reporter } from './reporter.js';
import { runCaptured } from './run-captured.js';

/** A Go program: `go install <module>@<version>`; the binary is named `binary`. */
export interface GoTool {
  kind: 'go';
  name: string;
  version: string;
  module: string;
  binary: string;
}

/**
 * A Go program built in a wrapper module of ours: `moduleDir` (a folder in the repo) holds a
 * go.mod naming the program in a `tool` line, and its go.sum; `go install tool` builds it. For
 * modules `go install module@version` refuses (their go.mod has replace directives).
 */
export interface GoWrapperTool {
  kind: 'go-wrapper';
  name: string;
  /** The version the wrapper's go.mod requires of the program's module (the cache key). */
  version: string;
  moduleDir: string;
  binary: string;
}

/**
 * An OpenTelemetry Collector distribution: the Collector Builder at `builderVersion` builds the
 * components `manifest` (a path in the repo) names, into a binary named `binary` (its dist.name).
 */
export interface CollectorTool {
  kind: 'collector';
  name: string;
  version: string;
  builderVersion: string;
  manifest: string;
  binary: string;
}

/** Java artifacts: every dependency of `pom` (a path in the repo) copied into lib/. */
export interface MavenTool {
  kind: 'maven';
  name: string;
  version: string;
  pom: string;
}

/** A Python tool from PyPI in its own virtualenv; `binary` is its console script. */
export interface PythonTool {
  kind: 'python';
  name: string;
  version: string;
  /** The PyPI distribution (default `name`). */
  pypiName?: string;
  binary: string;
}

/** A pinned tool. */
export type ToolSpec = GoTool | GoWrapperTool | CollectorTool | MavenTool | PythonTool;

/** Schemathesis: generates requests from our OpenAPI documents and checks the answers (npm test). */
export const SCHEMATHESIS: PythonTool = { kind: 'python', name: 'schemathesis', version: '4.32.5', binary: 'st' };

/**
 * The lab's OpenTelemetry Collector (tracing): its own distribution, built by the Collector
 * Builder from deploy/otel-collector/manifest.yaml (core components v0.165.0, contrib v0.165.1).
 * Cold build ~4 min on 2 cores; a rebuild with warm Go caches takes seconds. The version is the
 * cache key: change it with the manifest.
 */
export const OTEL_COLLECTOR: CollectorTool = {
  kind: 'collector',
  name: 'otelcol-orderlab',
  version: 'v0.165.0',
  builderVersion: 'v0.165.0',
  manifest: 'deploy/otel-collector/manifest.yaml',
  binary: 'otelcol-orderlab',
};

/**
 * Jaeger v2 (the native trace store): `go install tool` in tools/jaeger, whose go.mod requires
 * github.com/jaegertracing/jaeger v1.75.0 (the module's v1.x tags carry the v2 binary; `go install
 * …@v1.75.0` refuses its replace directives). Cold build ~6-8 min on 2 cores.
 */
export const JAEGER: GoWrapperTool = { kind: 'go-wrapper', name: 'jaeger', version: 'v1.75.0', moduleDir: 'tools/jaeger', binary: 'jaeger' };

/**
 * VictoriaLogs (the native log store): `go install` of its module at v1.52.2; its UI (vmui) is
 * in the binary. Cold build ~30 s on 2 cores.
 */
export const VICTORIALOGS: GoTool = {
  kind: 'go',
  name: 'victorialogs',
  version: 'v1.52.2',
  module: 'github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs',
  binary: 'victoria-logs',
};

/** Where an installed tool is. */
export interface InstalledTool {
  spec: ToolSpec;
  /** The tool's folder in the cache. */
  dir: string;
  /** The program to run (go, python), or the folder of jars (maven). */
  path: string;
  /** True when this call built it (false: it was cached). */
  built: boolean;
}

/** Thrown when a tool cannot be installed; the message is one line naming the registry. */
export class ToolInstallError extends Error {
  constructor(
    message: string,
    readonly tool: string,
  ) {
    super(message);
    this.name = 'ToolInstallError';
  }
}

const REGISTRY: Record<ToolSpec['kind'], string> = {
  go: 'the Go module proxy',
  'go-wrapper': 'the Go module proxy',
  collector: 'the Go module proxy',
  maven: 'Maven Central',
  python: 'PyPI',
};
/** Cold builds of the big Go programs take ~10 minutes on 2 cores; nothing else comes close. */
const INSTALL_TIMEOUT_MS = 30 * 60_000;
const PROGRESS_EVERY_MS = 15_000;
const LOCK_POLL_MS = 250;
/** Output lines that mean the registry could not be reached (DNS, refused, timed out, TLS). */
const UNREACHABLE = /could not resolve host|name or service not known|temporary failure in name resolution|connection refused|connection timed out|network is unreachable|no route to host|i\/o timeout|dial tcp|failed to establish a new connection|max retries exceeded|could not transfer artifact|unknownhostexception|connectexception|no matching distribution found/i;

/**
 * The user's cache of built tools (kept across clones): $ORDERLAB_CACHE_DIR, else
 * $XDG_CACHE_HOME/orderlab or ~/.cache/orderlab — the same folder bootstrap.mjs (builtins only,
 * so it cannot import this) caches Node in.
 */
export function toolCacheDir(): string {
  return process.env.ORDERLAB_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'orderlab');
}

function toolDir(cache: string, spec: ToolSpec): string {
  return join(cache, 'tools', spec.name, spec.version);
}

function installedPath(dir: string, spec: ToolSpec): string {
  if (spec.kind === 'go' || spec.kind === 'go-wrapper') return join(dir, 'bin', spec.binary);
  if (spec.kind === 'collector') return join(dir, 'build', spec.binary);
  if (spec.kind === 'python') return join(dir, 'venv', 'bin', spec.binary);
  return join(dir, 'lib');
}

/** Where the tool's program is (or will be, once installed) in the cache. */
export function toolPath(spec: ToolSpec, cache = toolCacheDir()): string {
  return installedPath(toolDir(cache, spec), spec);
}

/** The installed tool when the cache has it complete, else undefined (never installs). */
export function cachedTool(spec: ToolSpec, cache = toolCacheDir()): InstalledTool | undefined {
  const dir = toolDir(cache, spec);
  if (!existsSync(join(dir, '.complete')) || !existsSync(installedPath(dir, spec))) return undefined;
  return { spec, dir, path: installedPath(dir, spec), built: false };
}

/** One command of an install; it runs in the tool's folder unless `cwd` says otherwise. */
interface InstallStep {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * Copies what a build needs from the repo into `work`: the wrapper module, or the Collector
 * manifest with its output path pointed into `work` (the builder writes its sources and binary there).
 */
function prepare(spec: ToolSpec, work: string): void {
  if (spec.kind === 'go-wrapper') {
    const src = join(work, 'src');
    mkdirSync(src, { recursive: true });
    for (const file of ['go.mod', 'go.sum']) copyFileSync(join(REPO_ROOT, spec.moduleDir, file), join(src, file));
  } else if (spec.kind === 'collector') {
    const manifest = readFileSync(join(REPO_ROOT, spec.manifest), 'utf8');
    if (!/^\s+output_path:/m.test(manifest)) throw new ToolInstallError(`cannot install ${spec.name}: ${spec.manifest} has no dist.output_path`, spec.name);
    writeFileSync(join(work, 'manifest.yaml'), manifest.replace(/^(\s+)output_path:.*$/m, `$1output_path: ${JSON.stringify(join(work, 'build'))}`));
  }
}

/** The steps that build a tool into `work`, its folder in the cache. */
function steps(spec: ToolSpec, work: string): InstallStep[] {
  if (spec.kind === 'go') {
    return [{ command: 'go', args: ['install', `${spec.module}@${spec.version}`], env: { GOBIN: join(work, 'bin') } }];
  }
  if (spec.kind === 'go-wrapper') {
    return [{ command: 'go', args: ['install', 'tool'], env: { GOBIN: join(work, 'bin') }, cwd: join(work, 'src') }];
  }
  if (spec.kind === 'collector') {
    return [
      { command: 'go', args: ['install', `go.opentelemetry.io/collector/cmd/builder@${spec.builderVersion}`], env: { GOBIN: join(work, 'builder') } },
      { command: join(work, 'builder', 'builder'), args: ['--config', join(work, 'manifest.yaml')] },
    ];
  }
  if (spec.kind === 'python') {
    const venv = join(work, 'venv');
    return [
      { command: 'python3', args: ['-m', 'venv', venv] },
      { command: join(venv, 'bin', 'python'), args: ['-m', 'pip', 'install', '--quiet', '--no-input', `${spec.pypiName ?? spec.name}==${spec.version}`] },
    ];
  }
  return [
    {
      command: 'mvn',
      args: ['--batch-mode', '--quiet', '-f', join(REPO_ROOT, spec.pom), 'dependency:copy-dependencies', `-DoutputDirectory=${join(work, 'lib')}`],
    },
  ];
}

function missingToolchain(spec: ToolSpec): string | undefined {
  const needed = { go: 'go', 'go-wrapper': 'go', collector: 'go', python: 'python3', maven: 'mvn' }[spec.kind];
  return findExecutable(needed) ? undefined : needed;
}

/** mkdir-lock per tool, so two runners never build the same one at once; a dead holder's lock is taken over. */
async function lockTool(dir: string, reporter: Reporter, spec: ToolSpec): Promise<() => void> {
  const lock = `${dir}.lock`;
  mkdirSync(join(dir, '..'), { recursive: true });
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = 0;
      try {
        holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // being written
      }
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if ((holder && !processAlive(holder)) || age > INSTALL_TIMEOUT_MS) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!told) {
        reporter.info(`${spec.name} ${spec.version} is being installed by another runner (pid ${holder || '?'}); waiting for it`);
        told = true;
      }
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
  }
}

/**
 * Makes sure the pinned tool is in the cache, building it when it is not; resolves to where it
 * is. Rejects with ToolInstallError (one line, naming the registry) when it cannot.
 */
export async function ensureTool(spec: ToolSpec, options: { reporter?: Reporter; cacheDir?: string; env?: Record<string, string> } = {}): Promise<InstalledTool> {
  const reporter = options.reporter ?? silentReporter;
  const cache = options.cacheDir ?? toolCacheDir();
  const cached = cachedTool(spec, cache);
  if (cached) return cached;
  const toolchain = missingToolchain(spec);
  if (toolchain) throw new ToolInstallError(`cannot install ${spec.name} ${spec.version}: ${toolchain} is not installed`, spec.name);
  const dir = toolDir(cache, spec);
  const unlock = await lockTool(dir, reporter, spec);
  try {
    const done = cachedTool(spec, cache);
    if (done) return done; // another runner built it while we waited
    const registry = REGISTRY[spec.kind];
    reporter.info(`installing ${spec.name} ${spec.version} from ${registry} into ${dir}`);
    const started = Date.now();
    const ticker = setInterval(() => reporter.info(`still installing ${spec.name} (${((Date.now() - started) / 1000).toFixed(0)} s)`), PROGRESS_EVERY_MS);
    // Built in place (a virtualenv cannot be moved); `.complete`, written last, marks it usable,
    // and an install that was cut short is wiped by the next one.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      prepare(spec, dir);
      for (const step of steps(spec, dir)) {
        const result = await runCaptured(step.command, step.args, { cwd: step.cwd ?? dir, env: { ...process.env, ...options.env, ...step.env }, timeoutMs: INSTALL_TIMEOUT_MS });
        if (result.code !== 0) {
          const lines = result.output.trim().split('\n').filter(Boolean);
          const last = lines.at(-1) ?? `exit code ${result.code}`;
          const cause = UNREACHABLE.test(result.output) ? `${registry} could not be reached or does not serve it` : `${basename(step.command)} ${step.args[0]} failed`;
          throw new ToolInstallError(`cannot install ${spec.name} ${spec.version}: ${cause} (${last.trim().slice(0, 300)})`, spec.name);
        }
      }
      writeFileSync(join(dir, '.complete'), `${new Date().toISOString()}\n`);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    } finally {
      clearInterval(ticker);
    }
    reporter.info(`installed ${spec.name} ${spec.version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { spec, dir, path: installedPath(dir, spec), built: true };
  } finally {
    unlock();
  }
}

/**
 * Installs of optional components running in the background: the runner starts them, goes on
 * with the core lab, lists what is still coming, and gets each tool (or its error) when ready.
 */
export class ToolInstalls {
  private readonly installs = new Map<string, { spec: ToolSpec; promise: Promise<InstalledTool>; settled: boolean; startedAt: number }>();

  constructor(private readonly options: { reporter?: Reporter; cacheDir?: string } = {}) {}

  /** Starts installing (no-op when already started); never rejects unhandled. */
  start(spec: ToolSpec): Promise<InstalledTool> {
    const existing = this.installs.get(spec.name);
    if (existing) return existing.promise;
    const entry = { spec, promise: ensureTool(spec, this.options), settled: false, startedAt: Date.now() };
    entry.promise.then(
      () => (entry.settled = true),
      () => (entry.settled = true),
    );
    this.installs.set(spec.name, entry);
    return entry.promise;
  }

  /** "name version (for N s)" of every install not finished yet. */
  pending(): string[] {
    return [...this.installs.values()]
      .filter((e) => !e.settled)
      .map((e) => `${e.spec.name} ${e.spec.version} (installing for ${((Date.now() - e.startedAt) / 1000).toFixed(0)} s)`);
  }
}
