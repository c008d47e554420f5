/**
 * Size-based rotation of the lab's log files, without losing a line: past `maxBytes` a file is
 * renamed to <file>.1 (the older copies shift to .2 … .<keep>, the oldest is deleted) and the
 * next line starts a new file. The runner appends each line by path (LogSink), so its next
 * append simply creates the new file; a process that holds its own log open (Nginx's access
 * log) keeps writing into the renamed file until it is told to reopen (`reopen`: SIGUSR1 for
 * Nginx), and those lines stay in <file>.1. The Collector's file_log receiver tails the
 * rotated names too and tells files apart by their first bytes, not their names, so it reads
 * a renamed file on from where it was.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';

/** How big a log file grows before it is rotated, and how many rotated copies are kept. */
export interface LogRotationOptions {
  maxBytes: number;
  keep: number;
}

/** 32 MiB × (1 + 3 copies) per file: a day of `npm start` with steady traffic, a few minutes of overload. */
export const DEFAULT_LOG_ROTATION: Readonly<LogRotationOptions> = { maxBytes: 32 * 1024 * 1024, keep: 3 };

/** How often the rotator looks at the files' sizes. */
const CHECK_EVERY_MS = 1_000;

/** Renames <file> to <file>.1, shifting older copies up to <file>.<keep> (the oldest is deleted). No-op when absent. */
export function rotateFile(file: string, keep: number): void {
  if (!existsSync(file)) return;
  if (keep < 1) {
    rmSync(file, { force: true });
    return;
  }
  rmSync(`${file}.${keep}`, { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    if (existsSync(`${file}.${n}`)) renameSync(`${file}.${n}`, `${file}.${n + 1}`);
  }
  renameSync(file, `${file}.1`);
}

/** One file the rotator watches, and what to do once it was renamed (tell its writer to reopen). */
export interface RotatedFile {
  file: string;
  reopen?: () => void;
}

/**
 * Checks the files every second and rotates each past maxBytes. It runs on the runner's event
 * loop, where LogSink appends synchronously, so a line is never split across two files.
 */
export class LogRotator {
  private timer: NodeJS.Timeout | undefined;
  private count = 0;

  constructor(
    private readonly files: readonly RotatedFile[],
    private readonly options: LogRotationOptions = DEFAULT_LOG_ROTATION,
    private readonly onRotate: (file: string) => void = () => {},
  ) {}

  /** Starts checking (no-op when already started); the timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Rotations done so far. */
  get rotations(): number {
    return this.count;
  }

  /** Rotates every file past the size now; returns the files rotated. */
  check(): string[] {
    const rotated: string[] = [];
    for (const { file, reopen } of this.files) {
      const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
      if (size < this.options.maxBytes) continue;
      try {
        rotateFile(file, this.options.keep);
      } catch {
        continue; // a rename racing a deletion (npm run reset); the next check tries again
      }
      this.count++;
      rotated.push(file);
      try {
        reopen?.();
      } catch {
        // the writer is not running; it opens the new file when it starts
      }
      this.onRotate(file);
    }
    return rotated;
  }
}
