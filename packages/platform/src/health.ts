/** Liveness and readiness endpoints (liveness is not readiness). */
import type { FastifyInstance } from 'fastify';
import { settleWithin } from './timeout.js';

/** One dependency readiness depends on; check() rejects when it is not usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface HealthOptions {
  /** Per-check timeout; a check slower than this counts as failed. */
  timeoutMs?: number;
  /** False once shutdown has begun, so load balancers stop sending work. */
  accepting?: () => boolean;
}

/** Runs every check with a timeout; returns the failures by name. */
export async function runChecks(checks: ReadinessCheck[], timeoutMs: number): Promise<Record<string, string>> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        const answered = await settleWithin(c.check(), timeoutMs);
        return [c.name, answered ? 'ok' : `no answer within ${timeoutMs} ms`] as const;
      } catch (err) {
        return [c.name, err instanceof Error ? err.message : String(err)] as const;
      }
    }),
  );
  return Object.fromEntries(results);
}

/** GET /healthz (process alive) and GET /readyz (every check passes). */
export function registerHealthRoutes(app: FastifyInstance, checks: ReadinessCheck[], options: HealthOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 1_000;
  const accepting = options.accepting ?? (() => true);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (!accepting()) {
      return reply.code(503).header('retry-after', '5').send({ status: 'shutting_down', checks: {} });
    }
    const results = await runChecks(checks, timeoutMs);
    const ready = Object.values(results).every((r) => r === 'ok');
    if (!ready) reply.code(503).header('retry-after', '5');
    return { status: ready ? 'ready' : 'unready', checks: results };
  });
}
