/**
 * Where a child's output goes: every complete line is appended to its log file (the record,
 * raw JSON as the service wrote it) and, when asked, shown on the terminal — pretty-printed
 * with pino-pretty and prefixed by the service's name, or raw.
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import pinoPretty from 'pino-pretty';
import { label } from './labels.js';

/** How service lines appear on the terminal. */
export type LogOutput = 'pretty' | 'raw' | 'none';

/** A partial line longer than this is written out as it is rather than buffered further. */
const MAX_LINE_BYTES = 1024 * 1024;

/** Splits chunks into lines; keeps the unterminated tail for the next chunk. */
export class LineSplitter {
  private pending = '';

  /** The complete lines in `chunk` (plus the previous tail). */
  push(chunk: string): string[] {
    const text = this.pending + chunk;
    const parts = text.split('\n');
    this.pending = parts.pop() ?? '';
    if (this.pending.length > MAX_LINE_BYTES) {
      parts.push(this.pending);
      this.pending = '';
    }
    return parts;
  }

  /** Whatever is left once the stream ended. */
  flush(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest ? [rest] : [];
  }
}

/** Writes a service's lines to its file and the terminal. */
export class LogSink {
  private readonly prettify: ((line: string) => string) | undefined;
  private readonly prefix: string;

  constructor(
    readonly name: string,
    readonly file: string,
    private readonly output: LogOutput,
    color: boolean,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.prefix = label(name, color);
    if (output === 'pretty') {
      this.prettify = pinoPretty.prettyFactory({
        colorize: color,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
        singleLine: true,
      });
    }
  }

  /** Appends complete lines (without their newline) to the file and shows them. */
  write(lines: string[]): void {
    if (lines.length === 0) return;
    // Synchronous, so logLines() sees every line as soon as the runner got it.
    appendFileSync(this.file, `${lines.join('\n')}\n`);
    if (this.output === 'none') return;
    let text = '';
    for (const line of lines) {
      const shown = this.prettify && line.startsWith('{') ? this.prettify(line).replace(/\n$/, '') : line;
      for (const part of shown.split('\n')) text += `${this.prefix}${part}\n`;
    }
    process.stdout.write(text);
  }
}

/** The file's lines that are JSON objects, parsed (anything else a child printed is skipped). */
export function readJsonLines(file: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) out.push(value as Record<string, unknown>);
    } catch {
      // a line cut short by a kill -9 is not JSON; skip it
    }
  }
  return out;
}

/** The last `count` lines of a file, reading at most its last 64 KiB. */
export function tailLines(file: string, count: number): string[] {
  const MAX = 64 * 1024;
  let fd: number | undefined;
  try {
    const size = statSync(file).size;
    const length = Math.min(size, MAX);
    const buffer = Buffer.alloc(length);
    fd = openSync(file, 'r');
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    // The first line may be cut by the 64 KiB window.
    if (size > MAX) lines.shift();
    return lines.slice(-count);
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Keeps the previous run's log as <file>.1 so each run's file starts empty but one run back survives. */
export function rotateLog(file: string): void {
  if (existsSync(file)) renameSync(file, `${file}.1`);
}
