// @ts-check
'use strict';

// Unknown fields, as `kubeconform -strict` rejects them: every key of every
// object is looked up in the Kubernetes 1.28 OpenAPI definitions the project
// vendors for `cdk8s import` (imports/schema/), the API version cdk8s-plus-28
// targets. A typo such as `imagePullPolcy` passes the API server's default
// (non-strict) decoding in silence and the field is dropped; here it fails.

const fs = require('fs');
const path = require('path');
const { isPlainObject } = require('./walk');

/** @typedef {import('./walk').Report} Report */
/** @typedef {import('./types').PathSegment} PathSegment */
/**
 * @typedef {{
 *   $ref?: string, properties?: Record<string, Schema>, additionalProperties?: Schema | boolean,
 *   items?: Schema, allOf?: Schema[], 'x-kubernetes-preserve-unknown-fields'?: boolean,
 *   'x-kubernetes-group-version-kind'?: Array<{ group: string, version: string, kind: string }>
 * }} Schema
 */

const KUBERNETES_VERSION = '1.28';
const DEFINITIONS_FILE = path.join(__dirname, '..', 'imports', 'schema', 'k8s-v1.28.0.json');

/** @type {{ definitions: Record<string, Schema>, byKind: Map<string, string> } | undefined} */
let loaded;

function load() {
  if (!loaded) {
    /** @type {Record<string, Schema>} */
    const definitions = JSON.parse(fs.readFileSync(DEFINITIONS_FILE, 'utf8')).definitions;
    const byKind = new Map();
    for (const [name, definition] of Object.entries(definitions)) {
      for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
        byKind.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
      }
    }
    loaded = { definitions, byKind };
  }
  return loaded;
}

/**
 * @param {Record<string, any>} object
 * @param {Report} report
 */
function check(object, report) {
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
    return; // the schema check reports it
  }
  const { definitions, byKind } = load();
  const name = byKind.get(`${object.apiVersion}/${object.kind}`);
  if (!name) {
    report([], `apiVersion ${JSON.stringify(object.apiVersion)} kind ${JSON.stringify(object.kind)} `
      + `is not in the Kubernetes ${KUBERNETES_VERSION} API, so its fields cannot be checked`);
    return;
  }
  walk(object, { $ref: `#/definitions/${name}` }, [], definitions, report);
}

/**
 * @param {unknown} value
 * @param {Schema} schema
 * @param {PathSegment[]} at
 * @param {Record<string, Schema>} definitions
 * @param {Report} report
 */
function walk(value, schema, at, definitions, report) {
  const { resolved, typeName } = resolve(schema, definitions);
  if (resolved['x-kubernetes-preserve-unknown-fields']) {
    return;
  }
  if (Array.isArray(value)) {
    if (resolved.items) {
      value.forEach((item, i) => walk(item, /** @type {Schema} */ (resolved.items), [...at, i], definitions, report));
    }
    return;
  }
  if (!isPlainObject(value)) {
    return; // a scalar, or a type the schema check reports
  }
  const properties = resolved.properties;
  const additional = typeof resolved.additionalProperties === 'object' ? resolved.additionalProperties : undefined;
  if (!properties) {
    // A map (labels, resources) or a free-form object (RawExtension).
    if (additional) {
      for (const key of Object.keys(value)) walk(value[key], additional, [...at, key], definitions, report);
    }
    return;
  }
  for (const key of Object.keys(value)) {
    const field = properties[key];
    if (field) {
      walk(value[key], field, [...at, key], definitions, report);
    } else if (additional) {
      walk(value[key], additional, [...at, key], definitions, report);
    } else {
      report([...at, key], unknownField(key, typeName, Object.keys(properties)));
    }
  }
}

/**
 * Follows `$ref`s and merges `allOf`s; returns the schema and the name of the type it describes.
 * @param {Schema} schema
 * @param {Record<string, Schema>} definitions
 * @returns {{ resolved: Schema, typeName: string }}
 */
function resolve(schema, definitions) {
  let typeName = 'this object';
  let resolved = schema;
  for (let depth = 0; resolved.$ref && depth < 10; depth++) {
    const name = resolved.$ref.replace(/^#\/definitions\//, '');
    typeName = name.split('.').pop() ?? name;
    resolved = definitions[name] ?? {};
  }
  if (resolved.allOf) {
    const parts = resolved.allOf.map(part => resolve(part, definitions));
    const properties = Object.assign({}, resolved.properties, ...parts.map(p => p.resolved.properties ?? {}));
    typeName = parts.find(p => p.typeName !== 'this object')?.typeName ?? typeName;
    resolved = { ...resolved, properties };
  }
  return { resolved, typeName };
}

/**
 * @param {string} key
 * @param {string} typeName
 * @param {string[]} known
 */
function unknownField(key, typeName, known) {
  const suggestion = closest(key, known);
  return `unknown field ${JSON.stringify(key)}: ${typeName} has no such field in Kubernetes ${KUBERNETES_VERSION}`
    + (suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : '');
}

/**
 * The known field a typo most likely meant: same letters in another case, or at most two edits away.
 * @param {string} key
 * @param {string[]} known
 */
function closest(key, known) {
  const sameCase = known.find(k => k.toLowerCase() === key.toLowerCase());
  if (sameCase) return sameCase;
  let best;
  let bestDistance = Math.min(2, Math.floor(key.length / 3));
  for (const candidate of known) {
    const distance = editDistance(key, candidate, bestDistance);
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Levenshtein distance with adjacent swaps, giving up beyond `limit`.
 * @param {string} a
 * @param {string} b
 * @param {number} limit
 */
function editDistance(a, b, limit) {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  /** @type {number[][]} */
  const d = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([i]);
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = i === 0 ? j : Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? d[i - 2][j - 2] + 1 : Infinity,
      );
    }
  }
  return d[a.length][b.length];
}

module.exports = { check, KUBERNETES_VERSION };
