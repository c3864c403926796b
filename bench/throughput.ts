/**
 * `npm run bench:throughput`: how many 1 KiB lines per second each log
 * follower gets through per CPU core, and its memory, beside `tail -n+1 -F`
 * measured in the same run. Writes bench/results/throughput.json, .dat and
 * .png.
 *
 *   npm run bench:throughput [-- --mib 256 --runs 3 --only NAME --timeout 120]
 *
 * Method, per follower and run: a file of N nginx `main`-format lines of
 * exactly 1 KiB is written (and synced) once; the follower reads it from its
 * first line; its stdout goes into a pipe that is drained and counted with no
 * sleep anywhere in that path, so a CPU-bound follower runs at full speed.
 * When the N-th line arrives, the follower's CPU time (user + sys, all
 * threads) and peak RSS (VmHWM) are read from /proc/PID before it is stopped,
 * and the wall time since it opened the file is taken. Runs are interleaved
 * so that drift in the machine's load hits all followers alike; each figure
 * is the median of the runs.
 *
 * Every follower reads the same file. Fluent Bit runs the construct's own
 * configuration, whose filesystem buffer pauses the tail input instead of
 * dropping chunks, so it too must print every line: a run that does not, or
 * whose output counts dropped records, fails.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { Testing } from 'cdk8s';
import { FluentBitOutput, LoggingSidecarPod, LogShipper } from '../lib';
import { NGINX_MAIN_REGEX } from '../lib/shippers/fluent-bit/nginx-formats';
import { configOf, fluentBitBinary, freePort, httpGet, problems, remap, startFluentBit } from '../test/fluent-bit-process';

const REPO_ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(REPO_ROOT, 'bench', 'results');
const LINE_BYTES = 1024; // newline included
const MiB = 2 ** 20;
/** Fluent Bit's tail input as published, one thread (MB/s = 10^6 bytes/s). */
const PUBLISHED_FLUENT_BIT_MB_S: readonly [number, number] = [35, 92];
const CLK_TCK = 100; // USER_HZ of /proc/PID/stat and /proc/stat on Linux

// ---------------------------------------------------------------- input

/** Deterministic pseudo-random numbers (mulberry32), so every run reads the same file. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.207 Safari/537.36 Edg/124.0.2478.97',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1 [FBAN/FBIOS;FBAV/462.0.0.39.106;FBBV/595412127;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.4.1;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'HEAD'];
const STATUSES = [200, 200, 200, 200, 200, 200, 200, 304, 301, 404, 500];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
/** Random URL characters; each line's padding is a slice of it at a random offset. */
const FILLER = (() => {
  const next = random(7);
  return Array.from({ length: 1 << 16 }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join('');
})();

function nginxTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:`
    + `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/**
 * One access-log line as nginx's `main` format writes it, LINE_BYTES long with
 * its newline: a long request path with a query string, and a real user agent.
 */
function accessLine(i: number, next: () => number, start: number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(next() * 16)]).join('');
  const ip = `10.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${1 + Math.floor(next() * 254)}`;
  const product = 10000 + Math.floor(next() * 90000);
  const request = `/shop/api/v2/catalog/products/${product}/reviews?page=${1 + Math.floor(next() * 40)}&sort=newest`
    + `&lang=en-US&currency=EUR&session=${hex(32)}&trace=${hex(16)}&utm_source=newsletter&utm_medium=email&utm_content=`;
  const referer = `https://shop.example.com/catalog/category/${Math.floor(next() * 500)}/products/${product}?ref=${hex(12)}`;
  const forwarded = next() < 0.5 ? '-' : `203.0.113.${Math.floor(next() * 256)}`;
  const head = `${ip} - - [${nginxTime(start + i * 20)}] "${pick(METHODS)} ${request}`;
  const tail = ` HTTP/1.1" ${pick(STATUSES)} ${Math.floor(next() * 60000)} "${referer}" "${pick(AGENTS)}" "${forwarded}"`;
  const pad = LINE_BYTES - 1 - head.length - tail.length;
  if (pad < 0) throw new Error(`line ${i} is longer than ${LINE_BYTES} bytes before padding`);
  const from = Math.floor(next() * (FILLER.length - pad));
  return `${head}${FILLER.slice(from, from + pad)}${tail}\n`;
}

/** Writes `lines` access-log lines to `file`, syncs it, and checks them against the construct's nginx_main regex. */
async function writeInput(file: string, lines: number): Promise<void> {
  const next = random(42);
  const start = Date.UTC(2024, 4, 1, 12, 0, 0);
  const regex = new RegExp(NGINX_MAIN_REGEX);
  const handle = await fs.promises.open(file, 'w');
  try {
    const batch = 4096;
    for (let i = 0; i < lines; i += batch) {
      let text = '';
      for (let j = i; j < Math.min(lines, i + batch); j++) text += accessLine(j, next, start);
      if (i === 0) {
        for (const line of text.split('\n').slice(0, -1)) {
          if (line.length !== LINE_BYTES - 1 || !regex.test(line)) throw new Error(`generated line does not match nginx_main: ${line}`);
        }
      }
      await handle.write(Buffer.from(text, 'latin1'));
    }
    // Synced, so no writeback of the input runs while a follower is measured.
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (fs.statSync(file).size !== lines * LINE_BYTES) throw new Error(`${file} has the wrong size`);
}

// ---------------------------------------------------------------- /proc

interface ProcSample {
  readonly userSeconds: number;
  readonly sysSeconds: number;
  /** user + sys of all threads: the larger of the per-thread schedstat sum (ns) and stat's ticks. */
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
}

function readProc(pid: number): ProcSample {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may contain spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userSeconds = Number(fields[11]) / CLK_TCK;
  const sysSeconds = Number(fields[12]) / CLK_TCK;
  let schedNs = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      schedNs += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
  } catch {
    schedNs = 0; // no schedstat: the ticks are all there is
  }
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return {
    userSeconds,
    sysSeconds,
    cpuSeconds: Math.max(schedNs / 1e9, userSeconds + sysSeconds),
    peakRssBytes: hwm ? Number(hwm[1]) * 1024 : NaN,
  };
}

/** The whole machine's busy CPU time so far (everything but idle and iowait), in seconds. */
function machineBusySeconds(): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / CLK_TCK;
}

function harnessCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Whether `pid` has `file` open (by the name it was opened with). */
function hasOpen(pid: number, file: string): boolean {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === file) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

// ---------------------------------------------------------------- counting lines

/** What came out of a follower. */
interface Totals {
  readonly lines: number;
  readonly bytes: number;
  /** The last bytes out, for checking the last line. */
  readonly last: Buffer;
}

/**
 * Counts a follower's lines. `onAll` is called once, as soon as the N-th line
 * is in, synchronously in the handler that saw it (the caller reads /proc there).
 */
interface LineCounter {
  onAll(callback: () => void): void;
  /** Lines counted so far (the counter process only knows at the end). */
  soFar(): number;
  /** After the follower has exited: everything that came out. */
  totals(): Promise<Totals>;
}

/**
 * A small program that drains a pipe and counts lines: 1 MiB reads and `tr`,
 * so it keeps up with tail and does not slow a follower that writes line by
 * line (the stream shipper) the way an event loop reading 1 KiB at a time does.
 * Prints `ALL` when the N-th line is in, then at end of input its totals and
 * the last bytes. A container runtime's log reader is such a plain loop too.
 */
const COUNTER_PROGRAM = `
my ($want) = @ARGV; my ($n, $bytes, $last, $told) = (0, 0, '', 0);
$| = 1;
while (my $r = sysread(STDIN, my $chunk, 1 << 20)) {
  $bytes += $r;
  $n += ($chunk =~ tr/\\n//);
  $last = $r >= 8192 ? substr($chunk, -8192) : substr($last . $chunk, -8192);
  if (!$told && $n >= $want) { $told = 1; print "ALL\\n" }
}
print "END $n $bytes\\n$last";
`;

/** Starts the counter; the follower's stdout is to be `counter.stdin`. */
function counterProcess(lines: number): { readonly process: ChildProcess; readonly counter: LineCounter } {
  const child = track(spawn('perl', ['-e', COUNTER_PROGRAM, String(lines)], { stdio: ['pipe', 'pipe', 'inherit'] }));
  let out = Buffer.alloc(0);
  let callback: (() => void) | undefined;
  let told = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    out = Buffer.concat([out, chunk]);
    if (!told && out.subarray(0, 4).toString() === 'ALL\n') {
      told = true;
      callback?.();
    }
  });
  const ended = new Promise<void>(resolve => child.on('close', () => resolve()));
  return {
    process: child,
    counter: {
      onAll: cb => { callback = cb; },
      soFar: () => (told ? lines : 0),
      totals: async () => {
        await ended;
        const text = out.toString('latin1');
        const m = /END (\d+) (\d+)\n/.exec(text);
        if (!m) throw new Error(`the line counter printed ${JSON.stringify(text.slice(0, 200))}`);
        return { lines: Number(m[1]), bytes: Number(m[2]), last: out.subarray(m.index + m[0].length) };
      },
    },
  };
}

/** Counts in this process, from a stream (Fluent Bit writes its records a chunk at a time). */
function streamCounter(stdout: Readable, lines: number): LineCounter {
  let count = 0;
  let bytes = 0;
  let last: Buffer = Buffer.alloc(0);
  let callback: (() => void) | undefined;
  let told = false;
  stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
    last = chunk.length >= 8192 ? chunk : Buffer.concat([last, chunk]).subarray(-8192);
    if (!told && count >= lines) {
      told = true;
      callback?.();
    }
  });
  const ended = new Promise<void>(resolve => {
    if (stdout.readableEnded || stdout.destroyed) resolve();
    stdout.once('end', () => resolve()).once('close', () => resolve());
  });
  return {
    onAll: cb => { callback = cb; },
    soFar: () => count,
    totals: async () => {
      await ended;
      return { lines: count, bytes, last: Buffer.from(last) };
    },
  };
}

// ---------------------------------------------------------------- followers

/** A started follower: its process, and the count of what it printed. */
interface Running {
  readonly pid: number;
  readonly lines: LineCounter;
  /** Resolves when the process has exited; never rejects. */
  readonly exited: Promise<string>;
  readonly log: () => string;
  /** Stops the follower (and its counter) and waits for both. */
  readonly stop: () => Promise<void>;
  /** Fluent Bit: its output's dropped_records, from its HTTP server. */
  readonly dropped?: () => Promise<number | undefined>;
  /** The line counter process, whose CPU is the harness's. */
  readonly counterPid?: number;
}

interface Follower {
  readonly key: string;
  readonly name: string;
  /** For the chart: two lines. */
  readonly label: string;
  /** The command, as shown under the table. */
  readonly shown: string;
  /** The log file's name in the log directory: the Fluent Bit configuration picks the parser by it. */
  readonly fileName: string;
  readonly expect: 'raw' | 'log' | 'parsed';
  /**
   * Whether the file appears only once the follower runs: its start-up is then
   * not counted, and its start (startFluentBit) sees no output to keep.
   */
  readonly placeAfterStart: boolean;
  start(dir: string, logFile: string, lines: number): Promise<Running>;
}

/** Runs `command` with its stdout into a line counter process. */
function spawnCounted(command: string[], lines: number, stopSignal: NodeJS.Signals): Running {
  const { process: counter, counter: lineCounter } = counterProcess(lines);
  const child = track(spawn(command[0], command.slice(1), { stdio: ['ignore', counter.stdin!, 'pipe'] }));
  // The follower is now the pipe's only writer: the counter sees its end when it exits.
  counter.stdin!.destroy();
  let log = '';
  child.stderr!.on('data', chunk => { log = (log + chunk).slice(-20000); });
  const exited = new Promise<string>(resolve => child.on('exit', (code, signal) => resolve(String(code ?? signal))));
  const counterExited = new Promise<void>(resolve => counter.on('close', () => resolve()));
  return {
    pid: child.pid!,
    lines: lineCounter,
    counterPid: counter.pid,
    exited,
    log: () => log,
    stop: async () => {
      await stopProcess(child, exited, stopSignal);
      // The counter ends by itself at the end of its input, after printing its totals.
      const timer = setTimeout(() => counter.kill('SIGKILL'), 10_000);
      await counterExited;
      clearTimeout(timer);
    },
  };
}

/** Every process started here, so that an interrupted benchmark leaves none behind (tail -F never ends by itself). */
const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function stopProcess(child: ChildProcess, exited: Promise<unknown>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const tailFollower: Follower = {
  key: 'tail',
  name: 'baseline: tail -n+1 -F',
  label: 'tail -n+1 -F\n(baseline)',
  shown: 'tail -n+1 -F DIR/access.log (coreutils 9.1)',
  fileName: 'access.log',
  expect: 'raw',
  placeAfterStart: false,
  async start(_dir, logFile, lines) {
    return spawnCounted(['tail', '-n+1', '-F', logFile], lines, 'SIGTERM');
  },
};

/** The sidecar's command from the construct, with only `--state` moved to a temporary directory. */
function streamCommand(logDirectory: string, fileName: string, stateDirectory: string): string[] {
  const pod = new LoggingSidecarPod(Testing.chart(), 'pod', { shipper: LogShipper.stream(), logDirectory, logFiles: [fileName] });
  const command = [...pod.sidecarContainer.command!];
  const state = command.indexOf('--state');
  if (state < 0) throw new Error('the stream shipper\'s command has no --state');
  command[state + 1] = stateDirectory;
  return command;
}

const streamFollower: Follower = {
  key: 'stream',
  name: 'LogShipper.stream() (perl)',
  label: 'LogShipper.stream()\n(perl)',
  shown: 'perl -e "$(cat lib/shippers/stream.pl)" -- --state TMP -- DIR/access.log (the sidecar\'s command, --state moved)',
  fileName: 'access.log',
  expect: 'raw',
  placeAfterStart: false,
  async start(dir, logFile, lines) {
    const state = path.join(dir, 'state');
    fs.mkdirSync(state);
    return spawnCounted(streamCommand(path.dirname(logFile), path.basename(logFile), state), lines, 'SIGTERM');
  },
};

/** The Fluent Bit configuration the construct writes for one log file with the stdout output. */
function fluentBitConfig(fileName: string): any {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', {
    shipper: LogShipper.fluentBit({ outputs: [FluentBitOutput.stdout()] }),
    logDirectory: '/var/log/nginx',
    logFiles: [fileName],
  });
  return configOf(Testing.synth(chart));
}

async function droppedRecords(port: number): Promise<number | undefined> {
  try {
    const { status, body } = await httpGet(port, '/api/v1/metrics');
    if (status !== 200) return undefined;
    return Object.values<any>(JSON.parse(body).output)[0].dropped_records;
  } catch {
    return undefined;
  }
}

function fluentBitFollower(key: string, name: string, fileName: string, expect: 'log' | 'parsed'): Follower & { readonly config: any } {
  const config = fluentBitConfig(fileName);
  const input = config.pipeline.inputs[0];
  return {
    key,
    name,
    label: `Fluent Bit 3.2.10\n${input.parser ? `${input.parser} parser` : 'no parser'}`,
    config,
    shown: `fluent-bit -c fluent-bit.yaml (the construct's ConfigMap: tail input on ${fileName}, ${input.parser ? `parser ${input.parser}` : 'no parser'}, `
      + 'stdout output json_lines; only paths and http_port remapped)',
    fileName,
    expect,
    placeAfterStart: true,
    async start(dir, logFile, lines) {
      const state = path.join(dir, 'state');
      fs.mkdirSync(state);
      const remapped = remap(config, {
        paths: { [path.posix.dirname(input.path)]: path.dirname(logFile), [path.posix.dirname(input.db)]: state },
        httpPort: await freePort(),
      });
      const fb = await startFluentBit(remapped, dir, key);
      track(fb.child);
      // startFluentBit keeps all Fluent Bit prints; the harness counts stdout itself
      // instead (hundreds of MiB of records). Nothing is lost: the file is not there yet.
      fb.child.stdout!.removeAllListeners('data');
      return {
        pid: fb.child.pid!,
        lines: streamCounter(fb.child.stdout!, lines),
        exited: fb.exited.then(String),
        log: fb.output,
        stop: () => stopProcess(fb.child, fb.exited, 'SIGTERM'),
        dropped: () => droppedRecords(fb.httpPort),
      };
    },
  };
}

// ---------------------------------------------------------------- one run

interface RunResult {
  /** user + sys from the file's placement (tail, stream: from their start) to the last line. */
  readonly cpuSeconds: number;
  readonly userSeconds: number;
  readonly sysSeconds: number;
  /** CPU before reading: tail's and perl's start-up (counted in cpuSeconds), Fluent Bit's (not counted). */
  readonly startupCpuSeconds: number;
  /** From the follower opening the file to the harness receiving the last line. */
  readonly wallSeconds: number;
  /** CPU time in that window. */
  readonly cpuWhileReadingSeconds: number;
  readonly peakRssBytes: number;
  readonly bytesOut: number;
  /** Busy cores of the rest of the machine during the run (neither the follower nor the harness and its line counter). */
  readonly otherBusyCores: number;
  readonly logProblems: string[];
}

interface Moment { readonly at: bigint; readonly sample: ProcSample; readonly busy: number; readonly harness: number }

function moment(r: Running): Moment {
  let counter = 0;
  try {
    counter = r.counterPid ? readProc(r.counterPid).cpuSeconds : 0;
  } catch {
    counter = NaN; // exited
  }
  return { at: process.hrtime.bigint(), sample: readProc(r.pid), busy: machineBusySeconds(), harness: harnessCpuSeconds() + counter };
}

const ZERO: ProcSample = { userSeconds: 0, sysSeconds: 0, cpuSeconds: 0, peakRssBytes: 0 };

async function runOnce(f: Follower, input: string, lines: number, work: string, timeoutMs: number): Promise<RunResult> {
  const dir = fs.mkdtempSync(path.join(work, `${f.key}-`));
  const logDir = path.join(dir, 'log');
  fs.mkdirSync(logDir);
  const logFile = path.join(logDir, f.fileName);
  const place = () => fs.linkSync(input, logFile); // a hard link: the whole file appears at once
  let running: Running | undefined;
  const timers: NodeJS.Timeout[] = [];
  try {
    if (!f.placeAfterStart) place();
    const r = running = await f.start(dir, logFile, lines);
    let end: Moment | undefined;
    const done = new Promise<Moment>(resolve => r.lines.onAll(() => {
      // In the handler that saw the N-th line, before the follower does anything else.
      end = moment(r);
      resolve(end);
    }));
    const baseline = f.placeAfterStart ? readProc(r.pid) : ZERO;
    if (f.placeAfterStart) place();

    // The wall time starts when the follower has the file open. Polled each
    // millisecond until then; the line counting is never delayed.
    const deadline = Date.now() + timeoutMs;
    let opened: Moment | undefined;
    while (!opened) {
      if (hasOpen(r.pid, logFile) || end) {
        opened = moment(r);
        break;
      }
      if (Date.now() > deadline) throw new Error(`${f.name} never opened ${logFile}\n${r.log().slice(-2000)}`);
      await new Promise(resolve => setTimeout(resolve, 1));
    }

    const failed = new Promise<never>((_, reject) => {
      timers.push(setTimeout(() => reject(new Error(`${f.name}: not all ${lines} lines after ${timeoutMs / 1000} s (${r.lines.soFar()} counted)\n${r.log().slice(-2000)}`)), timeoutMs));
      void r.exited.then(code => reject(new Error(`${f.name} exited (${code}) before printing all ${lines} lines\n${r.log().slice(-2000)}`)));
      if (r.dropped) {
        // A record Fluent Bit drops never comes out: say so now rather than at the timeout.
        const dropped = r.dropped;
        timers.push(setInterval(() => void dropped().then(n => {
          if (n) reject(new Error(`${f.name} dropped ${n} of ${lines} records (its output's dropped_records)`));
        }), 1000));
      }
    });
    failed.catch(() => undefined);
    const last = await Promise.race([done, failed]);
    timers.forEach(t => clearInterval(t));

    // Before the stop, which Fluent Bit logs as a warning.
    const logProblems = f.expect === 'raw' ? [] : problems(r.log());
    // Nothing more may come: stop it, let the pipe drain, and check each line came once.
    await r.stop();
    const totals = await r.lines.totals();
    if (totals.lines !== lines) throw new Error(`${f.name}: printed ${totals.lines} lines for ${lines}`);
    checkOutput(f, totals, lines);

    const wallSeconds = Number(last.at - opened.at) / 1e9;
    const cpuInWindow = last.sample.cpuSeconds - opened.sample.cpuSeconds;
    const otherBusy = (last.busy - opened.busy) - cpuInWindow - (last.harness - opened.harness);
    return {
      cpuSeconds: last.sample.cpuSeconds - baseline.cpuSeconds,
      userSeconds: last.sample.userSeconds - baseline.userSeconds,
      sysSeconds: last.sample.sysSeconds - baseline.sysSeconds,
      startupCpuSeconds: f.placeAfterStart ? baseline.cpuSeconds : opened.sample.cpuSeconds,
      wallSeconds,
      cpuWhileReadingSeconds: cpuInWindow,
      peakRssBytes: last.sample.peakRssBytes,
      bytesOut: totals.bytes,
      otherBusyCores: Math.max(0, otherBusy / wallSeconds),
      logProblems,
    };
  } finally {
    timers.forEach(t => clearInterval(t));
    if (running) await running.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The last line out is what was expected: the file's bytes, or a Fluent Bit record of the right shape. */
function checkOutput(f: Follower, totals: Totals, lines: number): void {
  const text = totals.last.toString('latin1');
  const last = text.slice(text.lastIndexOf('\n', text.length - 2) + 1, -1);
  if (f.expect === 'raw') {
    if (totals.bytes !== lines * LINE_BYTES) throw new Error(`${f.name}: printed ${totals.bytes} bytes for ${lines * LINE_BYTES}`);
    if (!new RegExp(NGINX_MAIN_REGEX).test(last)) throw new Error(`${f.name}: the last line is not the file's: ${last.slice(0, 200)}`);
    return;
  }
  const record = JSON.parse(last);
  const ok = f.expect === 'log'
    ? typeof record.log === 'string' && record.log.length === LINE_BYTES - 1 && record.file
    : record.log === undefined && typeof record.code === 'number' && typeof record.agent === 'string' && record.path;
  if (!ok) throw new Error(`${f.name}: the last record is not ${f.expect === 'log' ? 'a raw line' : 'a parsed nginx line'}: ${last.slice(0, 300)}`);
}

// ---------------------------------------------------------------- figures

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Row {
  readonly key: string;
  readonly name: string;
  readonly label: string;
  readonly command: string;
  readonly linesPerCpuSecond: number;
  readonly mibPerCpuSecond: number;
  /** mibPerCpuSecond over tail's, from the same run of the script. */
  readonly ratioToTail: number;
  readonly wallMiBPerSecond: number;
  /** CPU seconds while reading over wall seconds: 1 is one core kept busy. */
  readonly coresBusy: number;
  readonly sysShare: number;
  readonly peakRssMiB: number;
  readonly peakRssMaxMiB: number;
  readonly startupCpuSeconds: number;
  readonly otherBusyCores: number;
  readonly runs: RunResult[];
}

function rowOf(f: Follower, runs: RunResult[], lines: number, tailMiBPerCpu: number | undefined): Row {
  const mib = (lines * LINE_BYTES) / MiB;
  const mibPerCpuSecond = median(runs.map(r => mib / r.cpuSeconds));
  return {
    key: f.key,
    name: f.name,
    label: f.label,
    command: f.shown,
    linesPerCpuSecond: median(runs.map(r => lines / r.cpuSeconds)),
    mibPerCpuSecond,
    ratioToTail: tailMiBPerCpu ? mibPerCpuSecond / tailMiBPerCpu : NaN,
    wallMiBPerSecond: median(runs.map(r => mib / r.wallSeconds)),
    coresBusy: median(runs.map(r => r.cpuWhileReadingSeconds / r.wallSeconds)),
    sysShare: median(runs.map(r => r.sysSeconds / (r.userSeconds + r.sysSeconds))),
    peakRssMiB: median(runs.map(r => r.peakRssBytes / MiB)),
    peakRssMaxMiB: Math.max(...runs.map(r => r.peakRssBytes / MiB)),
    startupCpuSeconds: median(runs.map(r => r.startupCpuSeconds)),
    otherBusyCores: median(runs.map(r => r.otherBusyCores)),
    runs,
  };
}

const fmt = (n: number, digits = 0) => Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

function markdownTable(rows: readonly Row[], info: RunInfo): string {
  return [
    '| follower | lines/s per core | MiB/s per core | x tail (per core) | wall MiB/s | cores busy | sys share of CPU | peak RSS (MiB) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(r => `| ${r.name} | ${fmt(r.linesPerCpuSecond)} | ${fmt(r.mibPerCpuSecond, 1)} | ${fmt(r.ratioToTail, 2)} | `
      + `${fmt(r.wallMiBPerSecond, 1)} | ${fmt(r.coresBusy, 2)} | ${fmt(r.sysShare * 100)}% | ${fmt(r.peakRssMiB, 1)} |`),
  ].join('\n') + `\n\nMedian of ${info.runs} runs each, all on the same ${fmt(info.mib)} MiB file of ${fmt(info.lines)} 1 KiB lines in the page cache; `
    + 'every run printed all of them (a run that does not fails). Output into a pipe that is drained and counted '
    + '(tail and perl: by a small line counter with 1 MiB reads; Fluent Bit: by the harness, as startFluentBit opens it). '
    + 'Per core: lines (MiB) over the follower\'s CPU seconds, user + sys of all its threads, from its start (tail, perl) or from the file\'s '
    + 'appearance (Fluent Bit, whose start-up is left out) to the last line. Wall: from the follower opening the file to the last line at the harness '
    + '(Fluent Bit\'s includes waiting for its 1 s flush). Cores busy: CPU seconds over wall seconds while reading.';
}

// ---------------------------------------------------------------- main

function option(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

function numberOption(argv: string[], flag: string, def: number, max: number): number {
  const raw = option(argv, flag);
  const v = raw === undefined ? def : Number(raw);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${flag} must be a whole number in [1, ${max}], got ${raw}`);
  return v;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const mib = numberOption(argv, '--mib', 256, 4096);
  const runs = numberOption(argv, '--runs', 3, 50);
  const timeoutMs = numberOption(argv, '--timeout', 120, 3600) * 1000;
  const only = option(argv, '--only');
  fluentBitBinary(); // fails early, with the hint, when Fluent Bit is not installed

  const lines = (mib * MiB) / LINE_BYTES;
  const fluentBit = fluentBitFollower('fluent-bit', 'Fluent Bit 3.2.10, no parser', 'app.log', 'log');
  const fluentBitNginx = fluentBitFollower('fluent-bit-nginx', 'Fluent Bit 3.2.10, nginx_main parser', 'access.log', 'parsed');
  const followers: Follower[] = [tailFollower, streamFollower, fluentBit, fluentBitNginx]
    .filter(f => !only || f.key === only || f === tailFollower);
  if (only && !followers.some(f => f.key === only)) throw new Error(`no follower named ${only} (tail, stream, fluent-bit, fluent-bit-nginx)`);

  // The real path: a follower's open file is recognised by it in /proc/PID/fd.
  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-throughput-')));
  const cleanup = () => fs.rmSync(work, { recursive: true, force: true });
  const interrupted = (code: number) => () => {
    for (const child of children) child.kill('SIGKILL');
    cleanup();
    process.exit(code);
  };
  process.on('SIGINT', interrupted(130));
  process.on('SIGTERM', interrupted(143));
  const loadBefore = os.loadavg();
  const startedAt = Date.now();
  const samples = followers.map(() => [] as RunResult[]);
  try {
    const input = path.join(work, 'input.log');
    console.log(`writing ${mib} MiB: ${fmt(lines)} nginx main-format lines of ${LINE_BYTES} bytes`);
    await writeInput(input, lines);
    // Interleaved run by run, so that drift in the machine's load hits every follower alike.
    for (let run = 1; run <= runs; run++) {
      for (const [i, f] of followers.entries()) {
        const r = await runOnce(f, input, lines, work, timeoutMs);
        samples[i].push(r);
        console.log(`run ${run}/${runs} ${f.name}: ${fmt(mib / r.cpuSeconds, 1)} MiB/s per core, ${fmt(mib / r.wallSeconds, 1)} MiB/s wall, `
          + `CPU ${r.cpuSeconds.toFixed(3)} s, peak RSS ${fmt(r.peakRssBytes / MiB, 1)} MiB, other processes ${r.otherBusyCores.toFixed(2)} cores`);
      }
    }
  } finally {
    cleanup();
  }
  const loadAfter = os.loadavg();

  const tailRate = median(samples[followers.indexOf(tailFollower)].map(r => mib / r.cpuSeconds));
  const rows = followers.map((f, i) => rowOf(f, samples[i], lines, tailRate));
  const command = `npm run bench:throughput -- --mib ${mib} --runs ${runs}${only ? ` --only ${only}` : ''}`;
  await write(rows, { command, mib, lines, runs, loadBefore, loadAfter, seconds: (Date.now() - startedAt) / 1000, fluentBitConfig: fluentBit.config });
  return 0;
}

interface RunInfo {
  readonly command: string;
  readonly mib: number;
  readonly lines: number;
  readonly runs: number;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
  readonly seconds: number;
  /** The construct's Fluent Bit configuration (no parser row), before remapping. */
  readonly fluentBitConfig: unknown;
}

async function write(rows: readonly Row[], info: RunInfo): Promise<void> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const [lo, hi] = PUBLISHED_FLUENT_BIT_MB_S.map(mb => (mb * 1e6) / MiB);
  const json = {
    command: info.command,
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release() },
    load: {
      loadavgBefore: info.loadBefore.map(v => Number(v.toFixed(2))),
      loadavgAfter: info.loadAfter.map(v => Number(v.toFixed(2))),
      note: 'otherBusyCores: busy cores of the rest of the machine while a follower read (from /proc/stat, minus the follower, the harness and its line counter)',
    },
    input: { mib: info.mib, lines: info.lines, lineBytes: LINE_BYTES, format: 'nginx main (the official image\'s), long request paths and user agents, checked against the construct\'s nginx_main regex', read: 'from the page cache (written and synced first)' },
    method: 'The follower reads the file from its first line, its stdout into a pipe that is drained and counted with no sleep in that path '
      + '(tail, stream: a line counter process, perl with 1 MiB sysread and tr, so that a follower writing line by line is not slowed by an event loop reading 1 KiB at a time; '
      + 'Fluent Bit: the harness reads the pipe startFluentBit opens, Fluent Bit writes a chunk of records at a time). '
      + 'At the last line, read at once from /proc/PID: CPU (user + sys of all threads; schedstat ns, or stat ticks if more) and VmHWM. '
      + 'CPU counts from the follower\'s start (tail, perl: the file is there before it starts) or from the moment the file appears (Fluent Bit: started first, its start-up left out and reported as startupCpuSeconds). '
      + 'Wall from the follower opening the file (seen in /proc/PID/fd) to the last line. Medians of the runs; runs interleaved.',
    fluentBitPublished: { mbPerSecond: PUBLISHED_FLUENT_BIT_MB_S, mibPerSecond: [lo, hi].map(v => Number(v.toFixed(1))), note: 'Fluent Bit tail input, one thread, as published' },
    fluentBitConfiguration: info.fluentBitConfig,
    seconds: Number(info.seconds.toFixed(1)),
    followers: rows,
  };
  fs.writeFileSync(path.join(RESULTS, 'throughput.json'), `${JSON.stringify(json, null, 2)}\n`);

  // One row per follower: its label, MiB/s per core, wall MiB/s.
  const dat = rows.map(r => `"${r.label.replace(/\n/g, '\\n')}" ${r.mibPerCpuSecond.toFixed(2)} ${r.wallMiBPerSecond.toFixed(2)}`).join('\n');
  fs.writeFileSync(path.join(RESULTS, 'throughput.dat'), `# follower  MiB/s-per-core  wall-MiB/s\n${dat}\n`);
  await run('gnuplot', ['-e', `anchor_lo=${lo.toFixed(2)}; anchor_hi=${hi.toFixed(2)}`, path.join('bench', 'throughput.gp')]);

  console.log(`\n${markdownTable(rows, info)}`);
  const fluentBit = rows.filter(r => r.key.startsWith('fluent-bit'));
  if (fluentBit.length > 0) {
    console.log(`\nFluent Bit's tail input, published: ${PUBLISHED_FLUENT_BIT_MB_S[0]} to ${PUBLISHED_FLUENT_BIT_MB_S[1]} MB/s on one thread `
      + `(${lo.toFixed(0)} to ${hi.toFixed(0)} MiB/s); here: ${fluentBit.map(r => `${fmt(r.mibPerCpuSecond, 1)} MiB/s per core `
      + `(${r.name.replace(/^Fluent Bit 3.2.10, /, '')})`).join(', ')}; its start-up: ${fmt(fluentBit[0].startupCpuSeconds, 3)} s CPU, not counted.`);
  }
  console.log('\nCommands:');
  for (const r of rows) console.log(`- ${r.name}: \`${r.command}\``);
  for (const r of rows) {
    const seen = [...new Set(r.runs.flatMap(x => x.logProblems).map(l => l.replace(/^\[[^\]]*\] /, '')))];
    if (seen.length > 0) console.log(`\n${r.name} logged:\n${seen.slice(0, 10).map(l => `  ${l}`).join('\n')}`);
  }
  console.log(`\nload average before ${info.loadBefore.map(v => v.toFixed(2)).join(' ')}, after ${info.loadAfter.map(v => v.toFixed(2)).join(' ')}; `
    + `other processes kept ${rows.map(r => r.otherBusyCores.toFixed(2)).join(' / ')} of the ${os.cpus().length} cores busy during the rows (median)`);
  console.log(`\n${info.command}: ${info.seconds.toFixed(0)} s; wrote bench/results/throughput.json, throughput.dat, throughput.png`);
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', code => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

main().then(code => process.exit(code), e => {
  console.error(e);
  process.exit(1);
});
