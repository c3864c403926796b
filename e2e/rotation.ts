import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { E2eCase, RotationExpectation } from './cases';
import { CheckFailure } from './errors';
import { sleep } from './exec';
import { containerLogs, LogLine } from './podman';
import { get } from './traffic';

/** Characters of padding in each request path, so a few thousand requests write MiBs of log. */
const PATH_PADDING = 2000;
/** The rest of an access-log line in the `main` format (address, time, status, user agent...). */
const LINE_OVERHEAD = 140;
const MiB = 2 ** 20;

/** What the e2e saw while it wrote several rotations' worth of log. */
export interface RotationReport {
  readonly requests: number;
  readonly sentSeconds: number;
  /** Bytes of access log for the e2e's requests, as printed by the sidecar. */
  readonly loggedBytes: number;
  /** Per request: how often the sidecar printed it, and after how long (first time). */
  readonly counts: readonly number[];
  readonly delaysMs: readonly number[];
  /** Distinct inodes seen at access.log: more than one means the file was replaced. */
  readonly accessLogInodes: number;
  /** nginx's "reopening logs" notices the sidecar printed. */
  readonly reopenNotices: number;
  /** Highest du (allocated blocks) seen per log file, its rotated copies included, and of the whole volume. */
  readonly peakBytesPerFile: ReadonlyMap<string, number>;
  readonly peakVolumeBytes: number;
  /** Highest du of the volume plus deleted files still held open by the pod's processes (what a quota would count). */
  readonly peakHeldBytes: number;
  /** The shipper's own warnings (`stream: ...`), for failure messages. */
  readonly shipperWarnings: readonly string[];
  readonly samples: number;
}

/**
 * Writes `logBytes` of access log at a steady `logBytesPerSecond` (unique,
 * long request paths), polling the volume's directory on the host every
 * 100 ms, then waits for the sidecar to print every line and watches for
 * duplicates for `settleSeconds`.
 */
export async function writeRotations(c: E2eCase, rotation: RotationExpectation, base: string, runId: string,
  volumeDir: string, sidecar: string, pids: readonly number[]): Promise<RotationReport> {
  if (c.shipper.kind !== 'exactly-once') throw new Error(`case ${c.name}: rotation needs an exactly-once shipper`);
  const lineBytes = PATH_PADDING + LINE_OVERHEAD;
  const requests = Math.ceil(rotation.logBytes / lineBytes);
  const perSecond = rotation.logBytesPerSecond / lineBytes;
  const padding = 'r'.repeat(PATH_PADDING);

  const sampler = new VolumeSampler(volumeDir, [c.webLogDirectory, c.sidecarLogDirectory], pids);
  const timer = setInterval(() => sampler.sample(), 100);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const sentAt: number[] = [];
  const failed: string[] = [];
  const start = Date.now();
  try {
    const pending: Promise<void>[] = [];
    for (let seq = 0; seq < requests; seq++) {
      const wait = start + (seq * 1000) / perSecond - Date.now();
      if (wait > 0) await sleep(wait);
      sentAt.push(Date.now());
      pending.push(get(`${base}/?rot=${runId}-${seq}-${padding}`, 5000, agent).then(status => {
        if (status !== 200 && failed.length < 3) failed.push(`request ${seq} answered ${status || 'nothing'}`);
      }));
    }
    await Promise.all(pending);
    const sentSeconds = (Date.now() - start) / 1000;
    if (failed.length) throw new CheckFailure(`nginx did not answer every request of the rotation load with 200: ${failed.join(', ')}`);

    const needle = new RegExp(`GET /\\?rot=${runId}-(\\d+)-r+ HTTP/1\\.1" 200`);
    const deadline = Math.max(...sentAt) + c.shipper.maxDelaySeconds * 1000;
    let logs: LogLine[] = [];
    for (;;) {
      logs = await containerLogs(sidecar);
      if (countPrinted(logs, needle, requests).counts.every(n => n > 0) || Date.now() > deadline) break;
      await sleep(500);
    }
    // Duplicates may come late: a rotated file is read for a grace period after nginx reopened.
    await sleep(c.shipper.settleSeconds * 1000);
    sampler.sample();
    logs = await containerLogs(sidecar);
    const { counts, firstMs, bytes } = countPrinted(logs, needle, requests);
    return {
      requests,
      sentSeconds,
      loggedBytes: bytes,
      counts,
      delaysMs: firstMs.map((t, seq) => t - sentAt[seq]),
      accessLogInodes: sampler.inodes.size,
      reopenNotices: logs.filter(l => /signal 10 \(SIGUSR1\) received.*reopening logs/.test(l.text)).length,
      peakBytesPerFile: sampler.peakPerFile,
      peakVolumeBytes: sampler.peakVolume,
      peakHeldBytes: sampler.peakHeld,
      shipperWarnings: logs.filter(l => l.text.startsWith('stream: ')).map(l => l.text),
      samples: sampler.samples,
    };
  } finally {
    clearInterval(timer);
    agent.destroy();
  }
}

/** Every request printed once, within the shipper's promise. */
export function checkRotatedExactlyOnce(c: E2eCase, r: RotationReport): string {
  const lost = r.counts.flatMap((n, seq) => n === 0 ? [seq] : []);
  const duplicated = r.counts.flatMap((n, seq) => n > 1 ? [seq] : []);
  const warnings = r.shipperWarnings.length ? ` The shipper said: ${r.shipperWarnings.slice(0, 3).join(' | ')}` : '';
  if (lost.length) {
    throw new CheckFailure(`${c.sidecarContainer} never printed ${lost.length} of ${r.requests} requests across the rotations `
      + `(request numbers ${sample(lost)}): lines were lost when a file was rotated.${warnings}`);
  }
  if (duplicated.length) {
    throw new CheckFailure(`${c.sidecarContainer} printed ${duplicated.length} of ${r.requests} requests more than once `
      + `(request numbers ${sample(duplicated)}, up to ${Math.max(...r.counts)} times): a rotated file was read again.${warnings}`);
  }
  const sorted = [...r.delaysMs].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1];
  if (c.shipper.kind === 'exactly-once' && max > c.shipper.maxDelaySeconds * 1000 + 1000) {
    throw new CheckFailure(`${c.sidecarContainer} printed a request only after ${(max / 1000).toFixed(1)} s during the rotations, `
      + `the shipper promises ${c.shipper.maxDelaySeconds} s`);
  }
  return `${r.requests} requests (${(r.loggedBytes / MiB).toFixed(1)} MiB of access log in ${r.sentSeconds.toFixed(1)} s), each printed once, `
    + `first after ${(sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(2)} s median, ${(max / 1000).toFixed(2)} s at most`;
}

/** access.log was replaced and nginx reopened its logs on the shipper's signal. */
export function checkRotated(c: E2eCase, rotation: RotationExpectation, r: RotationReport): string {
  const expected = Math.floor(r.loggedBytes / rotation.rotateAtBytes);
  const warnings = r.shipperWarnings.length ? ` The shipper said: ${r.shipperWarnings.slice(0, 3).join(' | ')}` : ' The shipper printed no warning.';
  if (r.accessLogInodes < 2) {
    throw new CheckFailure(`access.log kept one inode while ${(r.loggedBytes / MiB).toFixed(1)} MiB were written, with rotation at `
      + `${(rotation.rotateAtBytes / MiB).toFixed(1)} MiB: ${c.sidecarContainer} never rotated it.${warnings}`);
  }
  if (r.reopenNotices === 0) {
    throw new CheckFailure(`access.log was replaced (${r.accessLogInodes} inodes seen) but nginx never logged "signal 10 (SIGUSR1) received ... `
      + `reopening logs": it was not asked to reopen its logs.${warnings}`);
  }
  if (r.reopenNotices < expected) {
    throw new CheckFailure(`nginx reopened its logs ${r.reopenNotices} times for ${(r.loggedBytes / MiB).toFixed(1)} MiB of log, expected `
      + `at least ${expected} rotations at ${(rotation.rotateAtBytes / MiB).toFixed(1)} MiB.${warnings}`);
  }
  return `access.log had ${r.accessLogInodes} inodes; nginx reopened its logs ${r.reopenNotices} times on SIGUSR1 (at least ${expected} expected)`;
}

/** The volume never held much more than a full file and a full rotated copy per log file, and stayed under its sizeLimit. */
export function checkVolumeBounded(rotation: RotationExpectation, r: RotationReport): string {
  // Rotation is by polling (0.2 s): a file may overshoot the size by what nginx writes in one poll, at most a quarter here.
  const perFileLimit = 2 * rotation.rotateAtBytes * 1.25;
  const mib = (b: number) => `${(b / MiB).toFixed(2)} MiB`;
  const over = [...r.peakBytesPerFile].filter(([, bytes]) => bytes > perFileLimit);
  if (over.length) {
    throw new CheckFailure(`the shared volume held ${over.map(([f, b]) => `${mib(b)} of ${f}*`).join(', ')} at once, more than `
      + `2 x rotateLogsAt (${mib(2 * rotation.rotateAtBytes)}) + 25 % = ${mib(perFileLimit)} per file: `
      + (r.accessLogInodes < 2 ? 'access.log was never rotated' : 'rotated files are not deleted in time, or a file overshot its size between two polls'));
  }
  if (r.peakVolumeBytes > rotation.volumeSizeLimitBytes) {
    throw new CheckFailure(`the shared volume reached ${mib(r.peakVolumeBytes)} (du), over its sizeLimit of ${mib(rotation.volumeSizeLimitBytes)}: `
      + 'a kubelet would evict the pod');
  }
  const files = [...r.peakBytesPerFile].map(([f, b]) => `${f}* ${mib(b)}`).join(', ');
  return `du peaks over ${r.samples} samples: ${files}, volume ${mib(r.peakVolumeBytes)} (limit ${mib(rotation.volumeSizeLimitBytes)}); `
    + `with deleted files still held open by the pod ${mib(r.peakHeldBytes)}`;
}

function countPrinted(logs: readonly LogLine[], needle: RegExp, requests: number): { counts: number[]; firstMs: number[]; bytes: number } {
  const counts = new Array<number>(requests).fill(0);
  const firstMs = new Array<number>(requests).fill(NaN);
  let bytes = 0;
  for (const line of logs) {
    const m = needle.exec(line.text);
    if (!m) continue;
    const seq = Number(m[1]);
    if (seq >= requests) continue;
    if (counts[seq]++ === 0) {
      firstMs[seq] = line.timeMs;
      bytes += line.text.length + 1;
    }
  }
  return { counts, firstMs, bytes };
}

function sample(seqs: readonly number[]): string {
  return seqs.length > 8 ? `${seqs.slice(0, 8).join(', ')}, ...` : seqs.join(', ');
}

/** Polls the volume's directory on the host like `du`, plus deleted files the pod's processes still hold open. */
class VolumeSampler {
  public readonly inodes = new Set<number>();
  public readonly peakPerFile = new Map<string, number>();
  public peakVolume = 0;
  public peakHeld = 0;
  public samples = 0;

  private readonly dev: number;

  /** `mountedAt`: where the containers see the volume; /proc/PID/fd shows paths as the process sees them. */
  constructor(private readonly dir: string, private readonly mountedAt: readonly string[], private readonly pids: readonly number[]) {
    this.dev = fs.statSync(dir).dev;
  }

  public sample(): void {
    this.samples++;
    const perFile = new Map<string, number>();
    let total = 0;
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(path.join(this.dir, name));
      } catch {
        continue; // renamed or deleted between readdir and lstat
      }
      if (!st.isFile()) continue;
      const bytes = st.blocks * 512;
      total += bytes;
      // access.log and its rotated copy access.log.1 count together.
      const key = name.replace(/\.\d+$/, '');
      perFile.set(key, (perFile.get(key) ?? 0) + bytes);
      if (name === 'access.log') this.inodes.add(st.ino);
    }
    for (const [key, bytes] of perFile) this.peakPerFile.set(key, Math.max(this.peakPerFile.get(key) ?? 0, bytes));
    this.peakVolume = Math.max(this.peakVolume, total);
    this.peakHeld = Math.max(this.peakHeld, total + this.deletedButOpen());
  }

  private deletedButOpen(): number {
    const seen = new Set<string>();
    let bytes = 0;
    for (const pid of this.pids) {
      let fds: string[] = [];
      try {
        fds = fs.readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
          if (!target.endsWith(' (deleted)') || !this.mountedAt.some(d => target.startsWith(`${d}/`))) continue;
          const st = fs.statSync(`/proc/${pid}/fd/${fd}`);
          if (st.dev !== this.dev || seen.has(String(st.ino))) continue;
          seen.add(String(st.ino));
          bytes += st.blocks * 512;
        } catch {
          // closed meanwhile
        }
      }
    }
    return bytes;
  }
}
