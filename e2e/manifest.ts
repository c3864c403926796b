import * as fs from 'fs';
import { Yaml } from 'cdk8s';
import { CheckFailure } from './errors';

/** The Pod a manifest defines, and what podman 4.3 would do with it. */
export interface PlayableManifest {
  readonly path: string;
  readonly podName: string;
  readonly pod: any;
  /** Every object of the file, the Pod and its ConfigMaps and Secrets. */
  readonly objects: readonly any[];
  /** Set when podman cannot play the manifest at all; the case is skipped with this reason. */
  readonly unplayable?: string;
  /** Fields podman accepts but does not honour: printed as NOTE lines, never silently passed. */
  readonly notHonoured: readonly string[];
}

/** Kinds kube play accepts next to the Pod (a shipper may bring its config). */
const SIDE_KINDS = new Set(['ConfigMap', 'Secret', 'PersistentVolumeClaim']);

export function loadManifest(file: string): PlayableManifest {
  if (!fs.existsSync(file)) {
    throw new CheckFailure(`${file} does not exist: run 'npm run synth' first`);
  }
  const docs = Yaml.load(file).filter(d => d);
  const pods = docs.filter(d => d.kind === 'Pod');
  const others = docs.filter(d => d.kind !== 'Pod' && !SIDE_KINDS.has(d.kind)).map(d => d.kind);
  if (pods.length !== 1 || others.length > 0) {
    throw new CheckFailure(`${file} must hold exactly one Pod (plus ConfigMaps/Secrets), `
      + `got ${pods.length} Pod(s)${others.length ? ` and ${others.join(', ')}` : ''}`);
  }
  const pod = pods[0];
  return {
    path: file,
    podName: pod.metadata?.name,
    pod,
    objects: docs,
    unplayable: nativeSidecars(pod),
    notHonoured: notHonoured(pod),
  };
}

/** podman 4.3's kube play hangs on an init container with `restartPolicy: Always`. */
function nativeSidecars(pod: any): string | undefined {
  const natives = (pod.spec?.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always').map((c: any) => c.name);
  if (natives.length === 0) return undefined;
  return `native sidecar init container(s) ${natives.join(', ')} (restartPolicy: Always): podman 4.3's kube play hangs on them, so this manifest is not played`;
}

/** Fields podman 4.3 takes without error but does not act on. */
function notHonoured(pod: any): string[] {
  const notes: string[] = [];
  if (pod.spec?.securityContext?.runAsNonRoot !== undefined) {
    notes.push(`pod securityContext.runAsNonRoot: ${pod.spec.securityContext.runAsNonRoot} is ignored by podman 4.3 (not checked here)`);
  }
  for (const c of allContainers(pod)) {
    if (c.securityContext?.runAsNonRoot !== undefined) {
      notes.push(`${c.name}: securityContext.runAsNonRoot: ${c.securityContext.runAsNonRoot} is ignored by podman 4.3 (not checked here)`);
    }
    if (c.readinessProbe) {
      notes.push(`${c.name}: readinessProbe is ignored by podman 4.3${c.readinessProbe.httpGet ? ' (the e2e sends its request itself, below)' : ' (not checked here)'}`);
    }
  }
  return notes;
}

/** The ConfigMap the file defines under that name. */
export function configMapNamed(manifest: PlayableManifest, name: string): any | undefined {
  return manifest.objects.find(o => o.kind === 'ConfigMap' && o.metadata?.name === name);
}

export function allContainers(pod: any): any[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

export function findContainer(manifest: PlayableManifest, name: string): any {
  const c = allContainers(manifest.pod).find(x => x.name === name);
  if (!c) {
    const names = allContainers(manifest.pod).map(x => x.name).join(', ');
    throw new CheckFailure(`${manifest.path} has no container "${name}" (it has ${names}): the e2e case and the manifest disagree`);
  }
  return c;
}

/** A Kubernetes memory quantity in bytes (the forms cdk8s writes: Ki/Mi/Gi, k/M/G, plain). */
export function memoryBytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(quantity));
  if (!m) throw new CheckFailure(`cannot read memory quantity "${quantity}"`);
  const unit: Record<string, number> = {
    '': 1, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12,
  };
  return Number(m[1]) * unit[m[2] ?? ''];
}
