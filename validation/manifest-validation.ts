// The cdk8s-cli validation plugin. cdk8s.yaml registers it under
// `validations:` by the path of plugin.js, which loads this file; `cdk8s
// synth` creates `ManifestValidation` with the entry's `properties` and calls
// `validate(context)` with every synthesized manifest. A failed report makes
// `cdk8s synth` exit with status 2.

import * as fs from 'fs';
import type { ValidationContext } from 'cdk8s-cli/lib/plugins';
import { formatViolation, RULES, validateManifests, validateManifestText } from './index';
import type { Violation } from './rule';

const FIX = 'Fix the field at each location; when it comes from a construct prop, API.md lists the constructs\' props.';

export class ManifestValidation {
  /** @param properties none are taken */
  constructor(properties: Record<string, unknown> = {}) {
    const unknown = Object.keys(properties);
    if (unknown.length > 0) {
      throw new Error(`ManifestValidation takes no properties, got ${unknown.map(p => JSON.stringify(p)).join(', ')}`);
    }
  }

  public async validate(context: ValidationContext): Promise<void> {
    const violations: Violation[] = [];
    let objects = 0;
    for (const file of context.manifests) {
      const documents: unknown[] = context.parseManifest(file);
      objects += documents.filter(d => d !== null && d !== undefined).length;
      violations.push(...validateManifests(documents, { file }), ...validateManifestText(fs.readFileSync(file, 'utf8'), file));
    }

    for (const rule of RULES) {
      const broken = violations.filter(v => v.rule === rule.id);
      if (broken.length === 0) continue;
      const byObject = new Map<string, { resourceName: string; manifestPath: string; locations: string[] }>();
      for (const violation of broken) {
        const key = `${violation.file}\0${violation.object}`;
        const entry = byObject.get(key)
          ?? { resourceName: violation.name || violation.object, manifestPath: violation.file ?? '', locations: [] };
        entry.locations.push(formatViolation({ ...violation, file: undefined }));
        byObject.set(key, entry);
      }
      context.report.addViolation({
        ruleName: rule.id,
        recommendation: `Checks ${rule.description}.`,
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
 * Loads what the first validation would load lazily (the rules, the models
 * of the kinds this project synthesizes, the Kubernetes definitions), so that
 * scripts/synth.js can do it while the app is still running.
 */
export function preload(): void {
  validateManifests([
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'preload' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'preload' } },
  ]);
}
