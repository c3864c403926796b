import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { REPO_ROOT } from './config';

/** A manifest file to play, and what to delete once the pod is gone. */
export interface ManifestFile {
  readonly path: string;
  /** How the file is named in output. */
  readonly shown: string;
  /** Removes a synthesized file; a no-op for a file of the repository. */
  readonly dispose: () => void;
}

/** Where a case's manifest comes from: a file of the repository, or synthesized from the constructs into a temporary directory. */
export function manifestFile(source: { readonly name: string; readonly manifest?: string; readonly synthesize?: (chart: Chart) => void }): ManifestFile {
  if (source.manifest !== undefined && source.synthesize === undefined) {
    return { path: path.join(REPO_ROOT, source.manifest), shown: source.manifest, dispose: () => undefined };
  }
  if (source.synthesize === undefined || source.manifest !== undefined) {
    throw new Error(`${source.name}: give exactly one of manifest and synthesize`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-e2e-${source.name}-`));
  try {
    const app = new App({ outdir: dir });
    source.synthesize(new Chart(app, source.name));
    app.synth();
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const file = path.join(dir, `${source.name}.k8s.yaml`);
  return { path: file, shown: `${file} (synthesized from the constructs)`, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
