/**
 * What the static checks of the Docker Compose lab (compose-*.test.ts) read: compose.yaml as
 * written and as `docker-compose config` resolves it, docs/configuration.md's tables and
 * .env.example's sections. There is no Docker engine in CI, so docker-compose only validates.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, type LabService } from '@orderlab/lab';

/** One service of compose.yaml, the fields the checks read. */
export interface ComposeService {
  profiles?: string[];
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  command?: string[] | string;
  user?: string;
  init?: boolean;
  restart?: string;
  stop_grace_period?: string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: (string | { published?: string | number; target?: number; host_ip?: string })[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  entrypoint?: string[] | string;
  depends_on?: Record<string, { condition?: string }> | string[];
  deploy?: { resources?: { limits?: { cpus?: string | number; memory?: string } } };
  volumes?: (string | { source?: string; target?: string })[];
}

/** compose.yaml, the parts the checks read. */
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The backing stores, which run in Compose without a profile. */
export const INFRA = ['postgres', 'redis', 'rabbitmq'] as const;
/** The TypeScript services, built from the one Dockerfile. */
export const NODE_SERVICES = ['orders', 'fulfillment', 'notifications', 'gateway', 'traffic'] as const;
/**
 * Containers whose image has nothing a health check could run (FROM scratch: no shell, no
 * wget), each with where its health shows instead. Nothing may wait for them to be healthy.
 */
export const NO_HEALTHCHECK: Record<string, string> = {
  'edge-exporter': 'up{job="edge"} and nginx_up in Prometheus',
  'otel-collector': 'up{job="otel-collector"} in Prometheus and its health_check endpoint inside the network',
  tempo: "Tempo's /ready inside the network and Grafana's datasource test",
  victorialogs: "VictoriaLogs' /health inside the network and the console's logs view (distroless image, no probe flag known in the pinned release)",
};
/** The tracing profile: the OpenTelemetry Collector and Tempo. */
export const TRACING_SERVICES = ['otel-collector', 'tempo'] as const;
/** The logs profile: Grafana Alloy, Loki and VictoriaLogs (compose-logs.test.ts). */
export const LOGS_SERVICES = ['alloy', 'loki', 'victorialogs'] as const;
/** docs/configuration.md's section of the tracing variables (read by the `--import` hook, not the config schemas). */
export const TRACING_SECTION = 'Tracing';

/** A file of the repository, as text. */
export const read = (name: string) => readFileSync(join(REPO_ROOT, name), 'utf8');

/** compose.yaml as written (anchors and `<<` merges resolved, `${…}` left as text). */
export function rawCompose(): ComposeFile {
  return parse(read('compose.yaml'), { merge: true }) as ComposeFile;
}

/**
 * `docker-compose config` with a clean environment and an explicit env file (never a
 * developer's own .env): what Compose itself makes of the file.
 */
export function composeConfig(envFile: string, extraArgs: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('docker-compose', ['-f', 'compose.yaml', '--env-file', envFile, ...extraArgs, 'config'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: `${result.stderr}${result.error?.message ?? ''}` };
}

let emptyEnv: string | undefined;
/** An empty env file (made once per test file, removed at exit): Compose with nothing set. */
export function emptyEnvFile(): string {
  if (emptyEnv) return emptyEnv;
  const dir = mkdtempSync(join(tmpdir(), 'orderlab-compose-test-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  emptyEnv = join(dir, 'empty.env');
  writeFileSync(emptyEnv, '');
  return emptyEnv;
}

let resolved: ComposeFile | undefined;
/** `docker-compose config` parsed (run once): anchors merged, defaults interpolated, paths absolute. */
export function resolvedConfig(): ComposeFile {
  if (resolved) return resolved;
  const result = composeConfig(emptyEnvFile());
  assert.equal(result.status, 0, `docker-compose config failed:\n${result.stderr}`);
  resolved = parse(result.stdout) as ComposeFile;
  return resolved;
}

/** The resolved services by name, read on first use (so a describe block can hold it before docker-compose runs). */
export function resolvedServices(): Record<string, ComposeService> {
  return new Proxy<Record<string, ComposeService>>({}, { get: (_, name: string) => resolvedConfig().services[name] });
}

/** The value of an environment entry as the container sees it. */
export const envOf = (service: ComposeService): Record<string, string> =>
  Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));

/** `| \`NAME\` | … |` rows of one `## heading` section of docs/configuration.md: name → default cell. */
export function documented(heading: string): Map<string, string> {
  const section = read('docs/configuration.md')
    .split(/^## /m)
    .find((s) => s.startsWith(heading));
  assert.ok(section, `docs/configuration.md has a "## ${heading}" section`);
  return new Map([...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| ([^|]*) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));
}

/** What the docs' default cell means as a value: `x` → x, *(empty)* → ''. */
export function defaultValue(cell: string): string {
  if (cell === '*(empty)*') return '';
  const match = /^`([^`]*)`$/.exec(cell);
  assert.ok(match, `a default cell in backticks: ${cell}`);
  return match[1]!;
}

/** The variables a service reads, from docs/configuration.md (its own section, the common one and the tracing one). */
export function documentedFor(service: LabService): Map<string, string> {
  if (service === 'edge') return documented('edge');
  return new Map([...documented('Common to every service'), ...documented(TRACING_SECTION), ...documented(service)]);
}

/** `${NAME}`, `${NAME:-default}`, `${NAME-default}` … interpolations in a text, with their defaults. */
export function interpolations(text: string): Map<string, string | undefined> {
  const found = new Map<string, string | undefined>();
  for (const match of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+]([^}]*))?\}/g)) {
    found.set(match[1]!, match[2]);
  }
  return found;
}

/** One `## section` of .env.example: its variables, active (NAME=value) or commented (# NAME=value), and its "Set in compose.yaml" list. */
export interface EnvExampleSection {
  vars: Map<string, { value: string; active: boolean }>;
  setInCompose: string[];
}

/** .env.example: `## section` → its variables and "Set in compose.yaml" list. */
export function envExample(): Map<string, EnvExampleSection> {
  const sections = new Map<string, EnvExampleSection>();
  let current: EnvExampleSection | undefined;
  for (const line of read('.env.example').split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) {
      current = { vars: new Map(), setInCompose: [] };
      sections.set(heading[1]!.trim(), current);
      continue;
    }
    const setIn = /^# Set in compose\.yaml: (.+)$/.exec(line);
    if (setIn && current) current.setInCompose = setIn[1]!.split(',').map((s) => s.trim());
    const variable = /^(# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (variable) {
      assert.ok(current, `.env.example: ${line} comes after a "## section" line`);
      current.vars.set(variable[2]!, { value: variable[3]!, active: variable[1] === undefined });
    }
  }
  return sections;
}

/** One scrape config of a prometheus.yml, as far as its targets go. */
export interface ScrapeTargetsConfig {
  job_name: string;
  static_configs?: { targets: string[] }[];
  dns_sd_configs?: { names: string[]; type?: string; port?: number }[];
}

/**
 * The `host:port` targets of a scrape config: its static targets, and what its DNS discovery
 * would find (each name at its port: the Compose Collector's jobs, which have no target
 * without the tracing profile).
 */
export function scrapeTargets(config: ScrapeTargetsConfig): string[] {
  return [
    ...(config.static_configs ?? []).flatMap((s) => s.targets),
    ...(config.dns_sd_configs ?? []).flatMap((d) => d.names.map((name) => `${name}:${d.port}`)),
  ];
}
