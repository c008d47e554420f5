import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { cachedTool, ensureTool, ToolInstallError, ToolInstalls, type ToolSpec } from '../src/tools.js';
import { recordingReporter } from './helpers.js';

/** A fresh, empty tool cache for one test. */
function freshCache(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'orderlab-tools-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A small real tool from PyPI (its console script prints its version). */
const PYFLAKES: ToolSpec = { kind: 'python', name: 'pyflakes', version: '3.2.0', binary: 'pyflakes' };

describe('the tool installer', () => {
  it('installs a pinned Python tool into a virtualenv, says so with the time taken, and the second time finds it cached', async (t) => {
    const cacheDir = freshCache(t);
    const reporter = recordingReporter();

    const first = await ensureTool(PYFLAKES, { cacheDir, reporter });
    const second = await ensureTool(PYFLAKES, { cacheDir, reporter });

    assert.equal(first.built, true);
    assert.equal(second.built, false);
    assert.equal(second.path, join(cacheDir, 'tools', 'pyflakes', '3.2.0', 'venv', 'bin', 'pyflakes'));
    const version = spawnSync(second.path, ['--version'], { encoding: 'utf8' });
    assert.match(version.stdout, /^3\.2\.0 /);
    assert.equal(reporter.messages[0], `installing pyflakes 3.2.0 from PyPI into ${join(cacheDir, 'tools', 'pyflakes', '3.2.0')}`);
    assert.match(reporter.messages.at(-1) ?? '', /^installed pyflakes 3\.2\.0 in \d+\.\d s$/);
    assert.equal(reporter.messages.filter((m) => m.startsWith('installing')).length, 1, 'installed once');
  });

  it('copies a pom’s Java artifacts from Maven Central into the tool’s lib folder', async (t) => {
    const cacheDir = freshCache(t);
    const tool = await ensureTool({ kind: 'maven', name: 'maven-tool', version: '1', pom: 'tools/lab/test/fixtures/maven-tool/pom.xml' }, { cacheDir });

    assert.deepEqual(readdirSync(tool.path).sort(), ['hamcrest-core-1.3.jar', 'junit-4.13.2.jar']);
  });

  it('builds a Go program in a wrapper module of ours (go install tool), and the second time finds it cached', async (t) => {
    const cacheDir = freshCache(t);
    const spec: ToolSpec = { kind: 'go-wrapper', name: 'toxiproxy', version: 'v2.5.0', moduleDir: 'tools/lab/test/fixtures/go-wrapper', binary: 'server' };

    const first = await ensureTool(spec, { cacheDir });
    const second = await ensureTool(spec, { cacheDir });

    assert.equal(first.built, true);
    assert.equal(second.built, false);
    assert.equal(second.path, join(cacheDir, 'tools', 'toxiproxy', 'v2.5.0', 'bin', 'server'));
    assert.match(spawnSync(second.path, ['-version'], { encoding: 'utf8' }).stdout, /^toxiproxy-server version/);
  });

  it('builds a Collector distribution from a manifest in the repo with the Collector Builder', async (t) => {
    const cacheDir = freshCache(t);
    const spec: ToolSpec = {
      kind: 'collector',
      name: 'otelcol-mini',
      version: 'v0.165.0',
      builderVersion: 'v0.165.0',
      manifest: 'tools/lab/test/fixtures/otelcol-mini/manifest.yaml',
      binary: 'otelcol-mini',
    };

    const tool = await ensureTool(spec, { cacheDir });

    assert.equal(tool.path, join(cacheDir, 'tools', 'otelcol-mini', 'v0.165.0', 'build', 'otelcol-mini'));
    const components = spawnSync(tool.path, ['components'], { encoding: 'utf8' }).stdout;
    assert.match(components, /receivers:[\s\S]*- name: otlp\b/, 'the manifest\'s receiver is built in');
    assert.match(components, /exporters:[\s\S]*- name: debug\b/, 'the manifest\'s exporter is built in');
    assert.equal(cachedTool(spec, cacheDir)?.path, tool.path);
  });

  it('fails with one line naming the registry when it cannot be reached, and caches nothing', async (t) => {
    const cacheDir = freshCache(t);
    const go: ToolSpec = { kind: 'go', name: 'nothing', version: 'v1.0.0', module: 'example.invalid/nothing', binary: 'nothing' };
    const unreachableProxy = { GOPROXY: 'http://127.0.0.1:9', GOFLAGS: '-mod=mod' };
    const unreachableIndex = { PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_FIND_LINKS: '', PIP_RETRIES: '0', PIP_TIMEOUT: '3' };

    await assert.rejects(ensureTool(go, { cacheDir, env: unreachableProxy }), (err: unknown) => {
      assert.ok(err instanceof ToolInstallError);
      assert.match(err.message, /^cannot install nothing v1\.0\.0: the Go module proxy could not be reached or does not serve it \(.+\)$/);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
    await assert.rejects(ensureTool(PYFLAKES, { cacheDir, env: unreachableIndex }), /^ToolInstallError: cannot install pyflakes 3\.2\.0: PyPI could not be reached or does not serve it/);
    assert.equal(cachedTool(go, cacheDir), undefined);
    assert.deepEqual(readdirSync(join(cacheDir, 'tools', 'pyflakes')), [], 'no partial install is left behind');
  });

  it('runs installs in the background and lists the ones still coming', async (t) => {
    const cacheDir = freshCache(t);
    const installs = new ToolInstalls({ cacheDir });

    const pending = installs.start(PYFLAKES);
    assert.match(installs.pending()[0] ?? '', /^pyflakes 3\.2\.0 \(installing for \d+ s\)$/);
    assert.equal(installs.start(PYFLAKES), pending, 'the same install, not a second one');
    await pending;
    assert.deepEqual(installs.pending(), []);
  });
});
