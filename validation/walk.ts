// What the rules share: where pod specs live in each workload kind, how a
// field's path is written, and how an object is named in a violation.

import type { KubernetesObject, PathSegment } from './rule';

/**
 * Where the pod spec sits in each built-in kind that has one, keyed by
 * `apiVersion/kind` so that a custom resource reusing a kind name is left alone.
 */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  'v1/Pod': ['spec'],
  'v1/PodTemplate': ['template', 'spec'],
  'v1/ReplicationController': ['spec', 'template', 'spec'],
  'apps/v1/Deployment': ['spec', 'template', 'spec'],
  'apps/v1/ReplicaSet': ['spec', 'template', 'spec'],
  'apps/v1/StatefulSet': ['spec', 'template', 'spec'],
  'apps/v1/DaemonSet': ['spec', 'template', 'spec'],
  'batch/v1/Job': ['spec', 'template', 'spec'],
  'batch/v1/CronJob': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];

export function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Kind/name` and the name of the `index`th object of a file, as violations name it. */
export function objectIdOf(object: unknown, index: number): { id: string; name: string } {
  const name = isPlainObject(object) && isPlainObject(object.metadata) && typeof object.metadata.name === 'string'
    ? object.metadata.name : '';
  const kind = isPlainObject(object) && typeof object.kind === 'string' ? object.kind : '(no kind)';
  return { id: `${kind}/${name || `(document ${index + 1})`}`, name };
}

/** The pod spec of a workload object and the path of its pod template's metadata, if it has one. */
export function podSpecOf(object: KubernetesObject):
{ spec: Record<string, any>; path: PathSegment[]; templateMetadataPath?: PathSegment[] } | undefined {
  const specPath = POD_SPEC_PATHS[`${object.apiVersion}/${object.kind}`];
  if (!specPath) {
    return undefined;
  }
  let value: unknown = object;
  for (const key of specPath) {
    value = isPlainObject(value) ? value[key] : undefined;
  }
  if (!isPlainObject(value)) {
    return undefined;
  }
  const path = [...specPath];
  return {
    spec: value,
    path,
    templateMetadataPath: path.length > 1 ? [...path.slice(0, -1), 'metadata'] : undefined,
  };
}

/** Every container of a pod spec, init and ephemeral ones included, with its path. */
export function containersOf(spec: Record<string, any>, specPath: readonly PathSegment[]):
Array<{ container: Record<string, any>; path: PathSegment[] }> {
  const found: Array<{ container: Record<string, any>; path: PathSegment[] }> = [];
  for (const list of CONTAINER_LISTS) {
    const containers: unknown = spec[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((container, i) => {
      if (isPlainObject(container)) {
        found.push({ container, path: [...specPath, list, i] });
      }
    });
  }
  return found;
}

/** Calls `visit` with each mapping of `list`, if it is a list. */
export function forEachEntry(list: unknown, visit: (entry: Record<string, any>, index: number) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((entry, i) => {
    if (isPlainObject(entry)) visit(entry, i);
  });
}

/** The value at `path` inside `root`, or undefined. */
export function valueAt(root: unknown, path: readonly PathSegment[]): any {
  let value: any = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = value[key];
  }
  return value;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Writes a path the way kubectl and kubeconform do: `spec.containers[1].name`,
 * with keys that are not plain words quoted: `metadata.labels["app.kubernetes.io/name"]`.
 */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else if (IDENTIFIER.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else {
      out += `[${JSON.stringify(segment)}]`;
    }
  }
  return out;
}
