/**
 * A CLIENT span per Redis command, made by the platform's client (createRedis) instead of the
 * ioredis instrumentation, which patches ioredis at load time and builds every command's
 * attributes, query text included, whenever any span is active — recorded or not. Here a
 * command gets a span only inside a recorded span (the relays' and the worker's polling, and
 * unsampled requests, make none). After the database conventions for Redis: named after the
 * command (`GET`, `XADD`; `PIPELINE GET` / `MULTI SET` inside a pipeline or transaction),
 * `db.system.name` redis, `db.operation.name`, `db.namespace` (the database index),
 * `server.address`/`server.port`. No `db.query.text`: the arguments are keys and values, which
 * a trace has no need to copy. A failed command has `error.type` and status ERROR.
 */
import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import type { Redis } from 'ioredis';
import { tracingRuntime } from './runtime.js';

const tracer = trace.getTracer('orderlab-redis');

/** What this module reads of an ioredis Command. */
interface RedisCommand {
  name: string;
  inTransaction?: boolean;
  pipelineIndex?: number | null;
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
}

/** The span name of a command: its name, upper-cased, prefixed inside a pipeline or MULTI. */
function operationOf(command: RedisCommand): string {
  const name = command.name.toUpperCase();
  if (name === 'MULTI' || name === 'EXEC') return name;
  if (command.inTransaction === true) return `MULTI ${name}`;
  if (command.pipelineIndex !== undefined && command.pipelineIndex !== null) return `PIPELINE ${name}`;
  return name;
}

/** The error.type of a failed command: Redis's error prefix (`WRONGTYPE`, `ERR`), or the error's name. */
function redisErrorType(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  const prefix = /^([A-Z]+) /.exec(message)?.[1];
  return prefix ?? (err instanceof Error ? err.name : '_OTHER');
}

/** Makes redis's commands traced: in a process that traces, each command inside a recorded span gets its own. */
export function traceRedisCommands(redis: Redis): void {
  if (tracingRuntime() === undefined) return;
  const { host, port, db } = redis.options;
  const connection: Attributes = {
    'db.system.name': 'redis',
    'db.namespace': String(db ?? 0),
    ...(host === undefined ? {} : { 'server.address': host }),
    ...(port === undefined ? {} : { 'server.port': port }),
  };
  const send = redis.sendCommand.bind(redis) as (command: RedisCommand, ...rest: unknown[]) => unknown;
  (redis as { sendCommand: unknown }).sendCommand = (command: RedisCommand, ...rest: unknown[]) => {
    if (trace.getActiveSpan()?.isRecording() !== true || typeof command !== 'object') return send(command, ...rest);
    const operation = operationOf(command);
    const span = tracer.startSpan(operation, { kind: SpanKind.CLIENT, attributes: { ...connection, 'db.operation.name': operation } });
    const { resolve, reject } = command;
    command.resolve = (result) => {
      span.end();
      resolve(result);
    };
    command.reject = (err) => {
      span.setAttribute('error.type', redisErrorType(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : 'the command failed' });
      span.end();
      reject(err);
    };
    return send(command, ...rest);
  };
}
