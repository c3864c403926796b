import * as kplus from 'cdk8s-plus-28';

/**
 * The pod's own metadata, from the downward API, as environment variables of
 * the Fluent Bit container: Loki labels may name them as `${POD_NAME}` and
 * the like, and a filter adds them to every record, so that the replicas of
 * a Deployment are told apart.
 */
export const POD_METADATA_VARIABLES: { readonly [variable: string]: kplus.EnvFieldPaths } = {
  POD_NAME: kplus.EnvFieldPaths.POD_NAME,
  POD_NAMESPACE: kplus.EnvFieldPaths.POD_NAMESPACE,
  NODE_NAME: kplus.EnvFieldPaths.NODE_NAME,
  POD_IP: kplus.EnvFieldPaths.POD_IP,
};

/** The record key each variable is added under. */
const RECORD_KEYS: { readonly [variable: string]: string } = {
  POD_NAME: 'pod_name',
  POD_NAMESPACE: 'pod_namespace',
  NODE_NAME: 'node_name',
  POD_IP: 'pod_ip',
};

/** `${POD_NAME}` and the others, as a configuration value names them. */
export const POD_METADATA_REFERENCES = Object.keys(POD_METADATA_VARIABLES).map(variable => `\${${variable}}`);

export function podMetadataEnvironment(): { [name: string]: kplus.EnvValue } {
  return Object.fromEntries(Object.entries(POD_METADATA_VARIABLES).map(([variable, field]) => [variable, kplus.EnvValue.fromFieldRef(field)]));
}

/**
 * A `record_modifier` filter adding `pod_name`, `pod_namespace`, `node_name`
 * and `pod_ip` to every record. Fluent Bit refuses to start if one of the
 * variables is empty, which the downward API never leaves them.
 */
export function podMetadataFilter(): Record<string, unknown> {
  return {
    name: 'record_modifier',
    match: '*',
    record: Object.entries(RECORD_KEYS).map(([variable, key]) => `${key} \${${variable}}`),
  };
}
