/**
 * Where tracing's per-request CPU goes, in isolation: `node bench/dist/src/tracing-ab.js` starts
 * the miniature gateway of tracing-ab-server.ts without the SDK (`off`), with it recording
 * nothing (`ratio0`: the instrumentations' wrapping and the context alone) and recording
 * everything (`ratio1`, spans exported to a local sink), loads `/direct` (HTTP only) and `/grpc`
 * (HTTP + one gRPC call) with 16 clients, and prints req/s and the server's CPU µs per request.
 * Variants alternate for ROUNDS rounds (default 2), so a drift hits them alike. Run it on a
 * quiet machine; docs/benchmarks.md (the cost of tracing) has what it found.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '@orderlab/lab';
import { httpClient, runLoad } from './load.js';

const REGISTER = fileURLToPath(import.meta.resolve('@orderlab/platform/tracing/register'));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Starts a script; resolves with the process and its first stdout line. */
function start(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.at(-1)} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, line }));
  });
}

/** User + system CPU of a process, ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const VARIANTS = { off: { TRACING_ENABLED: 'false' }, ratio0: { TRACING_SAMPLE_RATIO: '0' }, ratio1: { TRACING_SAMPLE_RATIO: '1' } } as const;

const sink: Server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end());
}).listen(0, '127.0.0.1');
await new Promise((resolve) => sink.once('listening', resolve));
const sinkPort = (sink.address() as { port: number }).port;
const grpc = await start([here('./ceiling-grpc.js')], {});
const results = new Map<string, string[]>();
try {
  for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
    for (const [variant, env] of Object.entries(VARIANTS)) {
      const port = await freePort();
      // AB_PROFILE_DIR: each variant's server writes a V8 CPU profile there when it stops.
      const profile = process.env.AB_PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.AB_PROFILE_DIR}`, `--cpu-prof-name=${variant}-${round}.cpuprofile`];
      const args = [...profile, ...(variant === 'off' ? [] : ['--import', REGISTER]), here('./tracing-ab-server.js')];
      const server = await start(args, { ...env, PORT: String(port), GRPC_PORT: grpc.line.trim(), OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` });
      const api = httpClient(`http://127.0.0.1:${port}`, 16);
      for (const path of ['/direct', '/grpc']) {
        const call = async () => {
          await api.request('GET', path, { expect: 200 });
        };
        const before = cpuMs(server.child.pid!);
        const r = await runLoad({ name: `${variant} ${path}`, concurrency: 16, durationMs: 5_000, call });
        const us = ((cpuMs(server.child.pid!) - before) * 1000) / Math.max(1, r.ok + r.errors);
        const key = `${variant.padEnd(7)} ${path}`;
        results.set(key, [...(results.get(key) ?? []), `${r.throughput.toFixed(0)} req/s, ${us.toFixed(0)} µs CPU per request`]);
      }
      api.close();
      await stop(server.child);
    }
  }
} finally {
  await stop(grpc.child);
  sink.close();
}
for (const [key, runs] of results) process.stdout.write(`${key.padEnd(16)} ${runs.join('   ')}\n`);
