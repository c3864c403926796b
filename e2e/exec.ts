import { spawn } from 'child_process';

/** What a finished command left behind. */
export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface ExecOptions {
  /** Killed (SIGKILL) after this long, so a hanging podman cannot hang the e2e. */
  readonly timeoutMs?: number;
  /** Passed on stdin. */
  readonly input?: string;
  /** Working directory. */
  readonly cwd?: string;
  /** Let the command's stderr through to ours, for progress of long steps. */
  readonly inheritStderr?: boolean;
}

/**
 * Runs a command without a shell (arguments are never re-parsed) and
 * asynchronously, so that a Ctrl-C reaches our signal handlers while it runs.
 */
export function exec(command: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise(resolve => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', options.inheritStderr ? 'inherit' : 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', e => err.push(Buffer.from(String(e))));
    child.on('close', code => {
      if (timer) clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
    if (options.input !== undefined && child.stdin) {
      // A command that exits without reading its input must not crash us with EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Like `exec`, but a non-zero exit is an error whose message quotes the command and its stderr. */
export async function execOk(command: string, args: readonly string[], options: ExecOptions = {}): Promise<string> {
  const r = await exec(command, args, options);
  if (r.code !== 0) {
    const why = r.timedOut ? `timed out after ${options.timeoutMs} ms` : `exited ${r.code}`;
    throw new Error(`${command} ${args.join(' ')} ${why}: ${lastLines(r.stderr || r.stdout, 15)}`);
  }
  return r.stdout;
}

/** The tail of a command's output, for failure messages that stay readable. */
export function lastLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-n).join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
