// @ts-check
'use strict';

// What every check shares: where pod specs live in each workload kind, how a
// field's path is written, and how a received value is shown.

/** @typedef {import('./types').PathSegment} PathSegment */
/** @typedef {(path: readonly PathSegment[], message: string) => void} Report */

/**
 * Where the pod spec sits in each built-in kind that has one, keyed by
 * `apiVersion/kind` so that a custom resource reusing a kind name is left alone.
 * @type {Record<string, readonly string[]>}
 */
const POD_SPEC_PATHS = {
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

/**
 * @param {unknown} value
 * @returns {value is Record<string, any>}
 */
function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The pod spec of a workload object and the metadata of its pod template, if it has one.
 * @param {Record<string, any>} object
 * @returns {{ spec: Record<string, any>, path: PathSegment[], templateMetadataPath?: PathSegment[] } | undefined}
 */
function podSpecOf(object) {
  const specPath = POD_SPEC_PATHS[`${object.apiVersion}/${object.kind}`];
  if (!specPath) {
    return undefined;
  }
  /** @type {any} */
  let value = object;
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

/**
 * Every container of a pod spec, init and ephemeral ones included, with its path.
 * @param {Record<string, any>} spec
 * @param {readonly PathSegment[]} specPath
 * @returns {Array<{ container: Record<string, any>, path: PathSegment[] }>}
 */
function containersOf(spec, specPath) {
  /** @type {Array<{ container: Record<string, any>, path: PathSegment[] }>} */
  const found = [];
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((container, i) => {
      if (isPlainObject(container)) {
        found.push({ container, path: [...specPath, list, i] });
      }
    });
  }
  return found;
}

/**
 * The value at `path` inside `root`, or undefined.
 * @param {unknown} root
 * @param {readonly PathSegment[]} path
 * @returns {any}
 */
function valueAt(root, path) {
  /** @type {any} */
  let value = root;
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
 * @param {readonly PathSegment[]} path
 * @returns {string}
 */
function formatPath(path) {
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

/**
 * Shows a received value unambiguously, as the construct's errors do.
 * @param {unknown} value
 * @returns {string}
 */
function show(value) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

module.exports = { containersOf, formatPath, isPlainObject, podSpecOf, show, valueAt };
