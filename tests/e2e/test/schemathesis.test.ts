import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ensureTool, SCHEMATHESIS } from '@orderlab/lab';
import { labFor } from './helpers.js';

/**
 * The four checks of docs/testing.md, none weakened: no 5xx, every status and content type
 * documented, every body matching its documented schema.
 */
const CHECKS = 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance';
/** Examples per operation; with a fixed seed the run is the same every time (~1,700 cases, ~25 s idle). */
const MAX_EXAMPLES = '100';
const SEED = '20261207';
const RUN_TIMEOUT_MS = 240_000;

/** Runs `st run` against one document through the edge; resolves with its exit code and output. */
function schemathesis(st: string, document: string, edge: string, cwd: string): Promise<{ code: number | null; output: string }> {
  const args = ['run', document, '--url', edge, '--checks', CHECKS, '--max-examples', MAX_EXAMPLES, '--seed', SEED, '--generation-database', 'none', '--no-color'];
  return new Promise((resolve, reject) => {
    // Its working folder collects .schemathesis/ and .hypothesis/: the lab's log folder, not the repo.
    const child = spawn(st, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-30_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('Schemathesis against the live API through the edge', () => {
  it('finds no server error and no answer that breaks the OpenAPI documents (gateway and notifications)', async (t) => {
    // Installed once per version into the tool cache (npm test starts it in the background).
    const st = await ensureTool(SCHEMATHESIS, { reporter: { info: (m) => t.diagnostic(m), warn: (m) => t.diagnostic(m), error: (m) => t.diagnostic(m) } });
    const lab = await labFor(t, 'schemathesis');
    const cwd = join(lab.logsDir, 'schemathesis');
    mkdirSync(cwd, { recursive: true });

    for (const document of ['/api/v1/openapi.json', '/api/v1/notifications/openapi.json']) {
      const { code, output } = await schemathesis(st.path, `${lab.urls.edge}${document}`, lab.urls.edge, cwd);
      const summary = output.split('\n').filter((line) => /\d+ generated|failed|error/i.test(line)).slice(-6);
      for (const line of summary) t.diagnostic(`${document}: ${line.trim()}`);
      assert.equal(code, 0, `st run ${document} failed:\n${output.slice(-8_000)}`);
    }
  });
});
