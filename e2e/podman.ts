import * as fs from 'fs';
import * as path from 'path';
import { exec, execOk } from './exec';

/** What `podman container inspect` says about one container, the fields the e2e reads. */
export interface ContainerState {
  readonly id: string;
  /** The main process's PID on the host (0 when not running). */
  readonly pid: number;
  readonly running: boolean;
  readonly status: string;
  readonly exitCode: number;
  readonly restartCount: number;
  readonly startedAt: string;
  readonly memoryLimitBytes: number;
  readonly cgroupPath: string;
  readonly mounts: readonly { readonly name: string; readonly source: string; readonly destination: string; readonly type: string }[];
  /** The healthcheck podman made of a probe, if any. */
  readonly healthcheck?: readonly string[];
}

/** kube play names a pod's containers `<pod>-<container>`. */
export function playedContainerName(pod: string, container: string): string {
  return `${pod}-${container}`;
}

export async function inspectContainer(name: string): Promise<ContainerState | undefined> {
  const r = await exec('podman', ['container', 'inspect', name], { timeoutMs: 30_000 });
  if (r.code !== 0) return undefined;
  const c = JSON.parse(r.stdout)[0];
  return {
    id: c.Id,
    pid: c.State.Pid ?? 0,
    running: c.State.Running === true,
    status: c.State.Status,
    exitCode: c.State.ExitCode,
    restartCount: c.RestartCount ?? 0,
    startedAt: c.State.StartedAt,
    memoryLimitBytes: c.HostConfig?.Memory ?? 0,
    cgroupPath: c.State.CgroupPath ?? '',
    healthcheck: c.Config?.Healthcheck?.Test,
    mounts: (c.Mounts ?? []).map((m: any) => ({
      name: m.Name ?? '',
      source: m.Source ?? '',
      destination: m.Destination ?? '',
      type: m.Type ?? '',
    })),
  };
}

export async function podExists(name: string): Promise<boolean> {
  return (await exec('podman', ['pod', 'exists', name], { timeoutMs: 30_000 })).code === 0;
}

export async function volumeExists(name: string): Promise<boolean> {
  return (await exec('podman', ['volume', 'exists', name], { timeoutMs: 30_000 })).code === 0;
}

/** podman 4.3 has no `podman secret exists`. */
export async function secretExists(name: string): Promise<boolean> {
  return (await exec('podman', ['secret', 'inspect', name], { timeoutMs: 30_000 })).code === 0;
}

/** Names of the containers whose name starts with `<pod>-`: what a pod can leave behind. */
export async function containersOfPod(pod: string): Promise<string[]> {
  const out = await execOk('podman', ['ps', '-a', '--format', '{{.Names}}'], { timeoutMs: 30_000 });
  return out.split('\n').filter(n => n.startsWith(`${pod}-`));
}

/** The pod's IP on podman's bridge, from its infra container. */
export async function podIp(pod: string): Promise<string> {
  const podInfo = JSON.parse(await execOk('podman', ['pod', 'inspect', pod], { timeoutMs: 30_000 }));
  const infraId: string = (Array.isArray(podInfo) ? podInfo[0] : podInfo).InfraContainerID;
  const infra = JSON.parse(await execOk('podman', ['container', 'inspect', infraId], { timeoutMs: 30_000 }))[0];
  const networks: Record<string, { IPAddress?: string }> = infra.NetworkSettings?.Networks ?? {};
  const ip = Object.values(networks).map(n => n.IPAddress).find(a => a) ?? infra.NetworkSettings?.IPAddress;
  if (!ip) throw new Error(`pod ${pod} has no IP address on any podman network`);
  return ip;
}

/** One line a container printed, with the time conmon read it. */
export interface LogLine {
  readonly timeMs: number;
  readonly text: string;
}

/**
 * Everything a container printed so far, stdout and stderr (like kubectl
 * logs, both count). The time is conmon's, taken when the line left the
 * container: the bench uses it as "when the shipper printed the line".
 *
 * The k8s-file log is read directly: conmon splits long writes into partial
 * records (`P`), which `podman logs` joins but `podman logs --timestamps`
 * (4.3) does not, and a split line would look lost.
 */
export async function containerLogs(name: string): Promise<LogLine[]> {
  const info = JSON.parse(await execOk('podman', ['container', 'inspect', name], { timeoutMs: 30_000 }))[0];
  const logConfig = info.HostConfig?.LogConfig ?? {};
  if (logConfig.Type === 'k8s-file' && logConfig.Path && fs.existsSync(logConfig.Path)) {
    return parseK8sFileLog(fs.readFileSync(logConfig.Path, 'utf8'));
  }
  const r = await exec('podman', ['logs', '--timestamps', name], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`podman logs ${name} exited ${r.code}: ${r.stderr.trim()}`);
  const lines: LogLine[] = [];
  for (const raw of `${r.stdout}\n${r.stderr}`.split('\n')) {
    const space = raw.indexOf(' ');
    const timeMs = parseTimestamp(raw.slice(0, space));
    if (!Number.isNaN(timeMs)) lines.push({ timeMs, text: raw.slice(space + 1) });
  }
  return lines.sort((a, b) => a.timeMs - b.timeMs);
}

/** `TIME STREAM P|F TEXT` records; partial records of one stream are joined until their `F`. */
export function parseK8sFileLog(content: string): LogLine[] {
  const lines: LogLine[] = [];
  const pending = new Map<string, string>();
  for (const record of content.split('\n')) {
    const m = /^(\S+) (stdout|stderr) ([PF]) (.*)$/.exec(record);
    if (!m) continue;
    const [, stamp, stream, tag, text] = m;
    const joined = (pending.get(stream) ?? '') + text;
    if (tag === 'P') {
      pending.set(stream, joined);
      continue;
    }
    pending.delete(stream);
    lines.push({ timeMs: parseTimestamp(stamp), text: joined });
  }
  return lines;
}

/** RFC 3339 with nanoseconds; Date.parse keeps milliseconds only, so the fraction is added back. */
function parseTimestamp(stamp: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(stamp);
  if (!m) return NaN;
  return Date.parse(`${m[1]}${m[3]}`) + (m[2] ? Number(m[2]) * 1000 : 0);
}

/**
 * A file's content as one container sees it; undefined when it cannot be read
 * there. Read from the host through the container's root (/proc/PID/root), so
 * that it needs nothing inside the image: the Fluent Bit image has no `cat`.
 */
export async function readFileIn(container: string, file: string): Promise<string | undefined> {
  const state = await inspectContainer(container);
  const hostPath = state?.running ? pathIn(state.pid, file) : undefined;
  if (!hostPath) return undefined;
  try {
    return fs.lstatSync(hostPath).isFile() ? fs.readFileSync(hostPath, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where `file`, as the process `pid` sees it, is on the host: under
 * /proc/PID/root, with every symbolic link resolved inside the container (an
 * absolute link target restarts at the container's root, never the host's:
 * a link to /dev/stdout must not become the e2e's own stdout). Undefined when
 * the path does not exist there.
 */
export function pathIn(pid: number, file: string): string | undefined {
  const root = `/proc/${pid}/root`;
  const parts = (p: string) => p.split('/').filter(x => x && x !== '.');
  let todo = parts(file);
  const done: string[] = [];
  for (let links = 0; todo.length;) {
    const part = todo.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const here = path.join(root, ...done, part);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(here);
    } catch {
      return undefined;
    }
    if (!st.isSymbolicLink()) {
      done.push(part);
      continue;
    }
    if (++links > 40) return undefined;
    const target = fs.readlinkSync(here);
    if (target.startsWith('/')) done.length = 0;
    todo = [...parts(target), ...todo];
  }
  return path.join(root, ...done);
}

/** Host ports podman publishes for a container, as `8080/tcp -> 0.0.0.0:8080` lines. */
export async function publishedPorts(container: string): Promise<string[]> {
  const r = await exec('podman', ['port', container], { timeoutMs: 30_000 });
  return r.code === 0 ? r.stdout.split('\n').filter(l => l.trim()) : [];
}

/** The options a podman volume was created with (size, tmpfs...); empty for a plain directory. */
export async function volumeOptions(name: string): Promise<Record<string, string>> {
  const r = await exec('podman', ['volume', 'inspect', name], { timeoutMs: 30_000 });
  if (r.code !== 0) return {};
  return JSON.parse(r.stdout)[0]?.Options ?? {};
}

/** The network kube play puts pods on; podman 4.3 makes it at its first play. */
export const KUBE_NETWORK = 'podman-default-kube-network';

/**
 * An IPv4 address of kube play's network that no container holds, for
 * `kube play --ip`, so that a pod's IP is known before it starts; taken from
 * the top of the subnet, away from the addresses podman hands out in order.
 * Undefined when the network does not exist yet.
 */
export async function freeKubeAddress(): Promise<string | undefined> {
  const r = await exec('podman', ['network', 'inspect', KUBE_NETWORK], { timeoutMs: 30_000 });
  if (r.code !== 0) return undefined;
  const subnet = (JSON.parse(r.stdout)[0]?.subnets ?? []).find((s: any) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s.subnet));
  if (!subnet) return undefined;
  const [base, bits] = subnet.subnet.split('/');
  const toInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const toIp = (n: number) => [24, 16, 8, 0].map(shift => Math.floor(n / 2 ** shift) % 256).join('.');
  const first = toInt(base);
  const last = first + 2 ** (32 - Number(bits)) - 1;
  const used = new Set<string>([subnet.gateway]);
  const ids = (await execOk('podman', ['ps', '-a', '--format', '{{.ID}}'], { timeoutMs: 30_000 })).split('\n').filter(id => id.trim());
  // A container removed meanwhile fails the inspection; the reservations below still hold what is in use.
  const inspected = ids.length ? await exec('podman', ['container', 'inspect', ...ids], { timeoutMs: 60_000 }) : undefined;
  for (const c of inspected?.code === 0 ? JSON.parse(inspected.stdout) : []) {
    for (const n of Object.values<any>(c.NetworkSettings?.Networks ?? {})) if (n?.IPAddress) used.add(n.IPAddress);
  }
  // The host-local IPAM's reservations, where CNI keeps them.
  const reserved = `/var/lib/cni/networks/${KUBE_NETWORK}`;
  if (fs.existsSync(reserved)) for (const entry of fs.readdirSync(reserved)) used.add(entry);
  for (let n = last - 1; n > first + 1; n--) if (!used.has(toIp(n))) return toIp(n);
  return undefined;
}
