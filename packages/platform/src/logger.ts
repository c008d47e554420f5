/** The pino logger every service uses: one JSON object per line on stdout. */
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { logTraceFields } from './tracing/trace-context.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; stdout by default (tests pass a capture stream). */
  destination?: DestinationStream;
}

/**
 * A logger with the fields every service logs (docs/architecture.md): time, level (label),
 * service, msg; errors under `err`; and inside a span its `trace_id` and `span_id` (a mixin
 * asking the OpenTelemetry API for the active span: nothing when tracing is off).
 */
export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      messageKey: 'msg',
      errorKey: 'err',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: stdSerializers.err },
      mixin: logTraceFields,
    },
    destination ?? stdoutDestination(),
  );
}

/** At most this much log output waits in memory for a slow or stuck reader; beyond it lines are dropped. */
const STDOUT_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * Asynchronous stdout, bounded. When the reader is gone (the lab runner died and the pipe
 * closed), writes fail with EPIPE and the lines have nowhere to go: pino then stops writing.
 * But a process that exits before its first failed write was reported flushes its buffer
 * synchronously at exit, and that flush must give up instead of blocking the exit: sonic-boom
 * 4 retried it every 100 ms for ever (the process then ignored SIGTERM and its own deadline),
 * so the root package.json pins sonic-boom 5, whose flushSync throws, and here the exit
 * flush drops the lines on EPIPE.
 */
function stdoutDestination(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false, maxLength: STDOUT_BUFFER_BYTES });
  const flushSync = stream.flushSync.bind(stream);
  stream.flushSync = () => {
    try {
      flushSync();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
    }
  };
  return stream;
}
