import * as fs from 'fs';
import * as path from 'path';
import { ObjectKey } from './cases';
import { CheckFailure } from './errors';
import { exec, execOk } from './exec';
import { allContainers, PlayableManifest } from './manifest';

/**
 * The Secrets and ConfigMaps a manifest names but does not define (the
 * cluster's: credentials, CAs), and how podman 4.3 gets them. Measured:
 * - a `kind: Secret` in the played file is no use: kube play stores the whole
 *   YAML as one podman secret, which an env `secretKeyRef` rejects as "not
 *   valid JSON". So each Secret is created beforehand with `podman secret
 *   create`, in the format of its one use: for env `secretKeyRef`, a JSON
 *   object of base64 values; for a volume, `{"data": {...}}` with the plain
 *   values. One Secret cannot serve both (the formats conflict);
 * - a Secret volume needs `optional: false` (podman panics without it, and
 *   mounts nothing with `optional: true`), and leaves a podman volume named
 *   after the Secret behind after `kube down`;
 * - a ConfigMap is read from the played file, so the played copy adds one.
 */

/** What the e2e put into a Secret or ConfigMap key for the run. */
export type ObjectValues = Map<string, Map<string, string>>;

/** The label of every podman secret the e2e creates: a leftover of an interrupted run is told from someone else's secret by it. */
export const SECRET_LABEL = 'cdk8s-logging-sidecar-e2e';

/** A podman secret to create before the play. */
export interface PodmanSecret {
  readonly name: string;
  /** How the pod uses it, which decides the payload's format. */
  readonly use: 'env' | 'volume';
  readonly payload: string;
  /** The keys, for messages. */
  readonly keys: readonly string[];
}

/** What the played copy needs beside the manifest. */
export interface ProvidedObjects {
  readonly secrets: readonly PodmanSecret[];
  /** ConfigMap objects for the played file. */
  readonly configMaps: readonly any[];
}

export function objectId(ref: Pick<ObjectKey, 'kind' | 'name'>): string {
  return `${ref.kind}/${ref.name}`;
}

/** Keeps a value the e2e made under the key the case says the manifest reads it from. */
export function putValue(values: ObjectValues, ref: ObjectKey, value: string): void {
  const id = objectId(ref);
  if (!values.has(id)) values.set(id, new Map());
  values.get(id)!.set(ref.key, value);
}

/**
 * The podman secrets and ConfigMaps for everything the pod names and the
 * file does not define, filled with the values the e2e made. A name, a key,
 * or a use that podman cannot serve fails with what is missing.
 */
export function provideObjects(manifest: PlayableManifest, values: ObjectValues): ProvidedObjects {
  const named = new Set(undefinedIds(manifest));
  const refs = references(manifest.pod).filter(r => named.has(objectId(r)));
  const problems: string[] = [];
  const secrets: PodmanSecret[] = [];
  const configMaps: any[] = [];
  for (const id of [...new Set(refs.map(r => objectId(r)))]) {
    const uses = refs.filter(r => objectId(r) === id);
    const { kind, name } = uses[0];
    const made = values.get(id);
    const keys = [...new Set(uses.flatMap(u => u.keys ?? [...(made?.keys() ?? [])]))];
    const missing = keys.filter(k => !made?.has(k));
    if (!made || missing.length || keys.length === 0) {
      problems.push(`${kind} ${name}${missing.length ? ` (keys ${missing.join(', ')})` : ''}, which the pod uses for ${uses.map(u => u.what).join(', ')}`);
      continue;
    }
    const data = Object.fromEntries(keys.map(k => [k, made.get(k)!]));
    if (kind === 'ConfigMap') {
      configMaps.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
      continue;
    }
    const inEnv = uses.some(u => u.use === 'env');
    const inVolume = uses.some(u => u.use === 'volume');
    if (inEnv && inVolume) {
      throw new CheckFailure(`Secret ${name} is used both by env (${uses.filter(u => u.use === 'env').map(u => u.what).join(', ')}) and as a volume: `
        + 'podman 4.3 reads a secret for env as a JSON object of base64 values and for a volume as {"data": ...} with plain values, so no '
        + 'podman secret can serve both; this manifest cannot be played with podman');
    }
    secrets.push(inEnv
      ? { name, use: 'env', keys, payload: JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]))) }
      : { name, use: 'volume', keys, payload: JSON.stringify({ data }) });
  }
  if (problems.length) {
    throw new CheckFailure(`the manifest names ${problems.join('; ')}, but the case gives the e2e no value for it (a receiver's tlsCa, basicAuth or token in e2e/cases.ts)`);
  }
  return { secrets, configMaps };
}

/** The Secrets and ConfigMaps the pod names and the file does not define, as `Secret NAME`, for messages. */
export function undefinedReferences(manifest: PlayableManifest): string[] {
  return undefinedIds(manifest).map(id => id.replace('/', ' '));
}

function undefinedIds(manifest: PlayableManifest): string[] {
  const defined = new Set(manifest.objects.filter(o => o.kind !== 'Pod').map(o => objectId({ kind: o.kind, name: o.metadata?.name })));
  return [...new Set(references(manifest.pod).map(r => objectId(r)).filter(id => !defined.has(id)))];
}

/** One use of a Secret or ConfigMap by the pod; `keys` undefined for a whole-object use (envFrom, a volume without items). */
interface Reference {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly name: string;
  readonly use: 'env' | 'volume';
  readonly keys?: readonly string[];
  /** For messages. */
  readonly what: string;
}

function references(pod: any): Reference[] {
  const refs: Reference[] = [];
  for (const c of allContainers(pod)) {
    for (const e of c.env ?? []) {
      const s = e.valueFrom?.secretKeyRef;
      const m = e.valueFrom?.configMapKeyRef;
      if (s) refs.push({ kind: 'Secret', name: s.name, use: 'env', keys: [s.key], what: `${c.name}'s env ${e.name}` });
      if (m) refs.push({ kind: 'ConfigMap', name: m.name, use: 'env', keys: [m.key], what: `${c.name}'s env ${e.name}` });
    }
    for (const e of c.envFrom ?? []) {
      if (e.secretRef) refs.push({ kind: 'Secret', name: e.secretRef.name, use: 'env', what: `${c.name}'s envFrom` });
      if (e.configMapRef) refs.push({ kind: 'ConfigMap', name: e.configMapRef.name, use: 'env', what: `${c.name}'s envFrom` });
    }
  }
  for (const v of pod.spec?.volumes ?? []) {
    const source = v.secret ? { kind: 'Secret' as const, name: v.secret.secretName, items: v.secret.items } : v.configMap ? { kind: 'ConfigMap' as const, name: v.configMap.name, items: v.configMap.items } : undefined;
    if (!source) continue;
    refs.push({ kind: source.kind, name: source.name, use: 'volume', keys: source.items?.map((i: any) => String(i.key)), what: `volume ${v.name}` });
  }
  return refs;
}

/** Who made the podman secret of that name: the e2e (its label), someone else, or nobody. */
export async function secretOwner(name: string): Promise<'e2e' | 'other' | 'none'> {
  const r = await exec('podman', ['secret', 'inspect', name], { timeoutMs: 30_000 });
  if (r.code !== 0) return 'none';
  return JSON.parse(r.stdout)[0]?.Spec?.Labels?.[SECRET_LABEL] !== undefined ? 'e2e' : 'other';
}

/**
 * Creates the podman secret from a file in `dir` (the case's scratch
 * directory, removed after it): podman 4.3 takes `-` only from a pipe, and
 * node gives a child a socket.
 */
export async function createSecret(secret: PodmanSecret, runId: string, dir: string): Promise<void> {
  const file = path.join(dir, `secret-${secret.name}.json`);
  fs.writeFileSync(file, secret.payload, { mode: 0o600 });
  try {
    await execOk('podman', ['secret', 'create', '--label', `${SECRET_LABEL}=${runId}`, secret.name, file], { timeoutMs: 30_000 });
  } finally {
    fs.rmSync(file, { force: true });
  }
}
