/**
 * Static checks of compose.yaml's logs profile: Alloy reads only the lab's containers and gives
 * their lines two bounded labels (service, level) and the per-request ids as structured
 * metadata; Loki and VictoriaLogs, pinned, on the topology's ports, keep a bounded store;
 * Grafana links a line's trace_id to Tempo and a span back to its lines; and every LogQL query
 * of the dashboards and of those links parses (logql.ts) and selects only Alloy's labels. See
 * compose-helpers.ts: there is no Docker engine, so nothing here runs a container.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { PORTS, address } from '@orderlab/contracts/topology';
import { REPO_ROOT, VICTORIALOGS, VICTORIALOGS_MAX_DISK, VICTORIALOGS_RETENTION } from '@orderlab/lab';
import { alloyBlocks, alloyEnvVariables, alloyMapKeys, alloyStrings } from './compose-logs-alloy.js';
import { LOGS_SERVICES, composeConfig, emptyEnvFile, envOf, read, resolvedServices, type ComposeFile } from './compose-helpers.js';
import { GRAFANA_RANGE_VARIABLES, logqlError, parseLogQL } from './logql.js';

/** The only stream labels Alloy sets: Loki indexes these and nothing else. */
const ALLOY_LABELS = ['level', 'service'];
/** One value per request, span or trace: attached to each line, never a label. */
const STRUCTURED_METADATA = ['request_id', 'span_id', 'trace_id'];
/** pino's levels, the only values of the label level. */
const PINO_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
/** The label compose.yaml puts on the containers Alloy may read. */
const LAB_LABEL = 'org.orderlab.logs';

interface LokiConfig {
  limits_config: Record<string, unknown>;
  compactor: { retention_enabled?: boolean };
  schema_config: { configs: { schema: string; store: string }[] };
  server: Record<string, unknown>;
}

interface Datasource {
  uid: string;
  type: string;
  url: string;
  jsonData?: {
    derivedFields?: { name: string; matcherType?: string; matcherRegex: string; datasourceUid?: string; url: string }[];
    tracesToLogsV2?: { datasourceUid: string; tags: { key: string; value: string }[]; customQuery?: boolean; query?: string };
  };
}

interface DashboardTarget {
  datasource?: { type?: string; uid?: string };
  expr?: string;
}
interface DashboardPanel {
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}

const DASHBOARDS_DIR = 'deploy/grafana/dashboards';

/** Every Loki query of every generated dashboard (the JSON Grafana loads). */
function dashboardLogQueries(): { where: string; panel: DashboardPanel; expr: string }[] {
  return readdirSync(join(REPO_ROOT, DASHBOARDS_DIR))
    .filter((file) => file.endsWith('.json'))
    .flatMap((file) => {
      const dashboard = JSON.parse(read(`${DASHBOARDS_DIR}/${file}`)) as { uid: string; panels: DashboardPanel[] };
      const panels = dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
      return panels.flatMap((panel) =>
        (panel.targets ?? []).filter((t) => t.datasource?.uid === 'loki').map((t) => ({ where: `${dashboard.uid} / ${panel.title}`, panel, expr: t.expr ?? '' })),
      );
    });
}

/** Grafana's provisioned datasources. */
const datasources = () => (parse(read('deploy/grafana/provisioning/datasources/datasources.yml')) as { datasources: Datasource[] }).datasources;

describe('compose.yaml, logs profile', () => {
  const services = resolvedServices();
  const mounts = (name: string) => (services[name]!.volumes ?? []).map(String);
  const command = (name: string) => {
    const value = services[name]!.command;
    return Array.isArray(value) ? value : [];
  };

  it('is valid for docker-compose with the logs profile, which adds Alloy, Loki and VictoriaLogs (also in full) and nothing else', () => {
    const result = composeConfig(emptyEnvFile(), ['--profile', 'logs']);
    assert.equal(result.status, 0, result.stderr);
    // docker-compose config lists every service whatever the profile: read the profiles.
    const withLogs = parse(result.stdout) as ComposeFile;
    const profiled = Object.entries(withLogs.services).filter(([, s]) => s.profiles?.includes('logs'));
    assert.deepEqual(profiled.map(([name]) => name).sort(), [...LOGS_SERVICES]);
    for (const name of LOGS_SERVICES) assert.deepEqual([...services[name]!.profiles!].sort(), ['full', 'logs'], name);
  });

  it('pins Alloy, Loki 3 and the native lab’s VictoriaLogs release, never latest', () => {
    assert.match(services.alloy!.image!, /^grafana\/alloy:v1\.\d+\.\d+$/);
    assert.match(services.loki!.image!, /^grafana\/loki:3\.\d+\.\d+$/, 'Loki 3: structured metadata, schema v13');
    assert.equal(services.victorialogs!.image, `victoriametrics/victoria-logs:${VICTORIALOGS.version}`, 'the release the native lab builds (tools/lab/src/tools.ts)');
    for (const name of LOGS_SERVICES) assert.doesNotMatch(services[name]!.image!, /latest/, name);
  });

  it('listens on the topology’s ports, and every address points at the Compose service that serves it', () => {
    assert.ok(command('loki').includes(`-server.http-listen-port=${PORTS.loki}`));
    assert.ok(command('alloy').includes(`--server.http.listen-addr=0.0.0.0:${PORTS.alloy}`));
    assert.ok(command('victorialogs').includes(`-httpListenAddr=:${PORTS.victoriaLogs}`));
    const alloy = envOf(services.alloy!);
    assert.equal(alloy.LOKI_PUSH_URL, `http://${address('loki', 'compose')}/loki/api/v1/push`);
    assert.match(alloy.VICTORIALOGS_PUSH_URL!, new RegExp(`^http://${address('victoriaLogs', 'compose')}/insert/loki/api/v1/push(\\?|$)`), 'VictoriaLogs’ Loki-compatible push API');
    assert.equal(envOf(services.traffic!).LOGS_QUERY_URL, `http://${address('victoriaLogs', 'compose')}`, 'the console’s logs view reads VictoriaLogs');
    assert.match(JSON.stringify(services.loki!.healthcheck!.test), new RegExp(`127\\.0\\.0\\.1:${PORTS.loki}/ready`));
    assert.match(JSON.stringify(services.alloy!.healthcheck!.test), new RegExp(`/dev/tcp/127\\.0\\.0\\.1/${PORTS.alloy}\\b`));
    // The configs name no port (the topology test does not read .alloy files): they come from compose.yaml.
    for (const file of ['deploy/alloy/config.alloy', 'deploy/loki/loki.yaml']) {
      for (const [name, port] of Object.entries(PORTS)) assert.doesNotMatch(read(file), new RegExp(`\\b${port}\\b`), `${file} writes no port (${name})`);
    }
  });

  it('publishes none of them: the lines are read in Grafana and on the console', () => {
    for (const name of LOGS_SERVICES) assert.deepEqual(services[name]!.ports ?? [], [], name);
  });

  it('bounds what the stores keep: Loki by age with the compactor, VictoriaLogs by age and disk like the native lab', () => {
    const loki = parse(read('deploy/loki/loki.yaml')) as LokiConfig;
    assert.match(String(loki.limits_config.retention_period), /^\d+[hd]$/);
    assert.equal(loki.compactor.retention_enabled, true, 'without it Loki keeps every line for ever');
    for (const limit of ['max_global_streams_per_user', 'ingestion_rate_mb', 'max_entries_limit_per_query']) assert.ok(Number(loki.limits_config[limit]) > 0, limit);
    assert.ok(command('victorialogs').includes(`-retentionPeriod=${VICTORIALOGS_RETENTION}`));
    assert.ok(command('victorialogs').includes(`-retention.maxDiskSpaceUsageBytes=${VICTORIALOGS_MAX_DISK}`));
    assert.ok(mounts('loki').some((v) => v.startsWith('loki-data:/loki')));
    assert.ok(mounts('victorialogs').some((v) => v.startsWith('victorialogs-data:')));
    assert.ok(mounts('alloy').some((v) => v.startsWith('alloy-data:/var/lib/alloy/data')), 'Alloy keeps where it read up to across restarts');
    assert.ok(command('alloy').includes('--storage.path=/var/lib/alloy/data'));
  });

  it('lets Loki take structured metadata and keeps its stream labels to Alloy’s', () => {
    const loki = parse(read('deploy/loki/loki.yaml')) as LokiConfig;
    assert.equal(loki.limits_config.allow_structured_metadata, true);
    assert.ok(loki.schema_config.configs.every((c) => c.schema === 'v13' && c.store === 'tsdb'), 'structured metadata needs schema v13');
    assert.deepEqual(loki.limits_config.discover_service_name, [], 'no service_name label added by Loki');
    assert.equal(loki.limits_config.discover_log_levels, false);
    assert.ok(mounts('loki').some((v) => v.endsWith('/deploy/loki/loki.yaml:/etc/loki/loki.yaml:ro')));
    assert.ok(command('loki').includes('-config.file=/etc/loki/loki.yaml'));
  });

  it('has Alloy read the lab’s containers only: those with the lab’s label, which every service but the log pipeline carries', () => {
    const raw = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, { labels?: Record<string, string> }> };
    for (const [name, service] of Object.entries(raw.services)) {
      const labelled = service.labels?.[LAB_LABEL] === 'true';
      assert.equal(labelled, !(LOGS_SERVICES as readonly string[]).includes(name), `${name} ${labelled ? 'carries' : 'lacks'} ${LAB_LABEL}`);
    }
    const config = read('deploy/alloy/config.alloy');
    const [discovery] = alloyBlocks(config, 'discovery.docker');
    assert.ok(discovery, 'Alloy discovers containers through Docker');
    const [filter] = alloyBlocks(discovery.body, 'filter');
    assert.ok(filter, 'discovery.docker filters the containers');
    assert.deepEqual(alloyStrings(filter.body, 'name'), ['label']);
    assert.deepEqual(alloyStrings(filter.body, 'values'), [`${LAB_LABEL}=true`]);
    assert.equal(alloyBlocks(config, 'loki.source.docker').length, 1, 'the lines come from the Docker API (loki.source.docker)');
    assert.ok(mounts('alloy').includes('/var/run/docker.sock:/var/run/docker.sock:ro'));
    assert.ok(mounts('alloy').some((v) => v.endsWith('/deploy/alloy/config.alloy:/etc/alloy/config.alloy:ro')));
    assert.deepEqual(command('alloy').slice(0, 2), ['run', '/etc/alloy/config.alloy']);
  });

  it('gives every line the labels service and level and no other, and the per-request ids as structured metadata', () => {
    const config = read('deploy/alloy/config.alloy');
    const relabelled = alloyBlocks(config, 'discovery.relabel').flatMap((b) => alloyBlocks(b.body, 'rule')).flatMap((r) => alloyStrings(r.body, 'target_label'));
    const staged = alloyBlocks(config, 'stage.labels').flatMap((b) => alloyMapKeys(b.body, 'values'));
    for (const forbidden of ['stage.static_labels', 'stage.labelallow', 'external_labels']) assert.doesNotMatch(config, new RegExp(`\\b${forbidden.replace('.', '\\.')}\\b`), `${forbidden}: no label besides service and level`);
    assert.doesNotMatch(alloyBlocks(config, 'loki.source.docker')[0]!.body, /^\s*labels\s*=/m, 'no default labels on the source');
    assert.deepEqual([...new Set([...relabelled, ...staged])].sort(), ALLOY_LABELS);
    const metadata = alloyBlocks(config, 'stage.structured_metadata').flatMap((b) => alloyMapKeys(b.body, 'values'));
    assert.deepEqual(metadata.sort(), STRUCTURED_METADATA);
    for (const field of STRUCTURED_METADATA) assert.ok(!relabelled.includes(field) && !staged.includes(field), `${field} is never a label`);
    // level is bounded: a value outside pino's six is dropped as a label.
    const selectors = alloyBlocks(config, 'stage.match').flatMap((b) => alloyStrings(b.body, 'selector'));
    const guard = selectors.map((s) => parseLogQL(s).selectors[0]!).find((m) => m.some((x) => x.label === 'level' && x.op === '!~'));
    assert.ok(guard, 'a stage.match drops a level outside pino’s');
    assert.deepEqual(guard.find((x) => x.label === 'level')!.value.split('|').sort(), [...PINO_LEVELS].sort());
    // The selectors of stage.match are LogQL too, on Alloy's own labels.
    for (const selector of selectors) {
      for (const m of parseLogQL(selector).selectors.flat()) assert.ok(ALLOY_LABELS.includes(m.label), `${selector}: ${m.label}`);
    }
  });

  it('ships every line both to Loki and to VictoriaLogs, at addresses compose.yaml sets', () => {
    const config = read('deploy/alloy/config.alloy');
    const writers = alloyBlocks(config, 'loki.write');
    assert.deepEqual(writers.map((w) => w.label).sort(), ['loki', 'victorialogs']);
    const [process] = alloyBlocks(config, 'loki.process');
    assert.match(process!.body, /forward_to\s*=\s*\[loki\.write\.loki\.receiver,\s*loki\.write\.victorialogs\.receiver\]/);
    const env = envOf(services.alloy!);
    for (const name of alloyEnvVariables(config)) assert.ok(env[name], `alloy: ${name} (read by sys.env) is set in compose.yaml`);
    assert.deepEqual(alloyEnvVariables(config).sort(), ['LOKI_PUSH_URL', 'VICTORIALOGS_PUSH_URL']);
  });
});

describe('Grafana’s logs correlations (deploy/grafana/provisioning)', () => {
  const byUid = (uid: string) => datasources().find((d) => d.uid === uid);

  it('provisions Loki with the uid the dashboards and Tempo name, at the topology’s address', () => {
    const loki = byUid('loki');
    assert.ok(loki, 'a Loki datasource with uid loki');
    assert.equal(loki.type, 'loki');
    assert.equal(loki.url, `http://${address('loki', 'compose')}`);
  });

  it('turns a line’s trace_id (structured metadata) into a link to the trace in Tempo', () => {
    const fields = byUid('loki')!.jsonData?.derivedFields ?? [];
    const traceId = fields.find((f) => f.name === 'trace_id');
    assert.ok(traceId, 'a derived field trace_id');
    assert.equal(traceId.matcherType, 'label', 'matched on the structured metadata, not a regex over the text');
    assert.equal(traceId.matcherRegex, 'trace_id');
    assert.equal(traceId.datasourceUid, 'tempo');
    assert.equal(byUid('tempo')?.type, 'tempo', 'the uid is the provisioned Tempo');
    assert.equal(traceId.url, '$${__value.raw}', 'the value itself is the trace id ($ doubled for provisioning)');
  });

  it('opens a span’s lines in Loki: its service’s stream, filtered on trace_id, with a query that parses', () => {
    const link = byUid('tempo')!.jsonData?.tracesToLogsV2;
    assert.equal(link?.datasourceUid, 'loki');
    assert.deepEqual(link.tags.map((t) => t.value), ['service'], 'service.name selects Alloy’s label service');
    assert.equal(link.customQuery, true);
    // As Grafana runs it: $$ is provisioning's $, ${__tags} the span's tags as matchers.
    const query = link
      .query!.replace(/\$\$/g, '$')
      .replace('${__tags}', 'service="orders"')
      .replace('${__trace.traceId}', '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(logqlError(query), undefined, query);
    assert.match(query, /\| trace_id="4bf92f3577b34da6a3ce929d0e0e4736"$/);
    for (const m of parseLogQL(query).selectors.flat()) assert.ok(ALLOY_LABELS.includes(m.label), m.label);
  });
});

describe('LogQL of the dashboards', () => {
  const queries = dashboardLogQueries();

  it('is there: the Logs dashboard has error lines per service, the volume by service and level, and a logs panel', () => {
    const logs = queries.filter((q) => q.where.startsWith('orderlab-logs / '));
    assert.ok(logs.length >= 5, `the Logs dashboard queries Loki (found ${logs.length})`);
    const parsed = logs.map((q) => ({ ...q, parsed: parseLogQL(q.expr) }));
    const errorRate = parsed.find(
      (q) => /^sum by \(service\) \(rate\(/.test(q.expr) && q.parsed.selectors.flat().some((m) => m.label === 'level' && m.op === '=~' && m.value.includes('error')),
    );
    assert.ok(errorRate, 'error log lines per service, as a rate');
    assert.ok(parsed.some((q) => q.parsed.kind === 'metric' && [...q.parsed.grouping].sort().join() === 'level,service'), 'log volume by service and level');
    assert.ok(parsed.some((q) => q.panel.type === 'logs' && q.parsed.kind === 'log'), 'a logs panel');
  });

  it('parses, every query', () => {
    const broken = queries.map((q) => ({ q, error: logqlError(q.expr) })).filter(({ error }) => error !== undefined);
    assert.deepEqual(broken.map(({ q, error }) => `${q.where}: ${q.expr} — ${error}`), []);
  });

  it('selects and groups only by the labels Alloy sets, and uses only Grafana’s range variables for Loki', () => {
    for (const q of queries) {
      const parsed = parseLogQL(q.expr);
      for (const m of parsed.selectors.flat()) assert.ok(ALLOY_LABELS.includes(m.label), `${q.where}: {${m.label}…} is not a label Alloy sets`);
      for (const label of parsed.grouping) assert.ok(ALLOY_LABELS.includes(label), `${q.where}: by (${label})`);
      for (const variable of q.expr.match(/\$__\w+/g) ?? []) assert.ok((GRAFANA_RANGE_VARIABLES as readonly string[]).includes(variable), `${q.where}: ${variable}`);
      if (q.panel.type === 'logs') assert.equal(parsed.kind, 'log', `${q.where}: a logs panel shows lines`);
      else assert.equal(parsed.kind, 'metric', `${q.where}: a ${q.panel.type} panel needs a metric query`);
    }
  });
});

describe('the LogQL checker (logql.ts)', () => {
  const valid = [
    '{service="orders"}',
    '{service=~"gateway|orders", level!="debug"}',
    '{service="edge"} |= "POST" != "healthz" |~ "5\\\\d\\\\d" !~ `^GET /readyz`',
    '{service="orders"} | json | duration_ms > 250 and status >= 500 or route=~"/api/.*"',
    '{service="orders"} | logfmt --strict | level="error"',
    '{service="orders"} | json status="res.status", route | line_format "{{.status}} {{.route}}"',
    '{service="orders"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"',
    '{service="orders"} | json | (status = 500 or status = 503), duration_ms >= 1s',
    'sum by (service) (rate({service=~".+", level=~"error|fatal"}[$__auto]))',
    'sum by (service, level) (count_over_time({service=~".+"}[5m]))',
    'sum(count_over_time({service=~".+"}[$__range])) / 2',
    'topk(3, sum by (service) (bytes_rate({service=~".+"} |= "error" [$__interval])))',
    'sum without (level) (rate({service="edge"}[1m] | json | status >= 500))',
    'sum(rate({service="edge", level="error"}[5m])) / sum(rate({service="edge"}[5m])) > bool 0.01',
  ];
  for (const query of valid) {
    it(`accepts ${query}`, () => assert.equal(logqlError(query), undefined));
  }

  const invalid: [string, RegExp][] = [
    ['{service="orders"', /expected "}"/],
    ['{}', /at least one matcher/],
    ['{service=~".*"}', /does not match the empty value/],
    ['{service==“orders”}', /expected = != =~ or !~|unexpected/],
    ['{service==orders}', /expected = != =~ or !~/],
    ['{service=orders}', /expected a quoted value/],
    ['{service=~"(orders"}', /invalid regular expression/],
    ['{service="orders"} |= ', /expected a quoted string/],
    ['{service="orders"} |', /expected a parser/],
    ['{service="orders"} | jsonx', /unknown stage "jsonx"/],
    ['{service="orders"} | line_format "{{.status"', /unclosed \{\{/],
    ['{service="orders"} | line_format "{{}}"', /unbalanced or empty/],
    ['{service="orders"} | json | status > "500"', /compares numbers/],
    ['{service="orders"} | json | status =~ 500', /needs a quoted regular expression/],
    ['rate({service="orders"})', /expected "\["/],
    ['rate({service="orders"}[5x])', /is not a number, duration or byte size/],
    ['rate({service="orders"}[$__rate])', /expected a duration or one of/],
    ['rate({service="orders"}[5])', /expected a duration/],
    ['sum by service (rate({service="orders"}[5m]))', /expected "\("/],
    ['sum by (service) rate({service="orders"}[5m])', /expected "\("/],
    ['topk(sum(rate({service="orders"}[5m])))', /number of series/],
    ['ratex({service="orders"}[5m])', /unknown function "ratex"/],
    ['sum(rate({service="orders"}[5m])) +', /expected a LogQL function/],
    ['{service="orders"} | json )', /expected the end of the query/],
    ['{service="orders} |= "x"', /unterminated string|expected/],
    ['{service.name="orders"}', /is not a name/],
  ];
  for (const [query, message] of invalid) {
    it(`rejects ${query}`, () => assert.match(logqlError(query) ?? 'accepted', message));
  }
});
