/**
 * `npm run bench:stream`: the stream shipper's throughput on 100-byte lines,
 * untagged and tagged, beside `tail -n+1 -F` in the same run, and the CPU of
 * the process that reads each one's output. Writes bench/results/stream-throughput.json.
 *
 *   npm run bench:stream [-- --mib 256 --runs 5]
 *
 * Method, per follower and run: one file of `--mib` MiB of 100-byte lines
 * (nginx `main` format, newline included) is written and synced once. The
 * follower reads it from its first line, its stdout going into a pipe read
 * by `head -c BYTES` (8 KiB reads, as a container runtime's log reader does)
 * which exits when every byte the follower is to print has come. The wall
 * time runs from the follower's start to the reader's exit; the follower's
 * CPU (user + sys) is read from /proc/PID/stat at that moment, the reader's
 * from bash's `time`. Runs are interleaved, so drift in the machine's load
 * hits every follower alike; each figure is the median of the runs, and each
 * ratio is to tail's median of the same run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { LoggingSidecarPod, LogShipper } from '../lib';

const LINE_BYTES = 100;
const MiB = 2 ** 20;
const CLK_TCK = 100;
const RESULTS = path.join(__dirname, 'results', 'stream-throughput.json');

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number of at least 1, got ${process.argv[at + 1]}`);
  return value;
}

/** Writes `mib` MiB of 100-byte access lines; returns the number of lines. */
function writeInput(file: string, mib: number): number {
  const lines = Math.floor((mib * MiB) / LINE_BYTES);
  const fd = fs.openSync(file, 'w');
  const block: string[] = [];
  for (let i = 1; i <= lines; i++) {
    const line = `10.0.${(i >> 8) & 255}.${i & 255} - - [22/Nov/2026:10:15:00 +0000] "GET /p/${i} HTTP/1.1" 200 612 "-" "c"`;
    block.push(line.padEnd(LINE_BYTES - 1, ' '));
    if (block.length === 10000 || i === lines) {
      fs.writeSync(fd, block.join('\n') + '\n');
      block.length = 0;
    }
  }
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  return lines;
}

/** The sidecar's command from the construct, with only `--state` moved to `state`. */
function streamCommand(logFile: string, state: string, tagWithFileName: boolean): string[] {
  const pod = new LoggingSidecarPod(Testing.chart(), 'pod', {
    shipper: LogShipper.stream({ tagWithFileName }), logDirectory: path.dirname(logFile), logFiles: [path.basename(logFile)],
  });
  const command = [...pod.sidecarContainer.command!];
  command[command.indexOf('--state') + 1] = state;
  return command;
}

interface Follower {
  readonly name: string;
  readonly command: (logFile: string, state: string) => string[];
  /** What it prints for `lines` lines of the file. */
  readonly outputBytes: (fileBytes: number, lines: number) => number;
}

const FOLLOWERS: Follower[] = [
  { name: 'tail -n+1 -F (baseline)', command: logFile => ['tail', '-n+1', '-F', logFile], outputBytes: bytes => bytes },
  { name: 'stream', command: (logFile, state) => streamCommand(logFile, state, false), outputBytes: bytes => bytes },
  {
    name: 'stream, tagged',
    command: (logFile, state) => streamCommand(logFile, state, true),
    outputBytes: (bytes, lines) => bytes + lines * '[access.log] '.length,
  },
];

/**
 * One run: the follower into a FIFO, `head -c` reading it under bash's
 * `time`. Prints "wall_ns follower_ticks reader_user reader_sys"; head exits
 * only when every byte has come, as the follower never closes its output.
 */
const HARNESS = String.raw`
set -euo pipefail
bytes="$1"; fifo="$2"; shift 2
"$@" > "$fifo" 2>/dev/null &
follower=$!
start=$(date +%s%N)
# The harness holds the read end too, so that the follower outlives the
# reader (tail exits when its output has no reader) until its CPU is read.
exec 3< "$fifo"
TIMEFORMAT='%3U %3S'
reader=$( { time head -c "$bytes" <&3 > /dev/null; } 2>&1 )
end=$(date +%s%N)
read -r -a stat < <(sed 's/^.*) //' /proc/$follower/stat)
kill -KILL $follower; wait $follower 2>/dev/null || true
exec 3<&-
echo "$((end - start)) $((stat[11] + stat[12])) $reader"`;

interface Run { wallSeconds: number; followerCpu: number; readerCpu: number }

function runOnce(follower: Follower, dir: string, logFile: string, fileBytes: number, lines: number): Run {
  const state = fs.mkdtempSync(path.join(dir, 'state-'));
  const fifo = path.join(dir, 'out.fifo');
  fs.rmSync(fifo, { force: true });
  spawnSync('mkfifo', [fifo]);
  const bytes = follower.outputBytes(fileBytes, lines);
  const result = spawnSync('bash', ['-c', HARNESS, 'bash', String(bytes), fifo, ...follower.command(logFile, state)], { encoding: 'utf8' });
  const fields = result.stdout.trim().split(/\s+/).map(Number);
  if (result.status !== 0 || fields.length !== 4 || fields.some(Number.isNaN)) {
    throw new Error(`${follower.name}: the run failed (status ${result.status}): ${result.stdout}${result.stderr}`);
  }
  fs.rmSync(state, { recursive: true, force: true });
  // The follower's time is taken at the reader's exit: it may have read ahead; tail's ticks cover its whole life too.
  return { wallSeconds: fields[0] / 1e9, followerCpu: fields[1] / CLK_TCK, readerCpu: fields[2] + fields[3] };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function main(): void {
  const mib = option('mib', 256);
  const runs = option('runs', 5);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-stream-'));
  try {
    const logFile = path.join(dir, 'access.log');
    const lines = writeInput(logFile, mib);
    const fileBytes = fs.statSync(logFile).size;
    const results = new Map<string, Run[]>(FOLLOWERS.map(f => [f.name, []]));
    for (let run = 1; run <= runs; run++) {
      for (const follower of FOLLOWERS) {
        results.get(follower.name)!.push(runOnce(follower, dir, logFile, fileBytes, lines));
      }
      process.stderr.write(`run ${run}/${runs} done\n`);
    }
    const rows = FOLLOWERS.map(f => {
      const r = results.get(f.name)!;
      const wall = median(r.map(x => x.wallSeconds));
      return {
        follower: f.name,
        mibPerSecond: fileBytes / MiB / wall,
        followerCpuSeconds: median(r.map(x => x.followerCpu)),
        readerCpuSeconds: median(r.map(x => x.readerCpu)),
      };
    });
    const base = rows[0];
    const table = rows.map(r => ({
      ...r,
      throughputVsTail: r.mibPerSecond / base.mibPerSecond,
      readerCpuVsTail: r.readerCpuSeconds / base.readerCpuSeconds,
    }));
    console.log(`${mib} MiB of ${LINE_BYTES}-byte lines (${lines} lines), median of ${runs} interleaved runs, ${os.cpus().length} cores`);
    console.log('| follower | MiB/s | vs tail | follower CPU s | reader CPU s | reader CPU vs tail |');
    console.log('|---|---|---|---|---|---|');
    for (const r of table) {
      console.log(`| ${r.follower} | ${r.mibPerSecond.toFixed(0)} | ${r.throughputVsTail.toFixed(2)}x | ${r.followerCpuSeconds.toFixed(2)} `
        + `| ${r.readerCpuSeconds.toFixed(2)} | ${r.readerCpuVsTail.toFixed(2)}x |`);
    }
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, JSON.stringify({ mib, lineBytes: LINE_BYTES, lines, runs, results: table }, null, 2) + '\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
