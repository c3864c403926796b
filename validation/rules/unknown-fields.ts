// Unknown fields, as `kubeconform -strict` rejects them: every key of every
// object is looked up in the OpenAPI definitions of the Kubernetes version
// checked. A typo such as `imagePullPolcy` passes the API server's default
// (non-strict) decoding in silence and the field is dropped; here it fails.

import { closest } from '../../lib/checks/closest-name';
import { definitionNameOf, definitions, KUBERNETES_VERSION, type Schema } from '../kubernetes-api';
import type { KubernetesObject, ObjectRule, PathSegment, Report } from '../rule';
import { isPlainObject } from '../walk';

export const rule: ObjectRule = {
  id: 'unknown-field',
  description: `fields the Kubernetes ${KUBERNETES_VERSION} API does not have (strict, as kubeconform -strict)`,
  input: 'object',
  check,
};

function check(object: KubernetesObject, report: Report): void {
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
    return; // the schema rule reports it
  }
  const name = definitionNameOf(object.apiVersion, object.kind);
  if (!name) {
    report([], `apiVersion ${JSON.stringify(object.apiVersion)} kind ${JSON.stringify(object.kind)} `
      + `is not in the Kubernetes ${KUBERNETES_VERSION} API, so its fields cannot be checked`);
    return;
  }
  walk(object, { $ref: `#/definitions/${name}` }, [], definitions(), report);
}

function walk(value: unknown, schema: Schema, at: PathSegment[], all: Record<string, Schema>, report: Report): void {
  const { resolved, typeName } = resolve(schema, all);
  if (resolved['x-kubernetes-preserve-unknown-fields']) {
    return;
  }
  if (Array.isArray(value)) {
    const items = resolved.items;
    if (items) {
      value.forEach((item, i) => walk(item, items, [...at, i], all, report));
    }
    return;
  }
  if (!isPlainObject(value)) {
    return; // a scalar, or a type the schema rule reports
  }
  const properties = resolved.properties;
  const additional = typeof resolved.additionalProperties === 'object' ? resolved.additionalProperties : undefined;
  if (!properties) {
    // A map (labels, resources) or a free-form object (RawExtension).
    if (additional) {
      for (const key of Object.keys(value)) walk(value[key], additional, [...at, key], all, report);
    }
    return;
  }
  for (const key of Object.keys(value)) {
    const field = properties[key];
    if (field) {
      walk(value[key], field, [...at, key], all, report);
    } else if (additional) {
      walk(value[key], additional, [...at, key], all, report);
    } else {
      report([...at, key], unknownField(key, typeName, Object.keys(properties)));
    }
  }
}

/** Follows `$ref`s and merges `allOf`s; returns the schema and the name of the type it describes. */
function resolve(schema: Schema, all: Record<string, Schema>): { resolved: Schema; typeName: string } {
  let typeName = 'this object';
  let resolved = schema;
  for (let depth = 0; resolved.$ref && depth < 10; depth++) {
    const name = resolved.$ref.replace(/^#\/definitions\//, '');
    typeName = name.split('.').pop() ?? name;
    resolved = all[name] ?? {};
  }
  if (resolved.allOf) {
    const parts = resolved.allOf.map(part => resolve(part, all));
    const properties = Object.assign({}, resolved.properties, ...parts.map(p => p.resolved.properties ?? {}));
    typeName = parts.find(p => p.typeName !== 'this object')?.typeName ?? typeName;
    resolved = { ...resolved, properties };
  }
  return { resolved, typeName };
}

function unknownField(key: string, typeName: string, known: string[]): string {
  const suggestion = closest(key, known);
  return `unknown field ${JSON.stringify(key)}: ${typeName} has no such field in Kubernetes ${KUBERNETES_VERSION}`
    + (suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : '');
}
