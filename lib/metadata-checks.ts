import { ApiObjectMetadata, Chart, OwnerReference } from 'cdk8s';
import { IConstruct } from 'constructs';
import { LABEL_VALUE, QUALIFIED_NAME } from './checks/names';
import { arrayOf, BOOLEAN, FieldTypes, mapOf, required, RuntimeType, shape, STRING, STRINGS } from './runtime-types';
import { show, validateDnsLabel, validateReadBackAsWritten } from './validation';

// Checks of object metadata as the API server applies them: label keys and
// values, annotation keys, finalizer names and the namespace. A manifest that
// breaks one is refused by `kubectl apply` as a whole, so it is refused here,
// naming the prop; the name formats are the API server's (lib/checks/names.ts).

/** The fields of `metadata` these constructs take; a name is refused by `validateMetadata()`. */
const METADATA_FIELDS: FieldTypes<Pick<ApiObjectMetadata, 'labels' | 'annotations' | 'namespace' | 'finalizers' | 'name' | 'ownerReferences'>> = {
  name: STRING,
  namespace: STRING,
  labels: mapOf('be an object of label names to string values', STRING),
  annotations: mapOf('be an object of annotation names to string values', STRING),
  finalizers: STRINGS,
  ownerReferences: arrayOf('be an array of owner references', shape<OwnerReference>(
    'be an object such as { apiVersion: \'apps/v1\', kind: \'Deployment\', name: \'web\', uid: \'...\' }', {
      apiVersion: required(STRING),
      kind: required(STRING),
      name: required(STRING),
      uid: required(STRING),
      blockOwnerDeletion: BOOLEAN,
      controller: BOOLEAN,
    })),
};

/**
 * The runtime type of `metadata` props. A field other than these is refused
 * by name: `generateName` would be ignored beside the construct's name, and a
 * misspelt field would silently do nothing.
 */
export const METADATA: RuntimeType = {
  check(prop, value) {
    const fields = typeof value === 'object' && value !== null && !Array.isArray(value) ? value as { [key: string]: unknown } : {};
    const unknown = Object.keys(fields).find(key => !(key in METADATA_FIELDS) && fields[key] !== undefined);
    if (unknown !== undefined) {
      throw new Error(`${prop}.${unknown} is not a field these constructs take, only ${Object.keys(METADATA_FIELDS).filter(f => f !== 'name').join(', ')}, `
        + `got ${show(unknown)}`);
    }
    METADATA_SHAPE.check(prop, value);
  },
};
const METADATA_SHAPE = shape('be an object such as { labels: { team: \'web\' }, annotations: { ... }, namespace: \'shop\' }', METADATA_FIELDS);

/** The API server's limit on all of an object's annotations together, keys included, in bytes. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;
/** The finalizers that need no domain prefix. */
const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

/**
 * Labels, annotations, namespace and finalizers of `metadata`, named
 * `<prop>.labels["<key>"]` and so on. The name is the construct's own prop
 * (`nameProp`), so a name here is refused rather than silently preferred.
 */
export function validateMetadata(prop: string, metadata: ApiObjectMetadata, nameProp: string): void {
  if (metadata.name !== undefined) {
    throw new Error(`${prop}.name must not be set, the name is ${nameProp}, got ${show(metadata.name)}`);
  }
  if (metadata.namespace !== undefined) {
    validateDnsLabel(`${prop}.namespace`, metadata.namespace);
  }
  validateLabels(`${prop}.labels`, metadata.labels ?? {});
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(metadata.annotations ?? {})) {
    // The API server checks annotation keys in lower case, so `Example.com/owner` is a valid key.
    if (!QUALIFIED_NAME.matches(key.toLowerCase())) {
      throw new Error(`${prop}.annotations key must be ${QUALIFIED_NAME.description}, got ${show(key)}`);
    }
    validateReadBackAsWritten(`${prop}.annotations key`, key);
    validateReadBackAsWritten(`${prop}.annotations[${show(key)}]`, value);
    annotationBytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (annotationBytes > ANNOTATIONS_MAX_BYTES) {
    throw new Error(`${prop}.annotations must be at most ${ANNOTATIONS_MAX_BYTES} bytes in all, keys and values, got ${annotationBytes} bytes`);
  }
  (metadata.finalizers ?? []).forEach((finalizer, i) => {
    validateQualifiedName(`${prop}.finalizers[${i}]`, finalizer);
    if (!finalizer.includes('/') && !STANDARD_FINALIZERS.includes(finalizer)) {
      throw new Error(`${prop}.finalizers[${i}] must be one of ${STANDARD_FINALIZERS.join(', ')} or have a domain prefix `
        + `such as "example.com/cleanup", got ${show(finalizer)}`);
    }
  });
}

/**
 * The namespace and labels the chart gives every object in it, which cdk8s
 * writes unchecked: checked as the construct's own, so that a pod is not the
 * one object of the chart `kubectl apply` refuses.
 */
export function validateChartMetadata(scope: IConstruct): void {
  const chart = Chart.of(scope);
  if (chart.namespace !== undefined) {
    validateDnsLabel(`the namespace of chart ${show(chart.node.path)}`, chart.namespace);
  }
  validateLabels(`the labels of chart ${show(chart.node.path)}`, chart.labels);
}

/** A map of label keys to label values, as `metadata.labels` and `nodeSelector` take. */
export function validateLabels(prop: string, labels: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(labels)) {
    validateQualifiedName(`${prop} key`, key);
    if (!LABEL_VALUE.matches(value)) {
      throw new Error(`${prop}[${show(key)}] must be ${LABEL_VALUE.description}, got ${show(value)}`);
    }
    validateReadBackAsWritten(`${prop}[${show(key)}]`, value);
  }
}

/** A label or annotation key or a finalizer, such as `app.kubernetes.io/name`. */
export function validateQualifiedName(prop: string, value: string): void {
  if (!QUALIFIED_NAME.matches(value)) {
    throw new Error(`${prop} must be ${QUALIFIED_NAME.description}, got ${show(value)}`);
  }
  validateReadBackAsWritten(prop, value);
}
