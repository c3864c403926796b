import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { E2eCase, RotationExpectation } from './cases';
import { CheckFailure } from './errors';
import { sleep } from './exec';
import { Arrival, Channel } from './expectations';
import { containerLogs } from './podman';
import { get, USER_AGENT } from './traffic';

/** Characters of padding in each request path, so a few thousand requests write MiBs of log. */
const PATH_PADDING = 2000;
/** The rest of an access-log line in the `main` format (address, time, status, user agent...). */
const LINE_OVERHEAD = 140;
const MiB = 2 ** 20;

/** How the load's requests arrived on one channel (the sidecar's output, a receiver). */
export interface ChannelRotationReport {
  readonly channel: Channel;
  /** Per request: how often it arrived, and after how long (first time). */
  readonly counts: readonly number[];
  readonly delaysMs: readonly number[];
  /** Bytes of access log for the e2e's requests, as the channel shows them (for records, the `main` line they were parsed from). */
  readonly loggedBytes: number;
  /** Arrivals of a request that are not the record nginx_main makes of its line: what was wrong, the first few. */
  readonly malformed: readonly string[];
  readonly malformedCount: number;
}

/** What the e2e saw while it wrote several rotations' worth of log. */
export interface RotationReport {
  readonly requests: number;
  readonly sentSeconds: number;
  /** The first channel (the sidecar's output) first. */
  readonly channels: readonly ChannelRotationReport[];
  /** Distinct inodes seen at access.log: more than one means the file was replaced. */
  readonly accessLogInodes: number;
  /** nginx's "signal 10 (SIGUSR1) received ... reopening logs" notices that reached the first channel. */
  readonly reopenNotices: number;
  /** Highest space used per log file, its rotated copies and its deleted copies still held open included, and of the whole volume (du). */
  readonly peakBytesPerFile: ReadonlyMap<string, number>;
  readonly peakVolumeBytes: number;
  /** Highest du of the volume plus deleted files still held open by the pod's processes (what a quota would count). */
  readonly peakHeldBytes: number;
  /** In how many samples a rotated copy (`<file>.1`) was there. */
  readonly samplesWithCopy: number;
  /** The shipper's own warnings (`stream: ...`, Fluent Bit's `[ warn]` and `[error]`), for failure messages. */
  readonly shipperWarnings: readonly string[];
  /** Everything the rotating companion printed, when the sidecar does not rotate itself. */
  readonly rotatorOutput?: readonly string[];
  readonly samples: number;
}

/** Who rotates: the played container. */
export interface RotatingContainer {
  readonly played: string;
  /** Whether it is a companion beside the sidecar (whose output is then its own). */
  readonly companion: boolean;
}

/**
 * Writes `logBytes` of access log at a steady `logBytesPerSecond` (unique,
 * long request paths), polling the volume's directory on the host every
 * 100 ms, then waits for every channel to show every line and watches for
 * duplicates for `settleSeconds`.
 */
export async function writeRotations(c: E2eCase, rotation: RotationExpectation, base: string, runId: string,
  volumeDir: string, channels: readonly Channel[], pids: readonly number[], rotator: RotatingContainer): Promise<RotationReport> {
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

    const matcher = new LoadMatcher(c, runId, requests);
    const deadline = Math.max(...sentAt) + c.shipper.maxDelaySeconds * 1000;
    for (;;) {
      const all = await Promise.all(channels.map(ch => ch.read()));
      const complete = all.every((arrivals, i) => matcher.count(channels[i], arrivals, sentAt).counts.every(n => n > 0));
      if (complete || Date.now() > deadline) break;
      await sleep(500);
    }
    // Duplicates may come late: a rotated file is read for a grace period after nginx reopened.
    await sleep(c.shipper.settleSeconds * 1000);
    sampler.sample();
    const all = await Promise.all(channels.map(ch => ch.read()));
    const first = all[0];
    return {
      requests,
      sentSeconds,
      channels: all.map((arrivals, i) => matcher.count(channels[i], arrivals, sentAt)),
      accessLogInodes: sampler.inodes.size,
      reopenNotices: first.filter(a => REOPEN_NOTICE.test(a.record ? String(a.record.message ?? '') : a.text)).length,
      peakBytesPerFile: sampler.peakPerFile,
      peakVolumeBytes: sampler.peakVolume,
      peakHeldBytes: sampler.peakHeld,
      samplesWithCopy: sampler.samplesWithCopy,
      shipperWarnings: first.filter(a => !a.record && SHIPPER_WARNING.test(a.text)).map(a => a.text),
      rotatorOutput: rotator.companion ? (await containerLogs(rotator.played)).map(l => l.text).filter(t => t.trim()) : undefined,
      samples: sampler.samples,
    };
  } finally {
    clearInterval(timer);
    agent.destroy();
  }
}

/** nginx's notice, in its error log, that its master got the rotation's signal. */
const REOPEN_NOTICE = /signal 10 \(SIGUSR1\) received.*reopening logs/;
/** The stream shipper's warnings, and Fluent Bit's own log lines of level warn or error. */
const SHIPPER_WARNING = /^stream: |^\[\d{4}\/\d\d\/\d\d [\d:]+\] \[ ?(warn|error)\]/;

/** Every request arrived once on every channel (as the record nginx_main makes of it, where records), within the shipper's promise. */
export function checkRotatedExactlyOnce(c: E2eCase, r: RotationReport): string {
  const said = saidSoFar(r);
  const lines: string[] = [];
  for (const ch of r.channels) {
    const { name, verb } = ch.channel;
    const lost = ch.counts.flatMap((n, seq) => n === 0 ? [seq] : []);
    const duplicated = ch.counts.flatMap((n, seq) => n > 1 ? [seq] : []);
    if (lost.length) {
      throw new CheckFailure(`${name} never ${verb} ${lost.length} of ${r.requests} requests across the rotations `
        + `(request numbers ${sample(lost)}): lines were lost when a file was rotated.${said}`);
    }
    if (duplicated.length) {
      throw new CheckFailure(`${name} ${verb} ${duplicated.length} of ${r.requests} requests more than once `
        + `(request numbers ${sample(duplicated)}, up to ${Math.max(...ch.counts)} times): a rotated file was read again.${said}`);
    }
    if (ch.malformedCount) {
      throw new CheckFailure(`${name} ${verb} ${ch.malformedCount} of ${r.requests} requests, but not as the record nginx_main makes of the line: `
        + `${ch.malformed.join('; ')}`);
    }
    const sorted = [...ch.delaysMs].sort((a, b) => a - b);
    const max = sorted[sorted.length - 1];
    if (c.shipper.kind === 'exactly-once' && max > c.shipper.maxDelaySeconds * 1000 + 1000) {
      throw new CheckFailure(`${name} ${verb} a request only after ${(max / 1000).toFixed(1)} s during the rotations, `
        + `the shipper promises ${c.shipper.maxDelaySeconds} s`);
    }
    const records = ch.channel.format === 'json-records' ? ` as the record nginx_main makes of it (file ${c.sidecarLogDirectory}/access.log)` : '';
    lines.push(`${name}: ${r.requests} requests (${(ch.loggedBytes / MiB).toFixed(1)} MiB of access log in ${r.sentSeconds.toFixed(1)} s), each ${verb} once${records}, `
      + `first after ${(sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(2)} s median, ${(max / 1000).toFixed(2)} s at most`);
  }
  return lines.join('\n       ');
}

/** access.log was replaced and nginx reopened its logs on the rotating container's signal. */
export function checkRotated(c: E2eCase, rotation: RotationExpectation, r: RotationReport): string {
  const logged = r.channels[0].loggedBytes;
  const expected = Math.floor(logged / rotation.rotateAtBytes);
  const rotator = rotation.rotator ?? c.sidecarContainer;
  const said = saidSoFar(r) || ` Neither ${rotator} nor the shipper printed a warning.`;
  if (r.accessLogInodes < 2) {
    throw new CheckFailure(`access.log kept one inode while ${(logged / MiB).toFixed(1)} MiB were written, with rotation at `
      + `${(rotation.rotateAtBytes / MiB).toFixed(1)} MiB: ${rotator} never rotated it.${said}`);
  }
  if (r.reopenNotices === 0) {
    throw new CheckFailure(`access.log was replaced (${r.accessLogInodes} inodes seen) but nginx never logged "signal 10 (SIGUSR1) received ... `
      + `reopening logs" (looked for in ${r.channels[0].channel.name}'s error.log lines): it was not asked to reopen its logs.${said}`);
  }
  if (r.reopenNotices < expected) {
    throw new CheckFailure(`nginx reopened its logs ${r.reopenNotices} times for ${(logged / MiB).toFixed(1)} MiB of log, expected `
      + `at least ${expected} rotations at ${(rotation.rotateAtBytes / MiB).toFixed(1)} MiB.${said}`);
  }
  return `access.log replaced ${r.accessLogInodes - 1} times (${r.accessLogInodes} inodes seen); nginx reopened its logs ${r.reopenNotices} times on SIGUSR1 `
    + `(at least ${expected} expected); a rotated copy was there in ${r.samplesWithCopy} of ${r.samples} samples`;
}

/**
 * The volume never held much more than a full file and a full rotated copy
 * per log file, counting a deleted copy still held open (its blocks are still
 * taken), and stayed under its sizeLimit.
 */
export function checkVolumeBounded(rotation: RotationExpectation, r: RotationReport): string {
  // Rotation is by polling (0.2 s or 0.25 s): a file may overshoot the size by what nginx writes in one poll, at most a quarter here.
  const perFileLimit = 2 * rotation.rotateAtBytes * 1.25;
  const mib = (b: number) => `${(b / MiB).toFixed(2)} MiB`;
  const over = [...r.peakBytesPerFile].filter(([, bytes]) => bytes > perFileLimit);
  if (over.length) {
    throw new CheckFailure(`the shared volume held ${over.map(([f, b]) => `${mib(b)} of ${f}*`).join(', ')} at once (open deleted copies included), more than `
      + `2 x rotateLogsAt (${mib(2 * rotation.rotateAtBytes)}) + 25 % = ${mib(perFileLimit)} per file: `
      + (r.accessLogInodes < 2 ? 'access.log was never rotated' : 'rotated files are not deleted (or closed) in time, or a file overshot its size between two polls'));
  }
  if (r.peakVolumeBytes > rotation.volumeSizeLimitBytes) {
    throw new CheckFailure(`the shared volume reached ${mib(r.peakVolumeBytes)} (du), over its sizeLimit of ${mib(rotation.volumeSizeLimitBytes)}: `
      + 'a kubelet would evict the pod');
  }
  const files = [...r.peakBytesPerFile].map(([f, b]) => `${f}* ${mib(b)}`).join(', ');
  return `peaks over ${r.samples} samples, open deleted copies included: ${files} (limit ${mib(perFileLimit)} per file); `
    + `volume ${mib(r.peakVolumeBytes)} by du (limit ${mib(rotation.volumeSizeLimitBytes)}), ${mib(r.peakHeldBytes)} with open deleted files`;
}

/** The rotating companion printed nothing: it speaks only when a rotation went wrong. */
export function checkRotatorSilent(rotator: string, r: RotationReport): string {
  const out = r.rotatorOutput ?? [];
  if (out.length) {
    throw new CheckFailure(`${rotator} printed ${out.length} line(s) while it rotated, which it does only when a rotation went wrong:\n`
      + out.slice(0, 8).map(l => `      | ${l}`).join('\n'));
  }
  return `${rotator} printed nothing across ${r.accessLogInodes - 1} rotation(s) of access.log`;
}

function saidSoFar(r: RotationReport): string {
  const said = [...(r.rotatorOutput ?? []).map(l => `rotator: ${l.replace(/^rotator: /, '')}`), ...r.shipperWarnings];
  return said.length ? ` Said meanwhile: ${said.slice(0, 3).join(' | ')}${said.length > 3 ? ` (and ${said.length - 3} more)` : ''}` : '';
}

/**
 * Finds the load's requests among what a channel shows: as text, the access
 * line; as records, the record whose `path` is the request's, held to every
 * field nginx_main gives, and also any record holding the request's id
 * elsewhere (an unparsed line), so that a broken parser shows up as a wrong
 * record rather than a lost one.
 */
class LoadMatcher {
  private readonly line: RegExp;
  private readonly path: RegExp;
  private readonly anywhere: RegExp;

  constructor(private readonly c: E2eCase, runId: string, private readonly requests: number) {
    this.line = new RegExp(`GET /\\?rot=${runId}-(\\d+)-r+ HTTP/1\\.1" 200`);
    this.path = new RegExp(`^/\\?rot=${runId}-(\\d+)-r+$`);
    this.anywhere = new RegExp(`rot=${runId}-(\\d+)-`);
  }

  public count(channel: Channel, arrivals: readonly Arrival[], sentAt: readonly number[]): ChannelRotationReport {
    const counts = new Array<number>(this.requests).fill(0);
    const firstMs = new Array<number>(this.requests).fill(NaN);
    const malformed: string[] = [];
    let malformedCount = 0;
    let bytes = 0;
    for (const a of arrivals) {
      let seq: number;
      let size: number;
      if (channel.format === 'lines') {
        const m = this.line.exec(a.text);
        if (!m) continue;
        seq = Number(m[1]);
        size = a.text.length + 1;
      } else {
        if (!a.record) continue;
        const m = typeof a.record.path === 'string' ? this.path.exec(a.record.path) : null;
        const raw = m ? null : Object.values(a.record).map(v => typeof v === 'string' ? this.anywhere.exec(v) : null).find(x => x);
        if (!m && !raw) continue;
        seq = Number((m ?? raw)![1]);
        size = mainLineBytes(a.record);
        const problems = m ? this.recordProblems(a.record) : ['unparsed (no path field)'];
        if (problems.length) {
          if (malformedCount++ < 3) malformed.push(`request ${seq}: ${problems.join(', ')} in ${a.text.slice(0, 300)}${a.text.length > 300 ? '...' : ''}`);
        }
      }
      if (seq >= this.requests) continue;
      if (counts[seq]++ === 0) {
        firstMs[seq] = a.timeMs;
        bytes += size;
      }
    }
    return { channel, counts, delaysMs: firstMs.map((t, seq) => t - sentAt[seq]), loggedBytes: bytes, malformed, malformedCount };
  }

  /** What nginx_main makes of the load's lines; the file (path_key) is access.log, also for lines read from the renamed copy. */
  private recordProblems(record: { readonly [field: string]: unknown }): string[] {
    const dir = this.c.sidecarLogDirectory;
    const checks: [string, (v: unknown) => boolean, string][] = [
      ['method', v => v === 'GET', '"GET"'],
      ['protocol', v => v === 'HTTP/1.1', '"HTTP/1.1"'],
      ['code', v => v === 200, 'the number 200'],
      ['size', v => typeof v === 'number' && Number.isInteger(v), 'an integer'],
      ['agent', v => v === USER_AGENT, JSON.stringify(USER_AGENT)],
      ['remote', v => typeof v === 'string' && /^[0-9.]+$/.test(v), 'an IPv4 address'],
      ['file', v => v === `${dir}/access.log`, `"${dir}/access.log"`],
    ];
    return checks.filter(([field, ok]) => !ok(record[field]))
      .map(([field, , want]) => `${field} is ${field in record ? JSON.stringify(record[field]) : 'missing'}, nginx_main gives ${want}`);
  }
}

/** The length of the `main` format line a record was parsed from; nginx's $time_local is always 26 characters. */
function mainLineBytes(r: { readonly [field: string]: unknown }): number {
  const f = (k: string) => String(r[k] ?? '-');
  return `${f('remote')} - ${f('user')} [${'x'.repeat(26)}] "${f('method')} ${f('path')} ${f('protocol')}" ${f('code')} ${f('size')} `
    .length + `"${f('referer')}" "${f('agent')}" "${f('forwarded_for')}"\n`.length;
}

function sample(seqs: readonly number[]): string {
  return seqs.length > 8 ? `${seqs.slice(0, 8).join(', ')}, ...` : seqs.join(', ');
}

/**
 * Polls the volume's directory on the host like `du`, plus deleted files the
 * pod's processes still hold open (counted with the file they were rotated
 * from: their blocks stay taken until the last descriptor is closed).
 */
class VolumeSampler {
  public readonly inodes = new Set<number>();
  public readonly peakPerFile = new Map<string, number>();
  public peakVolume = 0;
  public peakHeld = 0;
  public samples = 0;
  public samplesWithCopy = 0;

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
    let copy = false;
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
      add(perFile, name, bytes);
      if (name === 'access.log') this.inodes.add(st.ino);
      if (/\.\d+$/.test(name)) copy = true;
    }
    if (copy) this.samplesWithCopy++;
    let held = 0;
    for (const { name, bytes } of this.deletedButOpen()) {
      held += bytes;
      add(perFile, name, bytes);
    }
    for (const [key, bytes] of perFile) this.peakPerFile.set(key, Math.max(this.peakPerFile.get(key) ?? 0, bytes));
    this.peakVolume = Math.max(this.peakVolume, total);
    this.peakHeld = Math.max(this.peakHeld, total + held);
  }

  /** Files of the volume that are deleted but still open in one of the pod's processes, by the name they had last. */
  private deletedButOpen(): { name: string; bytes: number }[] {
    const seen = new Set<string>();
    const found: { name: string; bytes: number }[] = [];
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
          found.push({ name: path.posix.basename(target.slice(0, -' (deleted)'.length)), bytes: st.blocks * 512 });
        } catch {
          // closed meanwhile
        }
      }
    }
    return found;
  }
}

/** access.log and its rotated copy access.log.1 count together. */
function add(perFile: Map<string, number>, name: string, bytes: number): void {
  const key = name.replace(/\.\d+$/, '');
  perFile.set(key, (perFile.get(key) ?? 0) + bytes);
}
