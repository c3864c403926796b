// `npm run diagram`: draws each pod of the synthesized manifests in dist/ into
// docs/diagrams/ (names.ts says which file), and deletes the drawings of pods
// that are gone, so that CI can tell a stale drawing from a fresh one.
import * as fs from 'fs';
import * as path from 'path';
import { toDot } from './dot';
import { readManifest } from './manifest';
import { diagramFiles, MANIFEST_SUFFIX } from './names';
import { podGraphs } from './pod-graph';
import { toSvg } from './svg';

const ROOT = path.resolve(__dirname, '..', '..');
const INPUT = 'dist';
const OUTPUT = path.join('docs', 'diagrams');

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const manifests = findManifests(path.join(ROOT, INPUT)).map(file => path.relative(ROOT, file).split(path.sep).join('/'));
  if (manifests.length === 0) {
    throw new Error(`${INPUT}/ must hold synthesized manifests (*${MANIFEST_SUFFIX}), got none: run 'npm run synth' first`);
  }

  const drawings = diagramFiles(manifests.map(source => {
    const graphs = podGraphs(readManifest(fs.readFileSync(path.join(ROOT, source), 'utf8'), source), source);
    if (graphs.length === 0) {
      console.log(`${source}: no pod to draw`);
    }
    return { source, graphs };
  }));

  const outdir = path.join(ROOT, OUTPUT);
  fs.mkdirSync(outdir, { recursive: true });
  for (const [file, graph] of drawings) {
    const svg = await toSvg(toDot(graph));
    const target = path.join(outdir, file);
    const changed = !fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== svg;
    if (changed) {
      fs.writeFileSync(target, svg);
    }
    console.log(`${OUTPUT}/${file}: ${graph.kind} ${graph.name} of ${graph.source}${changed ? '' : ' (unchanged)'}`);
  }
  for (const stale of fs.readdirSync(outdir).filter(file => file.endsWith('.svg') && !drawings.has(file)).sort()) {
    fs.rmSync(path.join(outdir, stale));
    console.log(`${OUTPUT}/${stale}: removed, its pod is gone`);
  }
  console.log(`drew ${drawings.size} pods in ${Number((process.hrtime.bigint() - started) / 1_000_000n)} ms`);
}

/** The manifests under `directory`, depth first, sorted by name so that every machine reads them in the same order. */
function findManifests(directory: string): string[] {
  if (!fs.existsSync(directory)) return [];
  return fs.readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap(entry => entry.isDirectory() ? findManifests(path.join(directory, entry.name))
      : entry.isFile() && entry.name.endsWith(MANIFEST_SUFFIX) ? [path.join(directory, entry.name)] : []);
}

main().catch((error: Error) => {
  console.error(`diagram: ${error.message}`);
  process.exit(1);
});
