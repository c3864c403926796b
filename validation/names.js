// @ts-check
'use strict';

// Names the API server checks with regular expressions that the OpenAPI
// schemas do not carry: object names, namespaces, label keys and values,
// annotation keys, container and volume names (and that a container names its
// image), environment variable names and ConfigMap keys. Each rule is
// Kubernetes 1.28's (k8s.io/apimachinery/pkg/util/validation).

const { containersOf, formatPath, isPlainObject, podSpecOf, show } = require('./walk');

/** @typedef {import('./walk').Report} Report */
/** @typedef {import('./types').PathSegment} PathSegment */

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

const LABEL = "a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)";
const SUBDOMAIN = "a DNS-1123 subdomain (at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)";
const DNS_1035 = "a DNS-1035 label (at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit)";
const PATH_SEGMENT = "a name that is not '.' or '..' and contains no '/' or '%'";
const QUALIFIED = "a qualified name (an optional DNS-1123 subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)";
const LABEL_VALUE_TEXT = "a label value (empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)";

/** @param {string} value */
const isDnsLabel = value => value.length <= 63 && DNS_1123_LABEL.test(value);
/** @param {string} value */
const isDnsSubdomain = value => value.length <= 253 && DNS_1123_SUBDOMAIN.test(value);
/** @param {string} value */
const isDns1035Label = value => value.length <= 63 && DNS_1035_LABEL.test(value);
/** @param {string} value */
const isPathSegmentName = value => value !== '' && value !== '.' && value !== '..' && !/[/%]/.test(value);
/** @param {string} value */
const isLabelValue = value => value.length <= 63 && LABEL_VALUE.test(value);
/** @param {string} value */
function isQualifiedName(value) {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  return (prefix === undefined || isDnsSubdomain(prefix))
    && name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

/**
 * How `metadata.name` is checked, by kind; everything else is a DNS-1123 subdomain.
 * @type {Record<string, [(value: string) => boolean, string]>}
 */
const OBJECT_NAME_RULES = {
  'v1/Namespace': [isDnsLabel, LABEL],
  'v1/Service': [isDns1035Label, DNS_1035],
  'rbac.authorization.k8s.io/v1/Role': [isPathSegmentName, PATH_SEGMENT],
  'rbac.authorization.k8s.io/v1/ClusterRole': [isPathSegmentName, PATH_SEGMENT],
  'rbac.authorization.k8s.io/v1/RoleBinding': [isPathSegmentName, PATH_SEGMENT],
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': [isPathSegmentName, PATH_SEGMENT],
};

/**
 * @param {Record<string, any>} object
 * @param {Report} report
 */
function check(object, report) {
  const metadata = object.metadata;
  if (!isPlainObject(metadata)) {
    report(['metadata'], metadata === undefined ? 'is required' : `must be a mapping, got ${show(metadata)}`);
    return;
  }
  const name = metadata.name;
  if (name === undefined && metadata.generateName === undefined) {
    report(['metadata', 'name'], 'is required');
  } else if (typeof name === 'string') {
    const [valid, expected] = OBJECT_NAME_RULES[`${object.apiVersion}/${object.kind}`] ?? [isDnsSubdomain, SUBDOMAIN];
    if (!valid(name)) report(['metadata', 'name'], `must be ${expected}, got ${show(name)}`);
  }
  if (typeof metadata.namespace === 'string' && !isDnsLabel(metadata.namespace)) {
    report(['metadata', 'namespace'], `must be ${LABEL}, got ${show(metadata.namespace)}`);
  }
  checkLabelsAndAnnotations(metadata, ['metadata'], report);
  checkSelectors(object, report);

  const pod = podSpecOf(object);
  if (pod) {
    if (pod.templateMetadataPath) {
      const templateMetadata = pod.templateMetadataPath.reduce(
        (/** @type {any} */ value, key) => (isPlainObject(value) ? value[key] : undefined), object);
      if (isPlainObject(templateMetadata)) checkLabelsAndAnnotations(templateMetadata, pod.templateMetadataPath, report);
    }
    checkPodSpecNames(pod.spec, pod.path, report);
  }
  if ((object.kind === 'ConfigMap' || object.kind === 'Secret') && object.apiVersion === 'v1') {
    checkDataKeys(object, report);
  }
}

/**
 * @param {Record<string, any>} metadata
 * @param {PathSegment[]} at
 * @param {Report} report
 */
function checkLabelsAndAnnotations(metadata, at, report) {
  checkLabelMap(metadata.labels, [...at, 'labels'], report);
  const annotations = metadata.annotations;
  if (isPlainObject(annotations)) {
    let bytes = 0;
    for (const [key, value] of Object.entries(annotations)) {
      if (!isQualifiedName(key)) report([...at, 'annotations', key], `key must be ${QUALIFIED}, got ${show(key)}`);
      bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    }
    if (bytes > ANNOTATIONS_MAX_BYTES) {
      report([...at, 'annotations'], `must total at most ${ANNOTATIONS_MAX_BYTES} bytes, got ${bytes}`);
    }
  }
}

/**
 * @param {unknown} labels
 * @param {PathSegment[]} at
 * @param {Report} report
 */
function checkLabelMap(labels, at, report) {
  if (!isPlainObject(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    if (!isQualifiedName(key)) report([...at, key], `key must be ${QUALIFIED}, got ${show(key)}`);
    if (typeof value === 'string' && !isLabelValue(value)) report([...at, key], `must be ${LABEL_VALUE_TEXT}, got ${show(value)}`);
  }
}

/**
 * Label selectors of the built-in workloads and of Services select by label, so they follow the label rules.
 * @param {Record<string, any>} object
 * @param {Report} report
 */
function checkSelectors(object, report) {
  const selector = isPlainObject(object.spec) ? object.spec.selector : undefined;
  if (!isPlainObject(selector)) return;
  if (object.kind === 'Service' || object.kind === 'ReplicationController') {
    checkLabelMap(selector, ['spec', 'selector'], report);
  } else if (podSpecOf(object)) {
    checkLabelMap(selector.matchLabels, ['spec', 'selector', 'matchLabels'], report);
  }
}

/**
 * @param {Record<string, any>} spec
 * @param {PathSegment[]} specPath
 * @param {Report} report
 */
function checkPodSpecNames(spec, specPath, report) {
  /** @type {Map<string, string>} */
  const containerNames = new Map();
  for (const { container, path } of containersOf(spec, specPath)) {
    const name = container.name;
    if (typeof name === 'string') {
      if (!isDnsLabel(name)) {
        report([...path, 'name'], `must be ${LABEL}, got ${show(name)}`);
      }
      const first = containerNames.get(name);
      if (first !== undefined) {
        report([...path, 'name'], `duplicate container name ${show(name)}, already used by ${first}`);
      } else {
        containerNames.set(name, formatPath([...path, 'name']));
      }
    }
    if (container.image === undefined || container.image === '') {
      report([...path, 'image'], 'is required: the API server rejects a container without an image');
    }
    if (Array.isArray(container.env)) {
      container.env.forEach((/** @type {unknown} */ env, /** @type {number} */ i) => {
        const envName = isPlainObject(env) ? env.name : undefined;
        if (typeof envName === 'string' && !ENV_VAR_NAME.test(envName)) {
          report([...path, 'env', i, 'name'], "must be an environment variable name (letters, digits, '_', '-' and '.', "
            + `not starting with a digit), got ${show(envName)}`);
        }
      });
    }
  }
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((/** @type {unknown} */ volume, /** @type {number} */ i) => {
      const name = isPlainObject(volume) ? volume.name : undefined;
      if (typeof name === 'string' && !isDnsLabel(name)) {
        report([...specPath, 'volumes', i, 'name'], `must be ${LABEL}, got ${show(name)}`);
      }
    });
  }
}

/**
 * @param {Record<string, any>} object
 * @param {Report} report
 */
function checkDataKeys(object, report) {
  /** @type {Set<string>} */
  const seen = new Set();
  for (const field of ['data', 'binaryData', 'stringData']) {
    const data = object[field];
    if (!isPlainObject(data)) continue;
    for (const key of Object.keys(data)) {
      if (key.length > 253 || !CONFIG_MAP_KEY.test(key)) {
        report([field, key], `key must be at most 253 letters, digits, '-', '_' and '.', got ${show(key)}`);
      }
      if (field !== 'stringData' && seen.has(key)) {
        report([field, key], `key ${show(key)} is also in data; a key may appear in only one of data and binaryData`);
      }
      seen.add(key);
    }
  }
}

module.exports = { check, isDnsLabel, isDnsSubdomain, isLabelValue, isQualifiedName };
