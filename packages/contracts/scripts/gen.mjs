// Generates TypeScript types for the gRPC contract from /proto with proto-loader-gen-types
// (pure JS, no protoc download). `--check` regenerates into a temporary folder and fails
// when the committed code under src/generated differs, i.e. when someone edited the
// .proto without running `npm run proto:gen`.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');
const protoRoot = resolve(pkg, '../../proto');
const target = join(pkg, 'src/generated');
const require = createRequire(import.meta.url);
const bin = require.resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');

/** Every .proto under proto/, relative to it. */
function protoFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return protoFiles(full);
    return name.endsWith('.proto') ? [relative(protoRoot, full)] : [];
  });
}

/** Files under dir, relative, sorted. */
function listFiles(dir) {
  try {
    return readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => statSync(join(dir, f)).isFile())
      .sort();
  } catch {
    return [];
  }
}

const out = mkdtempSync(join(tmpdir(), 'orderlab-proto-'));
try {
  // These options must match LOADER_OPTIONS in src/index.ts.
  execFileSync(
    process.execPath,
    [bin, '--longs=Number', '--enums=String', '--defaults', '--oneofs', '--keepCase=false',
      '--grpcLib=@grpc/grpc-js', '--includeComments', '--importFileExtension=.js',
      '-I', protoRoot, '-O', out, ...protoFiles(protoRoot)],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  // The generator writes the absolute path of each .proto into a comment; make it
  // repository-relative so the output is the same in every clone.
  for (const f of listFiles(out)) {
    const file = join(out, f);
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll(`${protoRoot}/`, 'proto/'));
  }
  if (process.argv.includes('--check')) {
    const want = listFiles(out);
    const have = listFiles(target);
    const stale = [...new Set([...want, ...have])].filter((f) => {
      try {
        return readFileSync(join(out, f), 'utf8') !== readFileSync(join(target, f), 'utf8');
      } catch {
        return true;
      }
    });
    if (stale.length > 0) {
      console.error(`generated gRPC code is stale (${stale.join(', ')}); run: npm run proto:gen`);
      process.exit(1);
    }
    console.log(`generated gRPC code is current (${want.length} files)`);
  } else {
    rmSync(target, { recursive: true, force: true });
    cpSync(out, target, { recursive: true });
    console.log(`generated ${listFiles(target).length} files into ${relative(process.cwd(), target)}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
