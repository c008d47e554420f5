/**
 * The Makefile: thin wrappers over the commands they print, and the traffic generator's port
 * taken from the topology (packages/contracts/src/topology.ts), not written again.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { DEFAULT_PORTS, REPO_ROOT } from '@orderlab/lab';
import { read } from './compose-helpers.js';

/** The traffic generator's control API on this machine, as the Makefile's targets call it. */
const TRAFFIC = `http://127.0.0.1:${DEFAULT_PORTS.traffic}`;

describe('Makefile', () => {
  const make = (...args: string[]) => execFileSync('make', ['--no-print-directory', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });

  it('runs the documented command for each target', () => {
    const expected: Record<string, string> = {
      up: 'docker compose up -d --build',
      'up-full': 'docker compose --profile full up -d --build',
      down: 'docker compose down',
      logs: 'docker compose logs -f',
      ps: 'docker compose ps',
      start: 'npm start',
      test: 'npm test',
      bench: 'npm run bench',
      status: `curl -fsS ${TRAFFIC}/status`,
      'mode-steady': `curl -fsS -X POST ${TRAFFIC}/mode/steady`,
      'mode-burst': `curl -fsS -X POST ${TRAFFIC}/mode/burst`,
      'mode-overload': `curl -fsS -X POST ${TRAFFIC}/mode/overload`,
      'mode-pause': `curl -fsS -X POST ${TRAFFIC}/mode/pause`,
    };
    for (const [target, command] of Object.entries(expected)) assert.equal(make('-n', target).trim(), command, target);
    assert.equal(make('-n', 'mode-burst', 'TRAFFIC_URL=http://10.0.0.5:9000').trim(), 'curl -fsS -X POST http://10.0.0.5:9000/mode/burst');
  });

  it('lists every target with a description by default', () => {
    const help = make();
    for (const target of ['up', 'up-full', 'down', 'logs', 'ps', 'start', 'test', 'bench', 'status', 'mode-steady', 'mode-burst', 'mode-overload', 'mode-pause']) {
      assert.match(help, new RegExp(`^ {2}${target} +\\S`, 'm'), target);
    }
  });

  it('uses the traffic port the native lab and Compose publish, read from the topology', () => {
    assert.match(read('Makefile'), /^TRAFFIC_URL \?= http:\/\/127\.0\.0\.1:\$\(TRAFFIC_PORT\)$/m);
    assert.match(read('Makefile'), /^TRAFFIC_PORT := .*packages\/contracts\/src\/topology\.ts\)$/m, 'the port is the topology\'s');
    assert.equal(make('-n', 'status').trim(), `curl -fsS http://127.0.0.1:${DEFAULT_PORTS.traffic}/status`);
  });
});
