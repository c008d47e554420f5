/**
 * .env.example: every variable compose.yaml reads, every documented one once, and nothing that
 * changes the lab when the file is copied to .env: each value is what the lab uses anyway (the
 * topology's address, empty published ports, the services' config defaults).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TObject } from 'typebox';
import { DEFAULT_URLS, HOST, PORTS, type PortName } from '@orderlab/contracts/topology';
import { fulfillmentConfigSchema } from '@orderlab/fulfillment';
import { gatewayConfigSchema } from '@orderlab/gateway';
import { REPO_ROOT, type LabService } from '@orderlab/lab';
import { notificationsConfigSchema } from '@orderlab/notifications';
import { ordersConfigSchema } from '@orderlab/orders';
import { trafficConfigSchema } from '@orderlab/traffic';
import { TRACING_SECTION, composeConfig, defaultValue, documented, emptyEnvFile, envExample, interpolations, rawCompose, read } from './compose-helpers.js';

/** The published ports compose.yaml reads from .env, and the topology port each publishes. */
const PUBLISHED_PORTS: Partial<Record<string, PortName>> = {
  EDGE_PUBLISHED_PORT: 'edge',
  TRAFFIC_PUBLISHED_PORT: 'traffic',
  PROMETHEUS_PUBLISHED_PORT: 'prometheus',
  GRAFANA_PUBLISHED_PORT: 'grafana',
};

/**
 * The tracing variables' defaults: packages/platform/src/tracing/settings.ts (readTracingSettings),
 * which the `--import` hook reads before any config schema loads.
 */
const TRACING_DEFAULTS: Record<string, string> = {
  TRACING_ENABLED: 'true',
  TRACING_SAMPLE_RATIO: '1',
  OTEL_EXPORTER_OTLP_ENDPOINT: DEFAULT_URLS.otlpHttp,
  DEPLOYMENT_ENVIRONMENT: 'lab',
};

/** The config schema of each service section of .env.example ("every service": all of them). */
const CONFIG_SCHEMAS: Record<string, TObject[]> = {
  'every service': [gatewayConfigSchema, ordersConfigSchema, fulfillmentConfigSchema, notificationsConfigSchema, trafficConfigSchema],
  gateway: [gatewayConfigSchema],
  orders: [ordersConfigSchema],
  fulfillment: [fulfillmentConfigSchema],
  notifications: [notificationsConfigSchema],
  traffic: [trafficConfigSchema],
};

describe('.env.example', () => {
  const sections = envExample();

  it('lists every variable compose.yaml interpolates, with the default compose.yaml uses', () => {
    const composeText = read('compose.yaml');
    const used = interpolations(composeText.replace(/^\s*#.*$/gm, ''));
    const listed = new Map([...sections.values()].flatMap((s) => [...s.vars].filter(([, v]) => v.active).map(([k, v]) => [k, v.value] as const)));
    assert.ok(used.size > 0);
    for (const [name, fallback] of used) {
      assert.ok(listed.has(name), `${name} (interpolated by compose.yaml) is in .env.example`);
      const port = PUBLISHED_PORTS[name];
      if (port === undefined) {
        assert.equal(listed.get(name), fallback ?? '', `${name}: .env.example shows compose.yaml's default`);
        continue;
      }
      // A port number is written in the topology and compose.yaml only: .env.example leaves it
      // empty, which `:-` treats as unset, so Compose publishes the port the service listens on.
      assert.equal(listed.get(name), '', `${name}: empty in .env.example`);
      assert.equal(fallback, String(PORTS[port]), `${name}: compose.yaml's default is PORTS.${port}`);
      assert.ok(composeText.includes(`\${${name}:-${PORTS[port]}}:${PORTS[port]}"`), `${name}: empty or unset, it publishes the container's own port`);
    }
    for (const name of listed.keys()) {
      assert.ok(used.has(name) || name === 'COMPOSE_PROJECT_NAME', `${name} is active in .env.example, so compose.yaml must read it`);
    }
  });

  it('changes nothing when copied to .env as it is', () => {
    const withExample = composeConfig(join(REPO_ROOT, '.env.example'));
    assert.equal(withExample.status, 0, withExample.stderr);
    const plain = composeConfig(emptyEnvFile());
    assert.equal(withExample.stdout, plain.stdout);
  });

  it('covers every documented variable once: set in compose.yaml, read from .env, or listed commented out with its default', () => {
    const common = documented('Common to every service');
    // The tracing section stands for the traced services; orders is one of them.
    const groups: [string, LabService | 'common' | 'tracing'][] = [
      ['every service', 'common'],
      ['tracing', 'tracing'],
      ['gateway', 'gateway'],
      ['orders', 'orders'],
      ['fulfillment', 'fulfillment'],
      ['notifications', 'notifications'],
      ['traffic', 'traffic'],
      ['edge', 'edge'],
    ];
    assert.deepEqual([...sections.keys()].sort(), ['compose', 'metrics', ...groups.map(([g]) => g)].sort());
    for (const [group, service] of groups) {
      const section = sections.get(group)!;
      // The common variables come from one anchor; orders stands for every TypeScript service.
      const composeEnv = Object.entries(rawCompose().services[service === 'common' || service === 'tracing' ? 'orders' : service]!.environment ?? {}).map(([k, v]) => [k, String(v)] as const);
      const docs = service === 'common' ? common : service === 'tracing' ? documented(TRACING_SECTION) : documented(service);
      const own = composeEnv.filter(([name]) => docs.has(name) && (service === 'common' || !common.has(name)));
      const fromEnvFile = own.filter(([name, value]) => value.startsWith(`\${${name}:-`)).map(([name]) => name);
      const fixed = own.map(([name]) => name).filter((name) => !fromEnvFile.includes(name));
      const listed = [...section.vars].filter(([, v]) => !v.active).map(([name]) => name);
      assert.deepEqual([...section.setInCompose].sort(), fixed.sort(), `${group}: the "Set in compose.yaml" line`);
      assert.deepEqual([...section.vars].filter(([, v]) => v.active).map(([name]) => name).sort(), fromEnvFile.sort(), `${group}: the active lines`);
      assert.deepEqual(
        [...fixed, ...fromEnvFile, ...listed].sort(),
        [...docs.keys()].filter((name) => service === 'common' || !common.has(name)).sort(),
        `${group}: every documented variable, once`,
      );
      for (const [name, { value }] of section.vars) assert.equal(value, defaultValue(docs.get(name)!), `${group} ${name}: .env.example shows the default of docs/configuration.md (update .env.example when a default changes)`);
    }
  });

  it('suggests only what the lab uses when nothing is set: every value is the topology\'s or a service\'s config default', () => {
    /** A schema default as .env.example writes it: the value, or nothing when there is none (or it is empty). */
    const defaultOf = (schema: TObject, name: string) => {
      const value = (schema.properties[name] as { default?: string | number | boolean }).default;
      return value === undefined ? '' : String(value);
    };
    const rootPackage = JSON.parse(read('package.json')) as { name: string };
    // The compose and metrics sections: Compose's own settings.
    const composeSettings: Record<string, string> = {
      COMPOSE_PROJECT_NAME: rootPackage.name,
      PUBLISH_ADDRESS: HOST,
      ...Object.fromEntries(Object.keys(PUBLISHED_PORTS).map((name) => [name, ''])),
      // Grafana's own default password, which compose.yaml falls back to.
      GRAFANA_ADMIN_PASSWORD: 'admin',
    };
    for (const group of ['compose', 'metrics']) {
      for (const [name, { value, active }] of sections.get(group)!.vars) {
        assert.ok(active, `${group} ${name}: Compose's own settings are active lines`);
        assert.equal(value, composeSettings[name], `${group} ${name}`);
      }
    }
    // The tracing section: the defaults of the tracing hook.
    for (const [name, { value }] of sections.get('tracing')!.vars) assert.equal(value, TRACING_DEFAULTS[name], `tracing ${name}: the tracing hook's default`);
    // The services' sections: each value, active or commented out, is the default of every
    // service of the section that reads it (the edge's variables are all set in compose.yaml).
    for (const [group, schemas] of Object.entries(CONFIG_SCHEMAS)) {
      for (const [name, { value }] of sections.get(group)!.vars) {
        const readers = schemas.filter((schema) => name in schema.properties);
        assert.ok(readers.length > 0, `${group} ${name} is a variable of that service`);
        for (const schema of readers) assert.equal(value, defaultOf(schema, name), `${group} ${name}: the config default`);
      }
    }
    assert.equal(sections.get('edge')!.vars.size, 0, 'edge: nothing to suggest, every variable is set in compose.yaml');
  });
});
