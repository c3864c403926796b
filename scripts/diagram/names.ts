import * as path from 'path';
import { PodGraph } from './model';

/** The suffix of the manifests `cdk8s synth` writes. */
export const MANIFEST_SUFFIX = '.k8s.yaml';

/**
 * The file each pod is drawn in, keyed by name, in the order given: the
 * manifest's base name, `webserver.svg` for `dist/webserver.k8s.yaml`, with
 * `-<object name>` after it when the manifest holds more than one pod.
 */
export function diagramFiles(manifests: readonly { readonly source: string; readonly graphs: readonly PodGraph[] }[]): Map<string, PodGraph> {
  const files = new Map<string, PodGraph>();
  for (const { source, graphs } of manifests) {
    const base = path.posix.basename(source, MANIFEST_SUFFIX);
    for (const graph of graphs) {
      const file = graphs.length === 1 ? `${base}.svg` : `${base}-${graph.name}.svg`;
      const other = files.get(file);
      if (other) {
        throw new Error(`${source}: ${graph.kind} ${JSON.stringify(graph.name)} would be drawn as ${file}, which must be unique, `
          + `got ${other.kind} ${JSON.stringify(other.name)} of ${other.source} there too`);
      }
      files.set(file, graph);
    }
  }
  return files;
}
