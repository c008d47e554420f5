/**
 * The runner's own progress lines ("starting orders", "restarting orders (exit code 1)"):
 * printed as `lab | …` when asked, and always recorded as JSON lines in <logsDir>/lab.log.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { label } from './labels.js';

/** Where the runner's own messages go. */
export interface Reporter {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const COLOR = { info: '', warn: '\x1b[33m', error: '\x1b[31m' } as const;

/** A reporter that prints to the terminal when `print` is set and appends to `logFile` when given. */
export function createReporter(options: { print: boolean; logFile?: string; color?: boolean }): Reporter {
  if (options.logFile) mkdirSync(dirname(options.logFile), { recursive: true });
  const emit = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => {
    if (options.logFile) {
      appendFileSync(options.logFile, `${JSON.stringify({ time: new Date().toISOString(), level, service: 'lab', ...fields, msg })}\n`);
    }
    if (options.print) {
      const stream = level === 'info' ? process.stdout : process.stderr;
      const color = options.color ? COLOR[level] : '';
      stream.write(`${label('lab', options.color ?? false)}${color}${msg}${color ? '\x1b[39m' : ''}\n`);
    }
  };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

/** A reporter that records nothing (for library use where the caller does not care). */
export const silentReporter: Reporter = { info() {}, warn() {}, error() {} };
