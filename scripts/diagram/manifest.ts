import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as a manifest holds it. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

/**
 * The objects of a multi-document YAML manifest, in order; empty documents are
 * skipped. `source` names the manifest in error messages.
 */
export function readManifest(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  parseAllDocuments(text).forEach((document, index) => {
    const where = `${source}: document ${index + 1}`;
    if (document.errors.length > 0) {
      throw new Error(`${where} must be valid YAML, the parser says: ${document.errors[0].message.split('\n')[0]}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) {
      return;
    }
    if (!isKubeObject(value)) {
      throw new Error(`${where} must be a Kubernetes object with apiVersion, kind and metadata, got ${brief(value)}`);
    }
    objects.push(value);
  });
  return objects;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (!isRecord(value)) return false;
  return typeof value.apiVersion === 'string' && typeof value.kind === 'string' && isRecord(value.metadata);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as an error message shows it: JSON, cut to a line. */
export function brief(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
