/**
 * Fastify defaults for every OrderLab HTTP server: request ids, strict validation, problem+json
 * for every error (including 404, 405, 413 and 415, which Fastify answers its own way), and one
 * log line per request.
 */
import { Ajv, type ErrorObject, type Options as AjvOptions } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { Server } from 'node:http';
import {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyHttpOptions,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { AppError, ErrorCode, toProblem, type AppErrorOptions, type ValidationIssue } from './errors.js';
import type { Logger } from './logger.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';
import { httpTracingEnabled, startHttpServerSpan } from './tracing/http-server.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module object.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

export interface HttpServerOptions {
  logger: Logger;
  /** Largest accepted request body; larger ones get 413. */
  bodyLimit?: number;
  /** Whole-request timeout (Fastify's default of 0 means none, which invites slowloris). */
  requestTimeoutMs?: number;
  /** Routes whose request log line is written at debug level (health probes are noisy). */
  quietRoutes?: string[];
}

/** Replaces Fastify's two lines per request with one: method, route template, status, duration_ms. */
class RequestLogController extends LogController {
  constructor(private readonly quiet: Set<string>) {
    super({ requestIdLogLabel: 'request_id' });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? 'unmatched';
    const fields = {
      method: request.method,
      route,
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      ...(error ? { err: error } : {}),
    };
    if (reply.statusCode >= 500) request.log.warn(fields, 'request failed');
    else if (this.quiet.has(route)) request.log.debug(fields, 'request completed');
    else request.log.info(fields, 'request completed');
  }
}

/** Fastify constructor options shared by every service. */
export function httpServerOptions({
  logger,
  bodyLimit = 64 * 1024,
  requestTimeoutMs = 10_000,
  quietRoutes = ['/healthz', '/readyz', '/metrics'],
}: HttpServerOptions): FastifyHttpOptions<Server, FastifyBaseLogger> {
  return {
    loggerInstance: logger,
    logController: new RequestLogController(new Set(quietRoutes)),
    genReqId: (req) => requestIdFrom(req.headers[REQUEST_ID_HEADER]),
    bodyLimit,
    requestTimeout: requestTimeoutMs,
    connectionTimeout: requestTimeoutMs + 5_000,
    // Longer than Nginx's upstream keepalive_timeout (60 s) so the proxy closes idle sockets first.
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 256 },
  };
}

const AJV_BASE: AjvOptions = { useDefaults: true, allErrors: false, strict: false, removeAdditional: false };

/** Bodies are validated as sent: no type coercion and unknown properties rejected, not stripped. */
function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({ ...AJV_BASE, coerceTypes: coerce ? 'array' : false });
  addFormats(ajv);
  return ajv;
}

const ROUTED_METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Registers, on the root instance and before any route: strict validators, the problem+json
 * error and not-found handlers (with 405 + Allow), X-Request-Id on every response and, with
 * tracing on, each request's SERVER span and its `traceresponse` header (tracing/http-server.ts).
 */
export function registerHttpDefaults(app: FastifyInstance): void {
  const bodyAjv = createAjv(false);
  const paramAjv = createAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : paramAjv).compile(schema),
  );

  // Writes accept JSON only: a text/plain body would be a CORS "simple request" (no preflight).
  app.removeContentTypeParser('text/plain');

  // A shadow router of every concrete route, to tell "unknown path" (404) from "wrong method" (405).
  const known = FindMyWay({ ignoreTrailingSlash: false });
  app.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return; // wildcard routes (CORS preflight, static files) match everything
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (!ROUTED_METHODS.includes(method as HTTPMethod)) continue;
      if (known.find(method as HTTPMethod, route.url) === null) known.on(method as HTTPMethod, route.url, () => {});
    }
  });

  // Callback-style, first of all hooks: with tracing on, `done` runs inside the request's span
  // (tracing/http-server.ts), so every later hook, the handler and their log lines belong to it.
  if (httpTracingEnabled()) {
    app.addHook('onRequest', (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      startHttpServerSpan(request, reply, request.routeOptions.url, done);
    });
  } else {
    app.addHook('onRequest', (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      done();
    });
  }

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = ROUTED_METHODS.filter((m) => m !== 'OPTIONS' && known.find(m, path) !== null);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(request, reply, new AppError({
        code: ErrorCode.METHOD_NOT_ALLOWED,
        status: 405,
        detail: `${request.method} is not supported on ${path}; use ${allowed.join(', ')}.`,
      }));
    }
    return sendProblem(request, reply, new AppError({
      code: ErrorCode.NOT_FOUND,
      status: 404,
      detail: `No route ${request.method} ${path}.`,
    }));
  });

  app.setErrorHandler(async (error, request, reply) => {
    const appError = toAppError(error);
    if (appError === undefined) {
      request.log.error({ err: error }, 'unhandled error');
    } else if (appError.status >= 500) {
      request.log.warn({ err: error, code: appError.code }, appError.message);
    }
    return sendProblem(request, reply, appError ?? error);
  });
}

/** Sends err as problem+json (with Retry-After when the error carries one). */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const problem = toProblem(err, { requestId: request.id, instance: request.url.split('?')[0] ?? '/' });
  if (err instanceof AppError && err.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(err.retryAfterSeconds));
  }
  return reply
    .code(problem.status)
    .header(REQUEST_ID_HEADER, request.id)
    .type('application/problem+json; charset=utf-8')
    .send(problem);
}

const PART: Record<string, ValidationIssue['in']> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

const INVALID_JSON: AppErrorOptions = { code: ErrorCode.MALFORMED_JSON, status: 400, detail: 'The request body is not valid JSON.' };

/** The problem of each of Fastify's own error codes a client can cause (its body parsers and router). */
const FASTIFY_ERRORS = new Map<string, AppErrorOptions>([
  ['FST_ERR_CTP_INVALID_JSON_BODY', INVALID_JSON],
  ['FST_ERR_CTP_EMPTY_JSON_BODY', { code: ErrorCode.MALFORMED_JSON, status: 400, detail: 'The request body is empty but Content-Type says JSON.' }],
  ['FST_ERR_CTP_BODY_TOO_LARGE', { code: ErrorCode.PAYLOAD_TOO_LARGE, status: 413, detail: 'The request body is larger than this API accepts.' }],
  ['FST_ERR_CTP_INVALID_MEDIA_TYPE', { code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, status: 415, detail: 'Send the request body as application/json.' }],
  ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', { code: ErrorCode.VALIDATION_FAILED, status: 400, detail: 'Content-Length does not match the body.' }],
  ['FST_ERR_BAD_URL', { code: ErrorCode.NOT_FOUND, status: 400, detail: 'The request URL is malformed.' }],
]);

/** Maps Fastify's own errors (parsing, limits, validation) to AppErrors; undefined = a bug. */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  const err = error as Partial<FastifyError> & { validation?: ErrorObject[]; validationContext?: string };
  if (Array.isArray(err.validation)) {
    const where = PART[err.validationContext ?? 'body'] ?? 'body';
    const errors = err.validation.map((v) => validationIssue(where, v));
    return new AppError({
      code: ErrorCode.VALIDATION_FAILED,
      status: 400,
      detail: `The request ${where === 'path' ? 'path' : where} is invalid: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}.`,
      errors,
    });
  }
  const known = FASTIFY_ERRORS.get(err.code ?? '');
  if (known) return new AppError(known);
  // JSON.parse errors surface as SyntaxError with statusCode 400 from Fastify's parser.
  if (error instanceof SyntaxError && err.statusCode === 400) return new AppError(INVALID_JSON);
  if (err.statusCode === 503 && /closing|unavailable/i.test(err.message ?? '')) {
    return new AppError({ code: ErrorCode.SHUTTING_DOWN, status: 503, detail: 'The server is shutting down; retry shortly.', retryAfterSeconds: 1 });
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    // Some other client error Fastify detected (e.g. a request timeout); its message is ours, not user data.
    return new AppError({ code: err.code ?? ErrorCode.VALIDATION_FAILED, status: err.statusCode, detail: err.message ?? 'Bad request.' });
  }
  return undefined;
}

function validationIssue(where: ValidationIssue['in'], v: ErrorObject): ValidationIssue {
  const params = v.params as Record<string, unknown>;
  const path = v.instancePath ?? '';
  if (v.keyword === 'additionalProperties') {
    return { in: where, pointer: `#${path}/${String(params.additionalProperty)}`, detail: 'is not a known field' };
  }
  if (v.keyword === 'required') {
    return { in: where, pointer: `#${path}/${String(params.missingProperty)}`, detail: 'is required' };
  }
  return { in: where, pointer: `#${path}`, detail: v.message ?? 'is invalid' };
}
