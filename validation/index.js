// @ts-check
'use strict';

// Checks Kubernetes objects the way a cluster would before it accepts them.
// `validateManifests` is what the tests call and what the cdk8s plugin
// (plugin.js) runs on every synthesized manifest.

const { formatPath, isPlainObject, show } = require('./walk');

/** @typedef {import('./types').Violation} Violation */
/** @typedef {import('./types').ValidateOptions} ValidateOptions */
/** @typedef {import('./types').Rule} Rule */
/** @typedef {import('./walk').Report} Report */

/** @type {Readonly<Record<Rule, string>>} */
const RULES = {
  'schema': 'types, enums, required fields and quantities (kubernetes-models, Kubernetes 1.33 OpenAPI schemas)',
  'unknown-field': 'fields the Kubernetes 1.28 API does not have (strict, as kubeconform -strict)',
  'name': 'names, label keys and values, annotation keys (the API server\'s DNS-1123 and qualified-name rules)',
  'mount': 'volume mounts naming a volume of the pod, unique volume names and mount paths',
  'port': 'port numbers from 1 to 65535, port names, probes naming a declared port',
  'resources': 'no negative requests or limits, no request above its limit',
  'yaml': 'values kubectl would read back as another type or other text, or a file it cannot read (go-yaml v2, as kubectl reads YAML)',
};

/** @type {Array<[Rule, string]>} */
const CHECKS = [
  ['schema', './schema'],
  ['unknown-field', './strict'],
  ['name', './names'],
  ['mount', './mounts'],
  ['port', './ports'],
  ['resources', './resources'],
];

/**
 * Runs every check on every object; an empty list means a cluster would accept them all.
 * @param {readonly unknown[]} objects
 * @param {ValidateOptions} [options]
 * @returns {Violation[]}
 */
function validateManifests(objects, options = {}) {
  /** @type {Violation[]} */
  const violations = [];
  objects.forEach((object, index) => {
    if (object === null || object === undefined) {
      return; // an empty YAML document
    }
    const name = isPlainObject(object) && isPlainObject(object.metadata) && typeof object.metadata.name === 'string'
      ? object.metadata.name : '';
    const kind = isPlainObject(object) && typeof object.kind === 'string' ? object.kind : '(no kind)';
    const id = `${kind}/${name || `(document ${index + 1})`}`;
    /** @param {Rule} rule @returns {Report} */
    const reporter = rule => (path, message) => {
      violations.push({ object: id, name, ...(options.file ? { file: options.file } : {}), path: formatPath(path), rule, message });
    };
    if (!isPlainObject(object)) {
      reporter('schema')([], `must be a Kubernetes object (a mapping with apiVersion, kind and metadata), got ${show(object)}`);
      return;
    }
    for (const [rule, module] of CHECKS) {
      require(module).check(object, reporter(rule));
    }
  });
  return violations;
}

/**
 * One line per violation: `file: Kind/name: path: message`, the file only when known.
 * @param {Violation} violation
 * @returns {string}
 */
function formatViolation(violation) {
  return [violation.file, violation.object, violation.path, violation.message].filter(Boolean).join(': ');
}

/** @type {import('./types').ValidationApi} */
module.exports = { validateManifests, formatViolation, RULES };
