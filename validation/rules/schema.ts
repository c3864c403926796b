// Types, enums, required fields and quantity formats, from the Kubernetes
// OpenAPI schemas as kubernetes-models compiles them. Each kind's model is
// required only when an object of that kind is checked, so a synth of Pods
// loads the Pod schema and nothing else.

import { showBrief as show } from '../../lib/checks/show';
import { definitionNameOf, KUBERNETES_VERSION } from '../kubernetes-api';
import type { KubernetesObject, ObjectRule, PathSegment, Report } from '../rule';
import { formatPath, isPlainObject, valueAt } from '../walk';

/** One error of ajv, which kubernetes-models validates with. */
interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, any>;
  readonly message?: string;
}

type Validate = (this: unknown) => void;

export const rule: ObjectRule = {
  id: 'schema',
  description: `types, enums, required fields and quantities (kubernetes-models, Kubernetes ${KUBERNETES_VERSION} OpenAPI schemas)`,
  input: 'object',
  check,
};

// Checked before they become part of a module path.
const API_VERSION = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

const validators = new Map<string, Validate | undefined>();

/**
 * The kubernetes-models validate function of a kind, or undefined when there is
 * no model for it or the Kubernetes version checked has no such kind.
 */
function validatorFor(apiVersion: string, kind: string): Validate | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!validators.has(key)) {
    let validate: Validate | undefined;
    if (API_VERSION.test(apiVersion) && KIND.test(kind) && definitionNameOf(apiVersion, kind)) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const model = require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
        validate = model?.prototype?.validate;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
      }
    }
    validators.set(key, validate);
  }
  return validators.get(key);
}

function check(object: KubernetesObject, report: Report): void {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    report(['apiVersion'], `is required, got ${show(apiVersion)}`);
    return;
  }
  if (typeof kind !== 'string' || kind === '') {
    report(['kind'], `is required, got ${show(kind)}`);
    return;
  }
  const validate = validatorFor(apiVersion, kind);
  if (!validate) {
    report([], `no Kubernetes schema for apiVersion ${show(apiVersion)} kind ${show(kind)}`);
    return;
  }
  try {
    validate.call(object);
  } catch (e) {
    const errors = (e as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) throw e;
    for (const { path, message } of describe(object, errors)) {
      report(path, message);
    }
  }
}

/**
 * Turns ajv's errors into one message per field. A quantity or an int-or-string
 * fails as a `oneOf` plus one error per alternative; those become one message.
 */
function describe(object: KubernetesObject, errors: readonly SchemaError[]): Array<{ path: PathSegment[]; message: string }> {
  const byField = new Map<string, SchemaError[]>();
  for (const error of errors) {
    const group = byField.get(error.instancePath) ?? [];
    group.push(error);
    byField.set(error.instancePath, group);
  }
  const out: Array<{ path: PathSegment[]; message: string }> = [];
  const seen = new Set<string>();
  const add = (path: PathSegment[], message: string) => {
    const key = `${formatPath(path)}\0${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path, message });
    }
  };
  for (const [pointer, group] of byField) {
    const path = pointerToPath(object, pointer);
    const value = valueAt(object, path);
    for (const error of group.filter(e => e.keyword === 'required')) {
      add([...path, error.params.missingProperty], 'is required');
    }
    const rest = group.filter(e => e.keyword !== 'required');
    if (rest.some(e => e.keyword === 'oneOf' || e.keyword === 'anyOf')) {
      add(path, alternatives(rest, value));
    } else {
      rest.forEach(e => add(path, single(e, value)));
    }
  }
  return out;
}

function single(error: SchemaError, value: unknown): string {
  switch (error.keyword) {
    case 'type':
      return `must be ${article(error.params.type)}, got ${show(value)}`;
    case 'enum':
      return `must be one of ${error.params.allowedValues.map((allowed: unknown) => show(allowed)).join(', ')}, got ${show(value)}`;
    case 'format':
      return error.params.format === 'quantity'
        ? `must be a quantity such as "500m", "2" or "128Mi", got ${show(value)}`
        : `must be in ${error.params.format} format, got ${show(value)}`;
    default:
      return `${error.message ?? `fails the schema's ${error.keyword} rule`}, got ${show(value)}`;
  }
}

function alternatives(group: readonly SchemaError[], value: unknown): string {
  if (group.some(e => e.keyword === 'format' && e.params.format === 'quantity')) {
    return single({ instancePath: '', keyword: 'format', params: { format: 'quantity' } }, value);
  }
  const types = [...new Set(group.filter(e => e.keyword === 'type').map(e => article(e.params.type)))];
  return types.length > 0
    ? `must be ${types.join(' or ')}, got ${show(value)}`
    : `matches none of the schema's alternatives, got ${show(value)}`;
}

const ARTICLES: Readonly<Record<string, string>> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean (true or false)',
  object: 'a mapping',
  array: 'a list',
};

function article(type: string): string {
  return ARTICLES[type] ?? `of type ${type}`;
}

/** A JSON pointer as path segments, array indexes as numbers. */
function pointerToPath(root: unknown, pointer: string): PathSegment[] {
  const path: PathSegment[] = [];
  let value: any = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(value) && /^[0-9]+$/.test(key) ? Number(key) : key;
    path.push(segment);
    value = isPlainObject(value) || Array.isArray(value) ? (value as any)[segment] : undefined;
  }
  return path;
}
