/**
 * deploy/grafana/dashboards/*.json is what the TypeScript sources generate, file for file, so
 * what Grafana shows never drifts from what the tests check. Fix: `npm run dashboards -w
 * @orderlab/dashboards`, then commit the JSON.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { allDashboards, DASHBOARDS_DIR, fileNameOf, REPO_ROOT } from '../src/index.js';
import { staleFiles } from '../src/write-dashboards.js';

describe(`${DASHBOARDS_DIR}`, () => {
  it('holds exactly the generated dashboards, byte for byte (run npm run dashboards -w @orderlab/dashboards)', () => {
    assert.deepEqual(staleFiles(), { missing: [], changed: [], extra: [] });
  });

  it('is plain JSON Grafana can read, with the uid in the file name', () => {
    for (const { json } of allDashboards()) {
      const file = JSON.parse(readFileSync(join(REPO_ROOT, DASHBOARDS_DIR, fileNameOf(json)), 'utf8')) as { uid: string; id?: unknown };
      assert.equal(file.uid, json.uid);
      assert.equal(file.id, undefined, 'no database id: Grafana assigns one when it provisions the file');
    }
  });
});
