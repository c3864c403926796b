import { ApiObjectMetadata } from 'cdk8s';
import { mapOf, RuntimeType, shape, STRING, STRINGS } from './runtime-types';
import { show, validateDnsLabel, validateReadBackAsWritten } from './validation';

// Checks of object metadata as the API server applies them: label keys and
// values, annotation keys, finalizer names and the namespace. A manifest that
// breaks one is refused by `kubectl apply` as a whole, so it is refused here,
// naming the prop.

// The name part of a qualified name: what labels, annotations and finalizers share.
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

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
    if (value !== '' && (value.length > 63 || !QUALIFIED_NAME.test(value))) {
      throw new Error(`${prop}[${show(key)}] must be a label value (empty, or at most 63 letters, digits, '-', '_' and '.', `
        + `starting and ending with a letter or digit), got ${show(value)}`);
    }
    validateReadBackAsWritten(`${prop}[${show(key)}]`, value);
  }
}

/**
 * A label or annotation key: a name of at most 63 characters, optionally
 * after a DNS-1123 subdomain prefix and `/`, such as `app.kubernetes.io/name`.
 */
export function validateQualifiedName(prop: string, value: string): void {
  const slash = value.lastIndexOf('/');
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = value.slice(slash + 1);
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) {
    throw new Error(`${prop} must be a qualified name (an optional DNS subdomain prefix and '/', then at most 63 letters, `
      + `digits, '-', '_' and '.', starting and ending with a letter or digit), got ${show(value)}`);
  }
  if (prefix !== undefined && (prefix.length > 253 || !DNS_1123_SUBDOMAIN.test(prefix))) {
    throw new Error(`${prop} must have a DNS-1123 subdomain before its '/' (at most 253 lowercase letters, digits, '-' and '.', `
      + `starting and ending with a letter or digit), got ${show(value)}`);
  }
  validateReadBackAsWritten(prop, value);
}
