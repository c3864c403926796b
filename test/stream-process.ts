import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Size, Testing } from 'cdk8s';
import { LoggingSidecarPod, LogShipper, StreamShipperOptions } from '../lib';

// Runs the stream shipper's real command (perl, as in ubuntu:latest) as a
// process of this test, against files the test writes.

/** The shipper's bounds, as stream.pl and docs/shippers.md state them: bytes read of each file per round, per read(), and the longest line. */
export const ROUND_BYTES = 1024 * 1024;
export const READ_BYTES = 32 * 1024;
export const MAX_LINE = 1024 * 1024;

/** Longer than one poll (0.2 s) plus a busy machine's scheduling delays. */
export const POLL_SLACK_MS = 700;

export interface Shipper {
  readonly child: ChildProcess;
  /** Every line printed so far (when started with `keepOutput`). */
  readonly lines: () => string[];
  /** What it wrote to stderr so far. */
  readonly stderr: () => string;
  /** Resolves with the exit code, or the signal that ended it. */
  readonly exited: Promise<number | string>;
  /** Sends the stop signal and waits for the exit. */
  readonly stop: () => Promise<void>;
  /** The largest resident set so far, in KiB (VmHWM), while it runs. */
  readonly peakRssKib: () => number;
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** @default 'SIGTERM' */
  readonly stopSignal?: NodeJS.Signals;
  /** Keep stdout for `lines()`. @default true */
  readonly keepOutput?: boolean;
  /** Called with each piece of stdout as it arrives. */
  readonly onOutput?: (chunk: Buffer) => void;
}

/**
 * The sidecar's command for files in `logDirectory`, keeping its positions in
 * `logDirectory/.state` instead of the pod's state mount. `extraFlags` go
 * before the log files.
 */
export function streamCommand(logDirectory: string, logFiles: string[], options: StreamShipperOptions = {},
  rotateLogsAt?: Size, extraFlags: string[] = []): string[] {
  const pod = new LoggingSidecarPod(Testing.chart(), 'pod', {
    logDirectory, logFiles, shipper: LogShipper.stream(options), rotateLogsAt,
  });
  const command = [...pod.sidecarContainer.command!];
  const state = path.join(logDirectory, '.state');
  fs.mkdirSync(state, { recursive: true });
  command[command.indexOf('--state') + 1] = state;
  command.splice(command.lastIndexOf('--'), 0, ...extraFlags);
  return command;
}

export function startShipper(command: string[], options: StartOptions = {}): Shipper {
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  const keep = options.keepOutput ?? true;
  const out: Buffer[] = [];
  let err = '';
  let peak = 0;
  const sampleRss = () => {
    const status = fs.readFileSync(`/proc/${child.pid}/status`, { encoding: 'utf8', flag: 'r' });
    peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    if (keep) out.push(chunk);
    options.onOutput?.(chunk);
  });
  child.stderr!.on('data', chunk => { err += chunk; });
  const exited = new Promise<number | string>(resolve => child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let running = true;
  void exited.then(() => { running = false; });
  return {
    child,
    lines: () => Buffer.concat(out).toString('utf8').split('\n').filter(line => line !== ''),
    stderr: () => err,
    exited,
    stop: async () => {
      if (running) child.kill(options.stopSignal ?? 'SIGTERM');
      await exited;
    },
    peakRssKib: () => {
      if (running) {
        try { sampleRss(); } catch { /* it has just exited */ }
      }
      return peak;
    },
  };
}

/** The numbers of lines `line N ...`, in the order printed. */
export const numbersOf = (lines: string[]) => lines.map(line => Number(/^(?:\[\S+\] )?line (\d+)/.exec(line)?.[1] ?? NaN));
/** How many of `numbers` are repeats, and whether 1..count each came at least once, first seen in order. */
export function tally(numbers: number[], count: number): { missing: number; repeats: number; firstSeenInOrder: boolean } {
  const seen = new Set<number>();
  const firsts: number[] = [];
  for (const n of numbers) {
    if (!seen.has(n)) firsts.push(n);
    seen.add(n);
  }
  let missing = 0;
  for (let i = 1; i <= count; i++) if (!seen.has(i)) missing++;
  return { missing, repeats: numbers.length - firsts.length, firstSeenInOrder: firsts.every((n, i) => n === i + 1) };
}

/**
 * A stand-in for nginx: named like nginx's master process (the shipper finds it
 * by that name in /proc), it writes numbered lines of 211 bytes at about
 * 0.8 MiB/s and reopens its log on SIGUSR1 (or, with REOPEN=no, ignores the
 * signal as a hung nginx would). Arguments: the log, the number of lines, yes|no.
 */
export const FAKE_NGINX = String.raw`
  $0 = 'nginx: master process nginx -g daemon off;';
  my ($path, $count, $reopens) = @ARGV;
  my $reopen = 0;
  $SIG{USR1} = $reopens eq 'yes' ? sub { $reopen = 1 } : 'IGNORE';
  open(my $log, '>>', $path) or die $!;
  $log->autoflush(1);
  for my $i (1 .. $count) {
    if ($reopen) { close $log; open($log, '>>', $path) or die $!; $log->autoflush(1); $reopen = 0 }
    printf $log "line %06d %s\n", $i, 'x' x 198;
    select(undef, undef, undef, 0.005) if $i % 20 == 0;
  }
  sleep 3600;`;

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export const numbered = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${from + i}`);
export const append = (file: string, lines: string[]) => fs.appendFileSync(file, lines.map(l => `${l}\n`).join(''));

/**
 * Runs `body` with a scratch directory and stops every shipper it started,
 * pass or fail. The tests run concurrently: most of their time is spent waiting.
 */
export function scratch(body: (dir: string, started: (s: Shipper) => Shipper) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-shipper-'));
    const shippers: Shipper[] = [];
    try {
      await body(dir, s => { shippers.push(s); return s; });
    } finally {
      await Promise.all(shippers.map(s => s.stop()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}
