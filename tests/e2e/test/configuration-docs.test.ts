import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fulfillmentConfigSchema } from '@orderlab/fulfillment';
import { gatewayConfigSchema } from '@orderlab/gateway';
import { REPO_ROOT } from '@orderlab/lab';
import { notificationsConfigSchema } from '@orderlab/notifications';
import { ordersConfigSchema } from '@orderlab/orders';
import { trafficConfigSchema } from '@orderlab/traffic';
import type { TObject } from 'typebox';

/** The `| \`NAME\` | \`default\` | … |` rows of one `## heading` section of docs/configuration.md. */
function documented(markdown: string, heading: string): Map<string, string> {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(heading));
  assert.ok(section, `docs/configuration.md has a "## ${heading}" section`);
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| ([^|]*) \|/gm)) {
    rows.set(match[1]!, match[2]!.trim());
  }
  return rows;
}

function defaultCell(schema: TObject, name: string): string {
  const value = (schema.properties[name] as { default?: string | number | boolean }).default;
  return value === undefined || value === '' ? '*(empty)*' : `\`${String(value)}\``;
}

describe('docs/configuration.md', () => {
  const markdown = readFileSync(`${REPO_ROOT}/docs/configuration.md`, 'utf8');
  const common = documented(markdown, 'Common to every service');

  for (const [service, schema] of [
    ['gateway', gatewayConfigSchema],
    ['orders', ordersConfigSchema],
    ['fulfillment', fulfillmentConfigSchema],
    ['notifications', notificationsConfigSchema],
    ['traffic', trafficConfigSchema],
  ] as const) {
    it(`documents every variable of ${service}, with its default, and nothing else`, () => {
      const own = documented(markdown, service);
      const inSchema = Object.keys(schema.properties).sort();
      assert.deepEqual([...new Set([...common.keys(), ...own.keys()])].sort(), inSchema);
      for (const name of inSchema) {
        const cell = own.get(name) ?? common.get(name);
        if (name === 'CONSUMER_NAME') continue; // its default is computed (<hostname>-<pid>)
        assert.equal(cell, defaultCell(schema, name), `${service} ${name}`);
      }
    });
  }
});
