// @ts-check
'use strict';

// The cdk8s-cli validation plugin. cdk8s.yaml registers it under
// `validations:`; `cdk8s synth` requires this file (a local path, so plain
// JavaScript with no compile step), creates `ManifestValidation` with the
// entry's `properties`, and calls `validate(context)` with every synthesized
// manifest. A failed report makes `cdk8s synth` exit with status 2.

const { validateManifests, formatViolation, RULES } = require('./index');
const { rereadManifestFile } = require('./reread');

/** @typedef {import('cdk8s-cli/lib/plugins').ValidationContext} ValidationContext */
/** @typedef {import('./types').Violation} Violation */
/** @typedef {import('./types').Rule} Rule */
/** @typedef {import('./types').ValidationPlugin} ValidationPlugin */

const FIX = 'Fix the field at each location; when it comes from a construct prop, the construct\'s README lists the props.';

/** @implements {ValidationPlugin} */
class ManifestValidation {
  /** @param {Record<string, unknown>} [properties] none are taken */
  constructor(properties = {}) {
    const unknown = Object.keys(properties);
    if (unknown.length > 0) {
      throw new Error(`ManifestValidation takes no properties, got ${unknown.map(p => JSON.stringify(p)).join(', ')}`);
    }
  }

  /**
   * @param {ValidationContext} context
   * @returns {Promise<void>}
   */
  async validate(context) {
    /** @type {Violation[]} */
    const violations = [];
    let objects = 0;
    for (const file of context.manifests) {
      const documents = context.parseManifest(file);
      objects += documents.filter(d => d !== null && d !== undefined).length;
      violations.push(...validateManifests(documents, { file }), ...rereadManifestFile(file));
    }

    for (const rule of /** @type {Rule[]} */ (Object.keys(RULES))) {
      const broken = violations.filter(v => v.rule === rule);
      if (broken.length === 0) continue;
      /** @type {Map<string, { resourceName: string, manifestPath: string, locations: string[] }>} */
      const byObject = new Map();
      for (const violation of broken) {
        const key = `${violation.file}\0${violation.object}`;
        const entry = byObject.get(key)
          ?? { resourceName: violation.name || violation.object, manifestPath: violation.file ?? '', locations: [] };
        entry.locations.push(formatViolation({ ...violation, file: undefined }));
        byObject.set(key, entry);
      }
      context.report.addViolation({
        ruleName: rule,
        recommendation: `Checks ${RULES[rule]}.`,
        fix: FIX,
        violatingResources: [...byObject.values()],
      });
    }
    context.report.submit(violations.length === 0 ? 'success' : 'failure', {
      objects: String(objects),
      violations: String(violations.length),
    });
  }
}

/**
 * Loads what the first validation would load lazily (the checks, the models
 * of the kinds this project synthesizes, the 1.28 definitions), so that
 * scripts/synth.js can do it while the app is still running.
 * @returns {void}
 */
function preload() {
  validateManifests([
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'preload' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'preload' } },
  ]);
}

module.exports = { ManifestValidation, preload };
