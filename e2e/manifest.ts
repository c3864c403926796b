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
  /** Whether the Pod is a Deployment's pod template: the file itself is never played, only a copy with the Pod. */
  readonly fromDeployment: boolean;
}

/** Kinds kube play accepts next to the Pod (a shipper may bring its config). */
const SIDE_KINDS = new Set(['ConfigMap', 'Secret', 'PersistentVolumeClaim']);

export function loadManifest(file: string): PlayableManifest {
  if (!fs.existsSync(file)) {
    throw new CheckFailure(`${file} does not exist: run 'npm run synth' first`);
  }
  const loaded = Yaml.load(file).filter(d => d);
  const template = podFromDeployment(loaded);
  const docs = template ? template.objects : loaded;
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
    notHonoured: [...(template ? [template.note] : []), ...notHonoured(pod)],
    fromDeployment: template !== undefined,
  };
}

/**
 * A file of one Deployment (and its Services): the pod each replica runs, as a
 * Pod named after the Deployment, with the file's ConfigMaps and Secrets. podman
 * 4.3 would start the replicas as unrelated pods, with no controller and no
 * Service, so nothing beyond the pod could be checked; the note says what is left out.
 */
function podFromDeployment(docs: any[]): { objects: any[]; note: string } | undefined {
  const deployments = docs.filter(d => d.kind === 'Deployment');
  if (deployments.length !== 1 || docs.some(d => d.kind === 'Pod')) return undefined;
  const [deployment] = deployments;
  const template = deployment.spec?.template ?? {};
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...template.metadata, name: deployment.metadata?.name, namespace: deployment.metadata?.namespace },
    spec: template.spec,
  };
  const services = docs.filter(d => d.kind === 'Service').map(d => d.metadata?.name);
  const objects = docs.filter(d => d.kind !== 'Deployment' && d.kind !== 'Service');
  return {
    objects: [...objects, pod],
    note: `Deployment ${deployment.metadata?.name}: the e2e plays a copy with its pod template as Pod ${pod.metadata.name}; `
      + `replicas (${deployment.spec?.replicas ?? 1}), the strategy and the selector are not exercised (podman 4.3 has no Deployment controller)`
      + (services.length ? `, nor Service ${services.join(', ')} (podman has no Services: the e2e sends its requests to the pod's IP)` : ''),
  };
}

/** podman 4.3's kube play hangs on an init container with `restartPolicy: Always`. */
function nativeSidecars(pod: any): string | undefined {
  const natives = (pod.spec?.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always').map((c: any) => c.name);
  if (natives.length === 0) return undefined;
  return `native sidecar init container(s) ${natives.join(', ')} (restartPolicy: Always): podman 4.3's kube play hangs on them, so this manifest is not played`;
}

/**
 * Downward API fields podman 4.3's kube play cannot fill: an env var from one
 * of them fails the whole play (exit 125). It fills `metadata.name`.
 */
export const UNFILLED_FIELD_PATHS: readonly string[] = ['metadata.namespace', 'spec.nodeName', 'status.podIP'];

/** An env var of a container from a downward API field. */
export interface FieldRefEnv {
  readonly container: string;
  readonly name: string;
  readonly fieldPath: string;
}

/** The env vars podman 4.3 cannot fill, which the e2e's played copy sets to literal values. */
export function unfilledFieldRefs(pod: any): FieldRefEnv[] {
  return allContainers(pod).flatMap(c => (c.env ?? [])
    .filter((e: any) => UNFILLED_FIELD_PATHS.includes(e.valueFrom?.fieldRef?.fieldPath))
    .map((e: any) => ({ container: String(c.name), name: String(e.name), fieldPath: String(e.valueFrom.fieldRef.fieldPath) })));
}

/** Fields podman 4.3 takes without error but does not act on, or cannot play at all (the e2e then plays a copy, and says so). */
function notHonoured(pod: any): string[] {
  const notes: string[] = [];
  for (const f of unfilledFieldRefs(pod)) {
    notes.push(`${f.container}: env ${f.name} from the downward API (fieldRef ${f.fieldPath}) is not filled by podman 4.3, whose kube play `
      + 'fails on it: the e2e plays a copy that sets it to a literal value (below)');
  }
  for (const v of pod.spec?.volumes ?? []) {
    if (!v.secret) continue;
    const renamed = (v.secret.items ?? []).filter((i: any) => i.path !== i.key);
    if (v.secret.items) {
      notes.push(`volume ${v.name}: the items of Secret ${v.secret.secretName} are ignored by podman 4.3 (it writes every key of the secret under `
        + `the key's name)${renamed.length ? `, so ${renamed.map((i: any) => i.path).join(', ')} will be missing` : '; the manifest keeps each key\'s name, so the files are where it reads them'}`);
    }
    if (v.secret.defaultMode !== undefined) notes.push(`volume ${v.name}: defaultMode is ignored by podman 4.3 (files are 0644; not checked here)`);
  }
  for (const c of allContainers(pod)) {
    for (const m of c.volumeMounts ?? []) {
      const secret = (pod.spec?.volumes ?? []).find((v: any) => v.name === m.name)?.secret;
      if (secret && m.subPath) notes.push(`${c.name}: subPath ${m.subPath} of Secret volume ${m.name} is ignored by podman 4.3 (not checked here)`);
    }
  }
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
