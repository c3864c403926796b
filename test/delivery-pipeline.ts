import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Size, Testing } from 'cdk8s';
import { FluentBitOutput, FluentBitShipperOptions, LoggingSidecarPod, LogShipper } from '../lib';
import { configOf, FluentBit, freePort, remap, startFluentBit, waitFor } from './fluent-bit-process';
import { LogReceiver, ReceiverPorts, receiverPorts, startReceiver } from './log-receiver';

// The Fluent Bit shipper between log files that a writer appends numbered
// lines to and a receiving Fluent Bit, with every part stoppable, killable
// and restartable, so that a test or a benchmark can break one and count what
// arrived: each line is numbered, so loss and duplicates are exact.

export const LOG_FILES = ['access.log', 'error.log'];

/** Line `n` of `file`, in the format nginx writes that file in (the official image's `main` for access logs). */
export function logLine(file: string, n: number, padding = ''): string {
  return file.startsWith('access')
    ? `127.0.0.1 - - [22/Nov/2026:05:00:00 +0000] "GET /seq/${n}${padding} HTTP/1.1" 200 15 "-" "delivery-test" "-"`
    : `2026/11/22 05:00:00 [error] 7#7: *${n} open() "/usr/share/nginx/html/seq/${n}${padding}" failed (2: No such file or directory)`;
}

/** The line number a received record carries, parsed by the shipper's nginx parsers; undefined for anything else. */
function lineNumber(record: any): number | undefined {
  const match = /\/seq\/(\d+)/.exec(record.path ?? record.message ?? '');
  return match ? Number(match[1]) : undefined;
}

export interface FileCount {
  readonly written: number;
  readonly received: number;
  /** Line numbers written but never received. */
  readonly lost: number[];
  /** Records received more than once, counted beyond the first. */
  readonly duplicates: number;
  /** Records that carry no line number: a line cut in two, or unparsed. */
  readonly fragments: number;
}

export interface DeliveryPipeline {
  readonly dir: string;
  /** The shipper's configuration, as it runs here. */
  readonly config: any;
  /** The rotator's command from the manifest, its paths moved here; undefined without rotation. */
  readonly rotatorCommand?: string[];
  readonly logDirectory: string;
  readonly stateDirectory: string;
  readonly receiverPorts: ReceiverPorts;
  receiver?: LogReceiver;
  shipper?: FluentBit;
  startReceiver(): Promise<LogReceiver>;
  startShipper(): Promise<FluentBit>;
  /** Appends the next `count` lines to `file`, in one write. */
  write(file: string, count: number): void;
  /** Appends lines at a steady rate to every file until stopped. */
  writeSteadily(linesPerSecondPerFile: number): { stop: () => void };
  /** Lines written so far, per file. */
  written(file: string): number;
  count(): { [file: string]: FileCount };
  /** Waits until every line written has arrived; resolves with the milliseconds it took. */
  waitForEverything(timeoutMs: number): Promise<number>;
  /** The waits before each retry the running shipper logged, in seconds. */
  retryWaits(): number[];
  /** The shipper's peak resident memory so far, in MiB (VmHWM). */
  shipperPeakMiB(): number;
  /** Bytes in the shipper's state directory (position databases and buffer) right now. */
  stateBytes(): number;
  close(): Promise<void>;
}

export interface DeliveryPipelineOptions {
  /** Options of the shipper under test; its outputs are replaced by one Loki output to the receiver. */
  readonly shipper?: FluentBitShipperOptions;
  /** Characters added to every line, to make lines longer. */
  readonly padding?: number;
  /** Have the construct rotate the logs at this size (the rotator's command is `rotatorCommand`). */
  readonly rotateLogsAt?: Size;
}

export async function deliveryPipeline(dir: string, options: DeliveryPipelineOptions = {}): Promise<DeliveryPipeline> {
  const logDirectory = path.join(dir, 'logs');
  const stateDirectory = path.join(dir, 'state');
  fs.mkdirSync(logDirectory, { recursive: true });
  fs.mkdirSync(stateDirectory, { recursive: true });
  const ports = await receiverPorts();
  const padding = '-'.repeat(options.padding ?? 0);

  const chart = Testing.chart();
  const web = new LoggingSidecarPod(chart, 'pod', {
    shipper: LogShipper.fluentBit({
      ...options.shipper,
      outputs: [FluentBitOutput.loki({ host: '127.0.0.1', port: ports.lokiPort })],
    }),
    rotateLogsAt: options.rotateLogsAt,
  });
  const rotator = web.sidecar.companionContainers.find(c => c.name.endsWith('-rotator'));
  const config = remap(configOf(Testing.synth(chart)), {
    paths: { '/var/log/nginx': logDirectory, '/var/lib/logging-sidecar': stateDirectory },
    httpPort: await freePort(),
  });

  const written: { [file: string]: number } = Object.fromEntries(LOG_FILES.map(f => [f, 0]));
  const write = (file: string, count: number) => {
    const lines = Array.from({ length: count }, (_, i) => `${logLine(file, written[file] + i + 1, padding)}\n`);
    fs.appendFileSync(path.join(logDirectory, file), lines.join(''));
    written[file] += count;
  };
  let starts = 0;

  const pipeline: DeliveryPipeline = {
    dir,
    config,
    rotatorCommand: rotator?.command?.map(word => word.startsWith('/var/log/nginx/') ? path.join(logDirectory, word.slice('/var/log/nginx/'.length)) : word),
    logDirectory,
    stateDirectory,
    receiverPorts: ports,
    async startReceiver() {
      pipeline.receiver = await startReceiver(path.join(dir, 'receiver'), ports);
      return pipeline.receiver;
    },
    async startShipper() {
      pipeline.shipper = await startFluentBit(config, dir, `shipper-${starts++}`);
      return pipeline.shipper;
    },
    write,
    writeSteadily(rate) {
      // Every 20 ms, the lines due by now: a steady rate without a timer per line.
      const started = Date.now();
      const before = { ...written };
      const timer = setInterval(() => {
        const due = Math.floor(((Date.now() - started) / 1000) * rate);
        for (const file of LOG_FILES) {
          const behind = due - (written[file] - before[file]);
          if (behind > 0) write(file, behind);
        }
      }, 20);
      return { stop: () => clearInterval(timer) };
    },
    written: file => written[file],
    count() {
      const records = pipeline.receiver?.records().loki ?? [];
      const result: { [file: string]: FileCount } = {};
      for (const file of LOG_FILES) {
        const mine = records.filter(r => typeof r.file === 'string' && path.basename(r.file) === file);
        const numbers = mine.map(lineNumber);
        const seen = new Set(numbers.filter(n => n !== undefined));
        const lost: number[] = [];
        for (let n = 1; n <= written[file]; n++) if (!seen.has(n)) lost.push(n);
        result[file] = {
          written: written[file],
          received: mine.length,
          lost,
          duplicates: numbers.filter(n => n !== undefined).length - seen.size,
          fragments: numbers.filter(n => n === undefined).length,
        };
      }
      return result;
    },
    async waitForEverything(timeoutMs) {
      const started = Date.now();
      await waitFor(() => Object.values(pipeline.count()).every(c => c.lost.length === 0), 'every line at the receiver', timeoutMs);
      return Date.now() - started;
    },
    retryWaits: () => [...(pipeline.shipper?.output() ?? '').matchAll(/retry in (\d+) seconds/g)].map(m => Number(m[1])),
    shipperPeakMiB() {
      const status = fs.readFileSync(`/proc/${pipeline.shipper!.child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
    },
    stateBytes: () => directoryBytes(stateDirectory),
    async close() {
      await pipeline.shipper?.stop('SIGKILL');
      await pipeline.receiver?.stop('SIGKILL');
    },
  };
  return pipeline;
}

/** What a directory's files take on disk, like `du`. */
function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    try {
      total += entry.isDirectory() ? directoryBytes(full) : fs.statSync(full).blocks * 512;
    } catch {
      // A chunk deleted while we looked: it no longer takes space.
    }
  }
  return total;
}

/**
 * The pipelines of one test file: each in a directory of its own under one
 * scratch directory, all closed and removed after the file's tests.
 */
export function deliveryPipelines(name: string): {
  /** A pipeline, not started. */
  create: (options?: DeliveryPipelineOptions) => Promise<DeliveryPipeline>;
  /** A pipeline with its receiver and shipper started. */
  start: (options?: DeliveryPipelineOptions) => Promise<DeliveryPipeline>;
} {
  let workDir: string;
  const open: DeliveryPipeline[] = [];
  beforeAll(() => { workDir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`)); });
  afterAll(async () => {
    await Promise.all(open.map(p => p.close()));
    fs.rmSync(workDir, { recursive: true, force: true });
  });
  const create = async (options: DeliveryPipelineOptions = {}) => {
    const p = await deliveryPipeline(fs.mkdtempSync(path.join(workDir, 'run-')), options);
    open.push(p);
    return p;
  };
  return {
    create,
    start: async options => {
      const p = await create(options);
      await p.startReceiver();
      await p.startShipper();
      return p;
    },
  };
}

/** Every file: every line received exactly once, whole. */
export function expectEveryLineOnce(p: DeliveryPipeline): void {
  for (const [file, count] of Object.entries(p.count())) {
    expect({ file, lost: count.lost, duplicates: count.duplicates, fragments: count.fragments })
      .toEqual({ file, lost: [], duplicates: 0, fragments: 0 });
    expect(count.written).toBeGreaterThan(0);
  }
}
