// Names the API server checks with regular expressions that the OpenAPI
// schemas do not carry: object names, namespaces, label keys and values,
// annotation keys, container and volume names (and that a container names its
// image), environment variable names and ConfigMap keys. The name formats are
// the constructs' own (lib/checks/names.ts).

import {
  DNS_1035_LABEL, DNS_1123_LABEL, DNS_1123_SUBDOMAIN, LABEL_VALUE, NameFormat, QUALIFIED_NAME,
} from '../../lib/checks/names';
import { showBrief as show } from '../../lib/checks/show';
import type { KubernetesObject, ObjectRule, PathSegment, Report } from '../rule';
import { containersOf, formatPath, isPlainObject, podSpecOf } from '../walk';

export const rule: ObjectRule = {
  id: 'name',
  description: 'names, label keys and values, annotation keys (the API server\'s DNS-1123 and qualified-name rules)',
  input: 'object',
  check,
};

/** Whether a name passes each format, for the tests that compare the formats with the constructs' checks. */
export const isDnsLabel = (value: string): boolean => DNS_1123_LABEL.matches(value);
export const isDnsSubdomain = (value: string): boolean => DNS_1123_SUBDOMAIN.matches(value);
export const isLabelValue = (value: string): boolean => LABEL_VALUE.matches(value);
export const isQualifiedName = (value: string): boolean => QUALIFIED_NAME.matches(value);

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

const PATH_SEGMENT_NAME: NameFormat = {
  description: "a name that is not '.' or '..' and contains no '/' or '%'",
  matches: value => value !== '' && value !== '.' && value !== '..' && !/[/%]/.test(value),
};

/** How `metadata.name` is checked, by kind; everything else is a DNS-1123 subdomain. */
const OBJECT_NAME_FORMATS: Readonly<Record<string, NameFormat>> = {
  'v1/Namespace': DNS_1123_LABEL,
  'v1/Service': DNS_1035_LABEL,
  'rbac.authorization.k8s.io/v1/Role': PATH_SEGMENT_NAME,
  'rbac.authorization.k8s.io/v1/ClusterRole': PATH_SEGMENT_NAME,
  'rbac.authorization.k8s.io/v1/RoleBinding': PATH_SEGMENT_NAME,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': PATH_SEGMENT_NAME,
};

/** Reports `value` at `at` unless it is a name of `format`, as the constructs word it. */
function checkName(format: NameFormat, value: string, at: readonly PathSegment[], report: Report, what = ''): void {
  if (!format.matches(value)) report(at, `${what}must be ${format.description}, got ${show(value)}`);
}

function check(object: KubernetesObject, report: Report): void {
  const metadata = object.metadata;
  if (!isPlainObject(metadata)) {
    report(['metadata'], metadata === undefined ? 'is required' : `must be a mapping, got ${show(metadata)}`);
    return;
  }
  const name = metadata.name;
  if (name === undefined && metadata.generateName === undefined) {
    report(['metadata', 'name'], 'is required');
  } else if (typeof name === 'string') {
    checkName(OBJECT_NAME_FORMATS[`${object.apiVersion}/${object.kind}`] ?? DNS_1123_SUBDOMAIN, name, ['metadata', 'name'], report);
  }
  if (typeof metadata.namespace === 'string') {
    checkName(DNS_1123_LABEL, metadata.namespace, ['metadata', 'namespace'], report);
  }
  checkLabelsAndAnnotations(metadata, ['metadata'], report);
  checkSelectors(object, report);

  const pod = podSpecOf(object);
  if (pod) {
    if (pod.templateMetadataPath) {
      const templateMetadata = pod.templateMetadataPath.reduce(
        (value: any, key) => (isPlainObject(value) ? value[key] : undefined), object);
      if (isPlainObject(templateMetadata)) checkLabelsAndAnnotations(templateMetadata, pod.templateMetadataPath, report);
    }
    checkPodSpecNames(pod.spec, pod.path, report);
  }
  if ((object.kind === 'ConfigMap' || object.kind === 'Secret') && object.apiVersion === 'v1') {
    checkDataKeys(object, report);
  }
}

function checkLabelsAndAnnotations(metadata: Record<string, any>, at: PathSegment[], report: Report): void {
  checkLabelMap(metadata.labels, [...at, 'labels'], report);
  const annotations = metadata.annotations;
  if (isPlainObject(annotations)) {
    let bytes = 0;
    for (const [key, value] of Object.entries(annotations)) {
      checkName(QUALIFIED_NAME, key, [...at, 'annotations', key], report, 'key ');
      bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    }
    if (bytes > ANNOTATIONS_MAX_BYTES) {
      report([...at, 'annotations'], `must total at most ${ANNOTATIONS_MAX_BYTES} bytes, got ${bytes}`);
    }
  }
}

function checkLabelMap(labels: unknown, at: PathSegment[], report: Report): void {
  if (!isPlainObject(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    checkName(QUALIFIED_NAME, key, [...at, key], report, 'key ');
    if (typeof value === 'string') checkName(LABEL_VALUE, value, [...at, key], report);
  }
}

/** Label selectors of the built-in workloads and of Services select by label, so they follow the label rules. */
function checkSelectors(object: KubernetesObject, report: Report): void {
  const selector = isPlainObject(object.spec) ? object.spec.selector : undefined;
  if (!isPlainObject(selector)) return;
  if (object.kind === 'Service' || object.kind === 'ReplicationController') {
    checkLabelMap(selector, ['spec', 'selector'], report);
  } else if (podSpecOf(object)) {
    checkLabelMap(selector.matchLabels, ['spec', 'selector', 'matchLabels'], report);
  }
}

function checkPodSpecNames(spec: Record<string, any>, specPath: PathSegment[], report: Report): void {
  const containerNames = new Map<string, string>();
  for (const { container, path } of containersOf(spec, specPath)) {
    const name = container.name;
    if (typeof name === 'string') {
      checkName(DNS_1123_LABEL, name, [...path, 'name'], report);
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
      container.env.forEach((env: unknown, i: number) => {
        const envName = isPlainObject(env) ? env.name : undefined;
        if (typeof envName === 'string' && !ENV_VAR_NAME.test(envName)) {
          report([...path, 'env', i, 'name'], "must be an environment variable name (letters, digits, '_', '-' and '.', "
            + `not starting with a digit), got ${show(envName)}`);
        }
      });
    }
  }
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((volume: unknown, i: number) => {
      const name = isPlainObject(volume) ? volume.name : undefined;
      if (typeof name === 'string') {
        checkName(DNS_1123_LABEL, name, [...specPath, 'volumes', i, 'name'], report);
      }
    });
  }
}

function checkDataKeys(object: KubernetesObject, report: Report): void {
  const seen = new Set<string>();
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
