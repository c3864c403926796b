// @ts-check
'use strict';

// Types, enums, required fields and quantity formats, from the Kubernetes
// OpenAPI schemas as kubernetes-models compiles them (Kubernetes 1.33). Each
// kind's model is required only when an object of that kind is checked, so a
// synth of Pods loads the Pod schema and nothing else.

const { formatPath, isPlainObject, show, valueAt } = require('./walk');

/** @typedef {import('./types').PathSegment} PathSegment */
/** @typedef {import('./walk').Report} Report */
/** @typedef {{ instancePath: string, keyword: string, params: Record<string, any>, message?: string }} SchemaError */

// Checked before they become part of a module path.
const API_VERSION = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/** @type {Map<string, ((this: unknown) => void) | undefined>} */
const validators = new Map();

/**
 * The kubernetes-models validate function of a kind, or undefined when there is no model for it.
 * @param {string} apiVersion
 * @param {string} kind
 */
function validatorFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (!validators.has(key)) {
    let validate;
    if (API_VERSION.test(apiVersion) && KIND.test(kind)) {
      try {
        const model = require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
        validate = model?.prototype?.validate;
      } catch (e) {
        const code = /** @type {{ code?: string }} */ (e).code;
        if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
      }
    }
    validators.set(key, validate);
  }
  return validators.get(key);
}

/**
 * @param {Record<string, any>} object
 * @param {Report} report
 */
function check(object, report) {
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
    const errors = /** @type {{ errors?: SchemaError[] }} */ (e).errors;
    if (!Array.isArray(errors)) throw e;
    for (const { path, message } of describe(object, errors)) {
      report(path, message);
    }
  }
}

/**
 * Turns ajv's errors into one message per field. A quantity or an int-or-string
 * fails as a `oneOf` plus one error per alternative; those become one message.
 * @param {Record<string, any>} object
 * @param {SchemaError[]} errors
 * @returns {Array<{ path: PathSegment[], message: string }>}
 */
function describe(object, errors) {
  /** @type {Map<string, SchemaError[]>} */
  const byField = new Map();
  for (const error of errors) {
    const group = byField.get(error.instancePath) ?? [];
    group.push(error);
    byField.set(error.instancePath, group);
  }
  /** @type {Array<{ path: PathSegment[], message: string }>} */
  const out = [];
  const seen = new Set();
  /**
   * @param {PathSegment[]} path
   * @param {string} message
   */
  const add = (path, message) => {
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

/**
 * @param {SchemaError} error
 * @param {unknown} value
 */
function single(error, value) {
  switch (error.keyword) {
    case 'type':
      return `must be ${article(error.params.type)}, got ${show(value)}`;
    case 'enum':
      return `must be one of ${error.params.allowedValues.map(show).join(', ')}, got ${show(value)}`;
    case 'format':
      return error.params.format === 'quantity'
        ? `must be a quantity such as "500m", "2" or "128Mi", got ${show(value)}`
        : `must be in ${error.params.format} format, got ${show(value)}`;
    default:
      return `${error.message ?? `fails the schema's ${error.keyword} rule`}, got ${show(value)}`;
  }
}

/**
 * @param {SchemaError[]} group
 * @param {unknown} value
 */
function alternatives(group, value) {
  if (group.some(e => e.keyword === 'format' && e.params.format === 'quantity')) {
    return single({ instancePath: '', keyword: 'format', params: { format: 'quantity' } }, value);
  }
  const types = [...new Set(group.filter(e => e.keyword === 'type').map(e => article(e.params.type)))];
  return types.length > 0
    ? `must be ${types.join(' or ')}, got ${show(value)}`
    : `matches none of the schema's alternatives, got ${show(value)}`;
}

/** @param {string} type */
function article(type) {
  const names = /** @type {Record<string, string>} */ ({
    integer: 'an integer',
    number: 'a number',
    string: 'a string',
    boolean: 'a boolean (true or false)',
    object: 'a mapping',
    array: 'a list',
  });
  return names[type] ?? `of type ${type}`;
}

/**
 * A JSON pointer as path segments, array indexes as numbers.
 * @param {unknown} root
 * @param {string} pointer
 * @returns {PathSegment[]}
 */
function pointerToPath(root, pointer) {
  /** @type {PathSegment[]} */
  const path = [];
  /** @type {any} */
  let value = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(value) && /^[0-9]+$/.test(key) ? Number(key) : key;
    path.push(segment);
    value = isPlainObject(value) || Array.isArray(value) ? /** @type {any} */ (value)[segment] : undefined;
  }
  return path;
}

module.exports = { check };
