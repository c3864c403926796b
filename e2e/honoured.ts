import * as fs from 'fs';
import { PlayableManifest } from './manifest';
import { ContainerState, publishedPorts, volumeOptions } from './podman';

/**
 * One field of the manifest and whether podman applied it, read from the
 * running processes (/proc on the host), never assumed from podman's version.
 * Applied fields are printed `ok`; others `NOTE`: the e2e then did not show
 * that the pod works under that field, and says so.
 */
export interface Honoured {
  readonly applied: boolean;
  readonly text: string;
  /** The pod field, where later checks depend on it. */
  readonly field?: 'shareProcessNamespace';
}

/** A played container: its spec in the manifest and its state in podman. */
export interface PlayedContainer {
  readonly spec: any;
  readonly state: ContainerState;
}

/** What podman 4.3 did with the security and isolation fields of the pod, probed. */
export async function probeHonoured(manifest: PlayableManifest, played: readonly PlayedContainer[]): Promise<Honoured[]> {
  const out: Honoured[] = [];
  const podSc = manifest.pod.spec?.securityContext ?? {};
  for (const { spec, state } of played) {
    const sc = spec.securityContext ?? {};
    const status = procStatus(state.pid);
    const name = spec.name;
    const user = sc.runAsUser ?? podSc.runAsUser;
    if (user !== undefined) {
      const uid = Number(status.Uid?.split(/\s+/)[0]);
      out.push(uid === user
        ? { applied: true, text: `${name} runs as uid ${uid} (runAsUser ${user})` }
        : { applied: false, text: `${name}: runAsUser ${user} is not applied by podman, the process runs as uid ${uid}` });
    }
    const group = sc.runAsGroup ?? podSc.runAsGroup;
    if (group !== undefined) {
      const gid = Number(status.Gid?.split(/\s+/)[0]);
      out.push(gid === group
        ? { applied: true, text: `${name} runs as gid ${gid} (runAsGroup ${group})` }
        : { applied: false, text: `${name}: runAsGroup ${group} is not applied by podman, the process runs as gid ${gid}` });
    }
    if (sc.readOnlyRootFilesystem === true) {
      const root = rootMountOptions(state.pid);
      out.push(root.split(',').includes('ro')
        ? { applied: true, text: `${name} has a read-only root filesystem (mount options ${root})` }
        : { applied: false, text: `${name}: readOnlyRootFilesystem is not applied by podman, its root is mounted ${root || '(unknown)'}` });
    }
    if ((sc.capabilities?.drop ?? []).includes('ALL')) {
      const none = /^0+$/.test(status.CapEff ?? '') && /^0+$/.test(status.CapBnd ?? '');
      out.push(none
        ? { applied: true, text: `${name} has no capabilities (CapEff and CapBnd 0, capabilities.drop [ALL])` }
        : { applied: false, text: `${name}: capabilities.drop [ALL] is not applied by podman (CapEff ${status.CapEff}, CapBnd ${status.CapBnd})` });
    }
    if (sc.allowPrivilegeEscalation === false) {
      out.push(status.NoNewPrivs === '1'
        ? { applied: true, text: `${name} runs with no_new_privs (allowPrivilegeEscalation false)` }
        : { applied: false, text: `${name}: allowPrivilegeEscalation: false is not applied by podman (NoNewPrivs ${status.NoNewPrivs})` });
    }
    if (sc.seccompProfile?.type === 'RuntimeDefault') {
      out.push(status.Seccomp === '2'
        ? { applied: true, text: `${name} runs under a seccomp filter (seccompProfile RuntimeDefault)` }
        : { applied: false, text: `${name}: seccompProfile RuntimeDefault is not applied by podman (Seccomp mode ${status.Seccomp})` });
    }
    if (spec.livenessProbe && state.healthcheck?.length && !fs.existsSync('/run/systemd/system')) {
      out.push({ applied: false, text: `${name}: livenessProbe is never run: podman 4.3 turns it into a healthcheck started by a systemd `
        + 'timer, and this machine has no systemd (kube play logs "unable to get systemd connection"); '
        + `${spec.livenessProbe.httpGet ? 'the e2e sends its HTTP request itself (below)' : 'not checked here'}` });
    }
  }
  // The ports belong to the pod's infra container: every container shows them, so they are asked of the first only.
  for (const port of played.length ? await publishedPorts(played[0].state.id) : []) {
    out.push({ applied: false, text: `podman 4.3 also publishes a containerPort on the host (${port.trim()}), which a kubelet `
      + 'does not do without hostPort; the e2e talks to the pod IP' });
  }

  const fsGroup = podSc.fsGroup;
  if (fsGroup !== undefined) {
    const groups = played.map(p => procStatus(p.state.pid));
    const primary = groups.every(g => Number(g.Gid?.split(/\s+/)[0]) === fsGroup);
    const supplementary = groups.every(g => (g.Groups ?? '').split(/\s+/).map(Number).includes(fsGroup));
    out.push(primary
      ? { applied: false, text: `pod securityContext.fsGroup ${fsGroup} equals every container's runAsGroup, so whether podman applies it `
        + 'cannot be told here (podman 4.3 kube play does not: it adds no supplementary group and chowns a new volume to the '
        + "container's user instead); the pod does not depend on it" }
      : supplementary
        ? { applied: true, text: `every container has supplementary group ${fsGroup} (fsGroup)` }
        : { applied: false, text: `pod securityContext.fsGroup ${fsGroup} is not applied by podman 4.3 (no container has that group); not checked here` });
  }

  if (manifest.pod.spec?.shareProcessNamespace === true && played.length > 1) {
    const namespaces = played.map(p => pidNamespace(p.state.pid));
    out.push(new Set(namespaces).size === 1 && namespaces[0]
      ? { applied: true, field: 'shareProcessNamespace', text: `the containers share one PID namespace (shareProcessNamespace, ${namespaces[0]})` }
      : { applied: false, field: 'shareProcessNamespace', text: `shareProcessNamespace: true is not applied by podman (PID namespaces `
        + `${namespaces.join(', ')}): the sidecar cannot see or signal nginx, so it cannot rotate` });
  }

  for (const volume of manifest.pod.spec?.volumes ?? []) {
    const limit = volume.emptyDir?.sizeLimit;
    if (limit === undefined) continue;
    const options = await volumeOptions(volume.name);
    const sized = Object.keys(options).some(k => /size/i.test(k)) || /size=/.test(options.o ?? '');
    out.push(sized
      ? { applied: true, text: `emptyDir ${volume.name} is created with a size (${JSON.stringify(options)})` }
      : { applied: false, text: `emptyDir ${volume.name}: sizeLimit ${limit} is not enforced by podman 4.3 (a plain directory on the host's `
        + 'disk, no size option, nothing evicts); the cases with rotation measure the log volume with du instead' });
  }
  return out;
}

/** /proc/PID/status as a map; empty when the process is gone. */
function procStatus(pid: number): Record<string, string> {
  try {
    const fields: Record<string, string> = {};
    for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    return fields;
  } catch {
    return {};
  }
}

/** The mount options of the process's root, from its mountinfo. */
function rootMountOptions(pid: number): string {
  try {
    const line = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').find(l => l.split(' ')[4] === '/');
    return line?.split(' ')[5] ?? '';
  } catch {
    return '';
  }
}

function pidNamespace(pid: number): string {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return '';
  }
}
