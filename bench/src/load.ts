/** A closed-loop load driver: `concurrency` workers call fn back to back for a fixed time. */
import http from 'node:http';

export interface LoadResult {
  name: string;
  concurrency: number;
  seconds: number;
  ok: number;
  errors: number;
  /** Completed calls per second (ok + errors). */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  /** A few distinct error descriptions, to tell a broken benchmark from a slow one. */
  errorSamples: string[];
}

export interface LoadOptions {
  name: string;
  concurrency: number;
  durationMs: number;
  /** Calls made (and discarded) first, to warm JIT, pools and caches. */
  warmupMs?: number;
  /** One call; resolves when it succeeded, rejects when it failed. `i` counts calls. */
  call: (i: number) => Promise<void>;
}

/** Percentile of an ascending array, in the array's unit. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** Runs the load and reports throughput and latency percentiles. */
export async function runLoad({ name, concurrency, durationMs, warmupMs = 2_000, call }: LoadOptions): Promise<LoadResult> {
  let counter = 0;
  const phase = async (ms: number, record: boolean) => {
    const latencies: number[] = [];
    const samples = new Set<string>();
    let errors = 0;
    const until = performance.now() + ms;
    const worker = async () => {
      while (performance.now() < until) {
        const started = performance.now();
        try {
          await call(counter++);
          if (record) latencies.push(performance.now() - started);
        } catch (err) {
          errors += 1;
          if (samples.size < 3) samples.add(err instanceof Error ? err.message : String(err));
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { latencies, errors, samples, seconds: (performance.now() - started) / 1000 };
  };
  if (warmupMs > 0) await phase(warmupMs, false);
  const { latencies, errors, samples, seconds } = await phase(durationMs, true);
  latencies.sort((a, b) => a - b);
  return {
    name,
    concurrency,
    seconds,
    ok: latencies.length,
    errors,
    throughput: (latencies.length + errors) / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errorSamples: [...samples],
  };
}

/** A keep-alive HTTP client with a fixed socket pool; rejects on any status other than `expect`. */
export function httpClient(baseUrl: string, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const base = new URL(baseUrl);
  return {
    request(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; expect: number }) {
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      return new Promise<string>((resolve, reject) => {
        const req = http.request(
          {
            agent,
            host: base.hostname,
            port: base.port,
            method,
            path,
            headers: {
              ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
              ...options.headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              if (res.statusCode === options.expect) resolve(text);
              else reject(new Error(`${method} ${path} → ${res.statusCode}: ${text.slice(0, 200)}`));
            });
          },
        );
        req.on('error', reject);
        req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** One result as a table row. */
export function formatRow(r: LoadResult): string {
  const errors = r.errors > 0 ? `  errors ${r.errors} (${r.errorSamples.join(' | ')})` : '';
  return `${r.name.padEnd(44)} ${r.throughput.toFixed(0).padStart(7)} /s   p50 ${r.p50Ms.toFixed(2).padStart(7)} ms   p99 ${r.p99Ms.toFixed(2).padStart(7)} ms   (c=${r.concurrency}, n=${r.ok})${errors}`;
}
