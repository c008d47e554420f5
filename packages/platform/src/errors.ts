/** RFC 9457 problem details with stable error codes. */
import Type, { type Static } from 'typebox';

/** Stable codes shared by every service; services add their own (e.g. ORDER_NOT_FOUND). */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  MALFORMED_JSON: 'MALFORMED_JSON',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  OVERLOADED: 'OVERLOADED',
  DEPENDENCY_UNAVAILABLE: 'DEPENDENCY_UNAVAILABLE',
  DEPENDENCY_TIMEOUT: 'DEPENDENCY_TIMEOUT',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  INTERNAL: 'INTERNAL',
} as const;

/** One entry of the `errors[]` extension: where (which part, JSON pointer) and what. */
export const ValidationIssueSchema = Type.Object({
  in: Type.Union([Type.Literal('body'), Type.Literal('query'), Type.Literal('path'), Type.Literal('header')], {
    description: 'Which part of the request',
  }),
  pointer: Type.String({ description: 'JSON pointer into that part, e.g. #/items/0/quantity' }),
  detail: Type.String(),
});

/** One entry of the `errors[]` extension. */
export type ValidationIssue = Static<typeof ValidationIssueSchema>;

/** The body of every non-2xx response: the schema documents it in OpenAPI and types it here. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URN naming the kind of problem, e.g. urn:orderlab:problem:validation-failed' }),
    title: Type.String({ description: 'Short summary of the status' }),
    status: Type.Integer({ description: 'The HTTP status, repeated' }),
    detail: Type.String({ description: 'What went wrong with this request, for humans' }),
    instance: Type.String({ description: 'The request path' }),
    code: Type.String({ description: 'Stable machine-readable code, e.g. IDEMPOTENCY_KEY_IN_USE' }),
    request_id: Type.String({ description: 'The X-Request-Id of this request; quote it when reporting a problem' }),
    errors: Type.Optional(Type.Array(ValidationIssueSchema, { description: 'Every invalid field, for validation failures' })),
  },
  { title: 'Problem', description: 'RFC 9457 problem details' },
);

/** The body of every non-2xx response. */
export type Problem = Static<typeof ProblemSchema>;

export interface AppErrorOptions {
  code: string;
  status: number;
  detail: string;
  title?: string;
  retryAfterSeconds?: number;
  errors?: ValidationIssue[];
  cause?: unknown;
}

/** An error whose detail is safe to show a client. Anything else is reported as a bare 500. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly retryAfterSeconds: number | undefined;
  readonly errors: ValidationIssue[] | undefined;

  constructor(options: AppErrorOptions) {
    super(options.detail, { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code;
    this.status = options.status;
    this.title = options.title ?? statusTitle(options.status);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.errors = options.errors;
  }
}

/** Problem types are URNs (not dereferenceable); docs/errors.md lists every code. */
export const PROBLEM_TYPE_BASE = 'urn:orderlab:problem:';

/** The `type` URI of a code, e.g. urn:orderlab:problem:order-not-found. */
export function problemType(code: string): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replaceAll('_', '-');
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The HTTP reason phrase of a status, used as the default problem title. */
export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** The problem+json body for err; non-AppErrors become a generic 500 that leaks nothing. */
export function toProblem(err: unknown, context: { requestId: string; instance: string }): Problem {
  const known = err instanceof AppError ? err : undefined;
  const status = known?.status ?? 500;
  const code = known?.code ?? ErrorCode.INTERNAL;
  const problem: Problem = {
    type: problemType(code),
    title: known?.title ?? statusTitle(500),
    status,
    detail: known?.message ?? 'The server failed to handle this request. Quote the request_id when reporting it.',
    instance: context.instance,
    code,
    request_id: context.requestId,
  };
  if (known?.errors && known.errors.length > 0) problem.errors = known.errors;
  return problem;
}
