/**
 * Static checks of the Dockerfile: one image for every TypeScript service, on the lab's Node,
 * built from the lockfile, running unprivileged with only what the services read at run time.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { DATABASE_SERVICES, REPO_ROOT, TRACING_REGISTER } from '@orderlab/lab';
import { NODE_SERVICES, read } from './compose-helpers.js';

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => /^[A-Z]+\s/.test(l));
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const finalStage = stages.at(-1)!;

  it('builds on Node 24, pinned to a patch release, in every stage that pulls an image', () => {
    const images = instructions.filter((l) => l.startsWith('FROM ')).map((l) => l.split(/\s+/)[1]!);
    const pulled = images.filter((image) => !/^[a-z-]+$/.test(image));
    assert.ok(pulled.length > 0);
    for (const image of pulled) assert.match(image, /^node:24\.\d+\.\d+-[a-z]+-slim$/, image);
  });

  it('runs the final stage as the unprivileged node user, in production mode, with an exec-form command', () => {
    assert.match(finalStage, /^USER node$/m);
    assert.match(finalStage, /^ENV NODE_ENV=production$/m);
    const cmd = finalStage.split('\n').filter((l) => /^(CMD|ENTRYPOINT) /.test(l));
    assert.ok(cmd.length > 0);
    for (const line of cmd) assert.doesNotThrow(() => JSON.parse(line.replace(/^(CMD|ENTRYPOINT) /, '')), `${line} is exec form (a JSON array)`);
  });

  it('installs from the lockfile and ships only production dependencies', () => {
    assert.match(dockerfile, /^COPY package\.json package-lock\.json \.\/$/m);
    assert.match(dockerfile, /npm ci --ignore-scripts/);
    assert.match(dockerfile, /npm ci --omit=dev/);
    for (const service of NODE_SERVICES) assert.match(dockerfile, new RegExp(`-w services/${service}\\b`), `${service}'s dependencies are installed`);
  });

  it("copies every workspace's manifest before npm ci, or npm ci fails", () => {
    const root = JSON.parse(read('package.json')) as { workspaces: string[] };
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { link?: boolean }> };
    const workspaces = Object.keys(lock.packages).filter((p) => p !== '' && !p.startsWith('node_modules/') && !p.includes('/node_modules/'));
    assert.ok(workspaces.length >= root.workspaces.length);
    for (const dir of workspaces) assert.match(dockerfile, new RegExp(`^COPY ${dir}/package\\.json ${dir}/$`, 'm'), dir);
  });

  it('puts into the runtime what the services read at run time: the compiled code, /proto and the migrations', () => {
    assert.match(finalStage, /^COPY --from=build \/app\/proto proto$/m);
    for (const dir of ['packages/platform', 'packages/contracts', ...NODE_SERVICES.map((s) => `services/${s}`)]) {
      assert.match(finalStage, new RegExp(`^COPY --from=build /app/${dir}/dist/src ${dir}/dist/src$`, 'm'), dir);
    }
    for (const name of DATABASE_SERVICES) {
      assert.match(finalStage, new RegExp(`^COPY --from=build /app/services/${name}/migrations services/${name}/migrations$`, 'm'), name);
    }
  });

  it('ships the tracing hook the traced services start with, and every package it loads, as production dependencies', () => {
    // compose.yaml runs /app/<this path>: compiled from packages/platform/src, which the runtime copies.
    const hook = relative(REPO_ROOT, TRACING_REGISTER);
    const source = hook.replace(/^packages\/platform\/dist\/src\/(.+)\.js$/, 'packages/platform/src/$1.ts');
    assert.notEqual(source, hook, `${hook} is compiled from packages/platform/src`);
    assert.ok(existsSync(join(REPO_ROOT, source)), source);
    assert.match(finalStage, /^COPY --from=build \/app\/packages\/platform\/dist\/src packages\/platform\/dist\/src$/m);
    // `npm ci --omit=dev` keeps only `dependencies`: every package the tracing code imports must be one.
    const { dependencies } = JSON.parse(read('packages/platform/package.json')) as { dependencies: Record<string, string> };
    const dir = join(REPO_ROOT, 'packages/platform/src/tracing');
    const imported = new Set(
      readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/from '((?:@[^/']+\/)?[^./'][^/']*)[^']*'/g)].map((m) => m[1]!)),
    );
    const external = [...imported].filter((name) => !name.startsWith('node:') && !name.startsWith('@orderlab/'));
    assert.ok(external.some((name) => name.startsWith('@opentelemetry/')), 'the tracing code uses the OpenTelemetry packages');
    for (const name of external) assert.ok(name in dependencies, `${name} is a production dependency of @orderlab/platform`);
  });

  it('keeps host build output and secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['**/node_modules', '**/dist', '.git', '.env', '.lab']) assert.ok(ignored.includes(entry), entry);
  });
});
