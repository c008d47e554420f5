/**
 * One Node version for the whole lab: .node-version names it, and everything else that names a
 * Node either reads that file (tools/lab/bootstrap.mjs) or names the same version — .nvmrc, the
 * Dockerfile's base image, the root package.json's engines and the docs.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '@orderlab/lab';
import { read } from './compose-helpers.js';

/** The lab's Node, from the one file that names it. */
const NODE_VERSION = read('.node-version').trim();

/** Every full version a text gives Node: `node:x.y.z…`, `Node x.y.z`, `node@x.y.z`, `.node-version`: x.y.z. */
function namedNodeVersions(text: string): string[] {
  return [...text.matchAll(/\bnode(?::|@| |-version`?: ?)v?(\d+\.\d+\.\d+)/gi)].map((m) => m[1]!);
}

describe('the Node version (.node-version)', () => {
  it('is one exact release', () => {
    assert.match(NODE_VERSION, /^\d+\.\d+\.\d+$/);
  });

  it('is the version of .nvmrc, for nvm users', () => {
    assert.equal(read('.nvmrc').trim(), NODE_VERSION);
  });

  it('is the Dockerfile’s base image in every stage that pulls one', () => {
    const images = [...read('Dockerfile').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!).filter((image) => image.startsWith('node:'));
    assert.ok(images.length > 0, 'the Dockerfile builds on a node image');
    for (const image of images) assert.ok(image.startsWith(`node:${NODE_VERSION}-`), `${image} is node:${NODE_VERSION}`);
  });

  it('is the least version the root package.json (and its copy in the lockfile) accepts', () => {
    const root = JSON.parse(read('package.json')) as { engines?: { node?: string } };
    assert.equal(root.engines?.node, `>=${NODE_VERSION}`);
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } }> };
    assert.equal(lock.packages['']?.engines?.node, root.engines.node);
  });

  it('is what the bootstrap fetches: it reads .node-version and names no version of its own', () => {
    const bootstrap = read('tools/lab/bootstrap.mjs');
    assert.match(bootstrap, /readFileSync\(join\(repoRoot, '\.node-version'\)/);
    assert.deepEqual(bootstrap.match(/\b\d+\.\d+\.\d+\b/g) ?? [], []);
  });

  it('is every full Node version the READMEs, docs, compose.yaml and CI name', () => {
    const files = ['README.md', 'tools/lab/README.md', 'compose.yaml', '.ci/run', ...readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    const named = files.flatMap((file) => namedNodeVersions(read(file)).map((version) => `${file}: ${version}`));
    assert.ok(named.length > 0, 'the docs name the version somewhere (docs/compose.md, tools/lab/README.md)');
    assert.deepEqual(named.filter((entry) => !entry.endsWith(`: ${NODE_VERSION}`)), []);
  });
});
