/** Load shedding: a bound on requests in progress, past which the gateway answers 503 at once. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '@orderlab/platform';

export interface InFlightLimitOptions {
  /** Requests in progress above which new ones are shed. */
  max: number;
  /** Routes never shed (probes and docs must answer even under overload). */
  exempt: (request: FastifyRequest) => boolean;
  retryAfterSeconds?: number;
  /** Called for each shed request (orderlab_gateway_rejected_requests_total). */
  onReject?: () => void;
}

/** Registers the limit on the root instance, before any route. */
export function registerInFlightLimit(app: FastifyInstance, { max, exempt, retryAfterSeconds = 1, onReject }: InFlightLimitOptions): void {
  let inFlight = 0;

  app.addHook('onRequest', async (request, reply) => {
    if (exempt(request)) return;
    if (inFlight >= max) {
      onReject?.();
      throw new AppError({
        status: 503,
        code: ErrorCode.OVERLOADED,
        detail: 'The gateway is handling as many requests as it can. Retry later.',
        retryAfterSeconds,
      });
    }
    inFlight++;
    // The response's 'close' fires exactly once however the exchange ends (sent, aborted by the
    // client, timed out), whereas onResponse is skipped when the client goes away first.
    reply.raw.once('close', () => {
      inFlight--;
    });
  });
}
