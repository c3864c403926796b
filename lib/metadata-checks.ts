import { ApiObjectMetadata } from 'cdk8s';
import { LABEL_VALUE, QUALIFIED_NAME } from './checks/names';
import { mapOf, RuntimeType, shape, STRING, STRINGS } from './runtime-types';
import { show, validateDnsLabel, validateReadBackAsWritten } from './validation';

// Checks of object metadata as the API server applies them: label keys and
// values, annotation keys, finalizer names and the namespace. A manifest that
// breaks one is refused by `kubectl apply` as a whole, so it is refused here,
// naming the prop; the name formats are the API server's (lib/checks/names.ts).

/** The runtime type of `metadata` props: the fields checked here, anything else as cdk8s takes it. */
export const METADATA: RuntimeType = shape<Pick<ApiObjectMetadata, 'labels' | 'annotations' | 'namespace' | 'finalizers' | 'name'>>(
  'be an object such as { labels: { team: \'web\' }, annotations: { ... }, namespace: \'shop\' }', {
    name: STRING,
    namespace: STRING,
    labels: mapOf('be an object of label names to string values', STRING),
    annotations: mapOf('be an object of annotation names to string values', STRING),
    finalizers: STRINGS,
  });

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
  for (const [key, value] of Object.entries(metadata.annotations ?? {})) {
    validateQualifiedName(`${prop}.annotations key`, key);
    validateReadBackAsWritten(`${prop}.annotations[${show(key)}]`, value);
  }
  (metadata.finalizers ?? []).forEach((finalizer, i) => validateQualifiedName(`${prop}.finalizers[${i}]`, finalizer));
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
