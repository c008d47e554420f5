/**
 * Static checks of compose.yaml's tracing profile: the OpenTelemetry Collector runs the native
 * lab's own config file with every address it reads, exports to Tempo, and Tempo (3.x format)
 * writes its service graph to a Prometheus that accepts it. See compose-helpers.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { PORTS, address } from '@orderlab/contracts/topology';
import { SCRAPE_JOBS, TRACED_SERVICES, collectorEnv } from '@orderlab/lab';
import { envOf, read, resolvedServices, scrapeTargets, type ScrapeTargetsConfig } from './compose-helpers.js';

/**
 * `${env:VAR}` references of the Collector's config (comments aside), or `${VAR}` ones of Tempo's:
 * Tempo's -config.expand-env runs over the whole text, comments included.
 */
function referencedVariables(text: string, collector: boolean): string[] {
  const pattern = collector ? /\$\{env:([A-Z][A-Z0-9_]*)\}/g : /\$\{([A-Z][A-Z0-9_]*)\}/g;
  const scanned = collector ? text.replace(/^\s*#.*$/gm, '') : text;
  return [...new Set([...scanned.matchAll(pattern)].map((m) => m[1]!))].sort();
}

/** host:port → its port. */
const portOf = (hostPort: string) => Number(hostPort.split(':').at(-1));

describe('compose.yaml, tracing profile', () => {
  const services = resolvedServices();
  const mounts = (name: string) => (services[name]!.volumes ?? []).map(String);
  const command = (name: string) => {
    const value = services[name]!.command;
    return Array.isArray(value) ? value : [];
  };

  it('runs the Collector with the config file of the native lab, read-only', () => {
    assert.ok(mounts('otel-collector').some((v) => v.endsWith('/deploy/otel-collector/config.yaml:/etc/otelcol/config.yaml:ro')));
    assert.deepEqual(command('otel-collector'), ['--config=/etc/otelcol/config.yaml']);
  });

  it('sets every variable the Collector config reads, the same ones the native runner sets, on the topology’s ports on every interface', () => {
    const env = envOf(services['otel-collector']!);
    const native = collectorEnv(PORTS);
    const referenced = referencedVariables(read('deploy/otel-collector/config.yaml'), true);
    assert.deepEqual(Object.keys(native).sort(), referenced, 'the native runner sets exactly what the config reads');
    for (const name of referenced) assert.ok(name in env, `otel-collector: ${name} is set`);
    // Listeners: the native address with 0.0.0.0 for 127.0.0.1 (other containers connect).
    for (const name of ['OTLP_GRPC_ENDPOINT', 'OTLP_HTTP_ENDPOINT', 'SPAN_METRICS_ENDPOINT', 'COLLECTOR_HEALTH_ENDPOINT', 'COLLECTOR_METRICS_PORT']) {
      assert.equal(env[name], native[name]!.replace('127.0.0.1', '0.0.0.0'), name);
    }
    assert.equal(env.COLLECTOR_METRICS_HOST, '0.0.0.0');
    assert.equal(portOf(env.OTLP_HTTP_ENDPOINT!), PORTS.otlpHttp);
  });

  it('has every traced service export to the Collector, and traffic trace nothing', () => {
    for (const name of TRACED_SERVICES) {
      const env = envOf(services[name]!);
      assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, `http://${address('otlpHttp', 'compose')}`, name);
      assert.equal(env.DEPLOYMENT_ENVIRONMENT, 'compose', name);
      assert.equal(env.TRACING_ENABLED, 'true', `${name}: on unless .env says otherwise`);
    }
    assert.equal(envOf(services.traffic!).TRACING_ENABLED, 'false');
  });

  it('exports the traces to Tempo’s OTLP receiver, and runs no Jaeger (the native lab’s store)', () => {
    const collector = envOf(services['otel-collector']!);
    const tempo = envOf(services.tempo!);
    assert.equal(collector.TRACES_EXPORT_ENDPOINT, `tempo:${portOf(tempo.TEMPO_OTLP_GRPC_ENDPOINT!)}`);
    assert.equal(tempo.TEMPO_OTLP_GRPC_ENDPOINT, `0.0.0.0:${PORTS.otlpGrpc}`, 'the standard OTLP/gRPC port, in its own container');
    assert.equal(services.jaeger, undefined);
  });

  it('pins Tempo 3 and configures it in the 3.x format: monolithic, no ingester or compactor, scoped overrides', () => {
    assert.match(services.tempo!.image!, /^grafana\/tempo:3\.\d+\.\d+$/);
    const config = parse(read('deploy/tempo/tempo.yaml')) as Record<string, unknown> & { overrides: Record<string, unknown> };
    for (const removed of ['ingester', 'ingester_client', 'compactor', 'metrics_generator_client']) assert.equal(config[removed], undefined, `${removed} (removed in 3.0)`);
    assert.deepEqual(Object.keys(config.overrides), ['defaults'], 'overrides in the scoped format (3.0 refuses the legacy one)');
    assert.equal(config.target, undefined, 'the default target, all: monolithic');
  });

  it('gives Tempo its config with the environment expanded, every variable set, and the topology’s HTTP port', () => {
    assert.ok(mounts('tempo').some((v) => v.endsWith('/deploy/tempo/tempo.yaml:/etc/tempo/tempo.yaml:ro')));
    assert.ok(command('tempo').includes('-config.file=/etc/tempo/tempo.yaml'));
    assert.ok(command('tempo').includes('-config.expand-env=true'));
    assert.ok(command('tempo').includes(`-server.http-listen-port=${PORTS.tempo}`));
    const env = envOf(services.tempo!);
    const text = read('deploy/tempo/tempo.yaml');
    for (const name of referencedVariables(text, false)) assert.ok(env[name], `tempo: ${name} is set`);
    // Any other $ (a comment's "${…}" say) makes Tempo refuse the file: "unable to parse variable name".
    assert.deepEqual(text.replace(/\$\{[A-Z][A-Z0-9_]*\}/g, '').match(/\$.{0,20}/g), null, 'no $ but a variable reference');
  });

  it('writes Tempo’s service graph to a Prometheus that accepts remote writes and keeps exemplars', () => {
    assert.equal(envOf(services.tempo!).PROMETHEUS_REMOTE_WRITE_URL, `http://${address('prometheus', 'compose')}/api/v1/write`);
    const prometheus = command('prometheus');
    assert.ok(prometheus.includes('--web.enable-remote-write-receiver'));
    assert.ok(prometheus.includes('--enable-feature=exemplar-storage'));
    const config = parse(read('deploy/tempo/tempo.yaml')) as { overrides: { defaults: { metrics_generator: { processors: string[]; trace_id_label_name: string } } } };
    assert.deepEqual(config.overrides.defaults.metrics_generator.processors, ['service-graphs'], 'RED comes from the Collector’s span metrics, not twice');
    const { datasources } = parse(read('deploy/grafana/provisioning/datasources/datasources.yml')) as { datasources: { uid: string; jsonData: { exemplarTraceIdDestinations?: { name: string }[] } }[] };
    const destinations = datasources.find((d) => d.uid === 'prometheus')!.jsonData.exemplarTraceIdDestinations ?? [];
    assert.deepEqual(destinations.map((d) => d.name), [config.overrides.defaults.metrics_generator.trace_id_label_name], 'Tempo’s exemplars carry the label Grafana links');
  });

  it('lets the Compose Prometheus scrape the Collector’s span metrics and its own metrics', () => {
    const config = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: ScrapeTargetsConfig[] };
    const targets = Object.fromEntries(config.scrape_configs.map((c) => [c.job_name, scrapeTargets(c)]));
    // Found by DNS: no target at all (rather than a down one) when the tracing profile is off.
    for (const c of config.scrape_configs.filter((c) => c.job_name.startsWith('otel-collector'))) assert.equal(c.static_configs, undefined, c.job_name);
    const collectorJobs = SCRAPE_JOBS.filter((j) => j.source === 'otel-collector');
    assert.deepEqual(collectorJobs.map((j) => j.port).sort(), ['collectorMetrics', 'spanMetrics']);
    for (const job of collectorJobs) assert.deepEqual(targets[job.job], [address(job.port, 'compose')], job.job);
  });
});
