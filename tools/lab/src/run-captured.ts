/** Runs an installer's command (apt-get, go, mvn, pip) to completion, bounded, keeping the tail of its output for error messages. */
import { spawn } from 'node:child_process';

/** How it ended: the exit code (127 when it could not run, null when killed) and the last `keepChars` of stdout and stderr. */
export interface CapturedRun {
  code: number | null;
  output: string;
}

/** Runs `command`; SIGKILL past `timeoutMs`. Never rejects. */
export function runCaptured(
  command: string,
  args: string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string; keepChars?: number },
): Promise<CapturedRun> {
  const keepChars = options.keepChars ?? 16_000;
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-keepChars);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, output: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
