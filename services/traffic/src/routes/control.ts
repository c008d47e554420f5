/** The control API: GET /mode, POST /mode/{steady|burst|overload|pause}, GET /status, and the status page at /. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, ErrorCode } from '@orderlab/platform';
import type { preValidationAsyncHookHandler } from 'fastify';
import { STATUS_PAGE_HTML } from '../status-page.js';
import type { TrafficGenerator } from '../traffic-generator.js';
import { MODE_BODIES, MODES, paramProblems, type Mode, type ModeParams } from '../traffic-modes.js';

/** A POST without a body (a bare `curl -X POST`, the page's buttons) means "no overrides". */
const emptyBodyIsNoOverrides: preValidationAsyncHookHandler = async (request) => {
  if (request.body === undefined || request.body === null) request.body = {};
};

/** The control routes; `configured` are each mode's parameters from the environment. */
export function controlRoutes(generator: TrafficGenerator, configured: ModeParams): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(STATUS_PAGE_HTML));

    app.get('/status', async (_request, reply) => reply.header('cache-control', 'no-store').send(generator.status()));

    app.get('/mode', async () => generator.mode());

    for (const mode of MODES) {
      app.post(`/mode/${mode}`, { preValidation: emptyBodyIsNoOverrides, schema: { body: MODE_BODIES[mode] } }, async (request) => {
        const params = { ...configured[mode], ...(request.body as Partial<ModeParams[Mode]>) };
        const problems = paramProblems(mode, params);
        if (problems.length > 0) {
          throw new AppError({
            code: ErrorCode.VALIDATION_FAILED,
            status: 400,
            detail: `The ${mode} parameters are inconsistent: ${problems.map((p) => `${p.field} ${p.detail}`).join('; ')}.`,
            errors: problems.map((p) => ({ in: 'body' as const, pointer: `#/${p.field}`, detail: p.detail })),
          });
        }
        return generator.setMode(mode, params);
      });
    }
  };
}
