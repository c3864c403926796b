// The one Kubernetes version manifests are checked against. The schema rule
// validates with kubernetes-models 4.5, which carries this version's OpenAPI
// schemas (enums and quantity formats included); the unknown-field rule walks
// this version's definitions in imports/schema/. Both know a kind only when
// these definitions have it.

import * as fs from 'fs';
import * as path from 'path';

/** The Kubernetes API version of both the schema and the unknown-field rule. */
export const KUBERNETES_VERSION = '1.33';

/** This version's OpenAPI definitions, as `cdk8s import` reads them. */
export const DEFINITIONS_FILE = path.join(__dirname, '..', 'imports', 'schema', `k8s-v${KUBERNETES_VERSION}.0.json`);

/** An OpenAPI definition, as far as the rules read it. */
export interface Schema {
  readonly $ref?: string;
  readonly properties?: Record<string, Schema>;
  readonly additionalProperties?: Schema | boolean;
  readonly items?: Schema;
  readonly allOf?: Schema[];
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-group-version-kind'?: ReadonlyArray<{ group: string; version: string; kind: string }>;
}

let loaded: { definitions: Record<string, Schema>; byKind: Map<string, string> } | undefined;

/** The definitions, by name, read on first use. */
export function definitions(): Record<string, Schema> {
  return load().definitions;
}

/** The name of the definition of `apiVersion`'s `kind`, or undefined when this version has no such kind. */
export function definitionNameOf(apiVersion: string, kind: string): string | undefined {
  return load().byKind.get(`${apiVersion}/${kind}`);
}

function load() {
  if (!loaded) {
    const all: Record<string, Schema> = JSON.parse(fs.readFileSync(DEFINITIONS_FILE, 'utf8')).definitions;
    const byKind = new Map<string, string>();
    for (const [name, definition] of Object.entries(all)) {
      for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
        byKind.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
      }
    }
    loaded = { definitions: all, byKind };
  }
  return loaded;
}
