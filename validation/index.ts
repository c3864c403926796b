// Checks Kubernetes objects the way a cluster would before it accepts them.
// `validateManifests` is what the tests call and what the cdk8s plugin
// (manifest-validation.ts) runs on every synthesized manifest.

import { showBrief as show } from '../lib/checks/show';
import type { Report, Violation } from './rule';
import { RULES } from './rules';
import { formatPath, isPlainObject, objectIdOf } from './walk';

export type { PathSegment, Rule, Violation } from './rule';
export { KUBERNETES_VERSION } from './kubernetes-api';
export { RULES };
export { rereadManifestFile, rereadManifestText } from './rules/yaml';

/** Options of `validateManifests`. */
export interface ValidateOptions {
  /** The file the objects were read from, named in each violation. */
  readonly file?: string;
}

/** Runs every object rule on every object; an empty list means a cluster would accept them all. */
export function validateManifests(objects: readonly unknown[], options: ValidateOptions = {}): Violation[] {
  const violations: Violation[] = [];
  objects.forEach((object, index) => {
    if (object === null || object === undefined) {
      return; // an empty YAML document
    }
    const { id, name } = objectIdOf(object, index);
    const reporter = (rule: string): Report => (path, message) => {
      violations.push({ object: id, name, ...(options.file ? { file: options.file } : {}), path: formatPath(path), rule, message });
    };
    if (!isPlainObject(object)) {
      reporter('schema')([], `must be a Kubernetes object (a mapping with apiVersion, kind and metadata), got ${show(object)}`);
      return;
    }
    for (const rule of RULES) {
      if (rule.input === 'object') rule.check(object, reporter(rule.id));
    }
  });
  return violations;
}

/** Runs every text rule on a manifest file's content; `file` is named in each violation. */
export function validateManifestText(text: string, file?: string): Violation[] {
  return RULES.flatMap(rule => (rule.input === 'text' ? rule.check(text, file) : []));
}

/** One line per violation: `file: Kind/name: path: message`, the file only when known. */
export function formatViolation(violation: Violation): string {
  return [violation.file, violation.object, violation.path, violation.message].filter(Boolean).join(': ');
}
