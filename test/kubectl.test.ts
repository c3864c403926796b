import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { LoggingSidecarPod } from '../lib';
import { kubectlDecode } from './kubectl-decode';
import { validProps } from './props-arbitraries';
import { badManifests, CHARTS, distFiles, loadManifest, SEED_FILE } from './validation-helpers';

// A second consumer, independent of the validator: kubectl decodes each
// manifest into the real Kubernetes Go types, as the API server's decoder
// would, with no cluster (`--local`). It rejects wrong types and bad
// quantities; it does not reject unknown fields, bad enums or names, or
// dangling mounts (the API server's validation does, after decoding).

// Made at load time: the concurrent tests below start before beforeAll hooks would run.
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-'));
afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** `kind.group/name`, as `kubectl -o name` prints the objects it decoded. */
function namesOf(objects: any[]): string[] {
  return objects.map(o => {
    const group = String(o.apiVersion).includes('/') ? `.${String(o.apiVersion).split('/')[0]}` : '';
    return `${String(o.kind).toLowerCase()}${group}/${o.metadata?.name}`;
  }).sort();
}

function save(name: string, objects: any[]): string {
  const file = path.join(workDir, name);
  Yaml.save(file, objects);
  return file;
}

describe('kubectl decodes every manifest that must pass', () => {
  test.concurrent.each(CHARTS.map(([name, synth], i) => [name, synth, i] as const))('%s', async (_, synth, i) => {
    const objects = synth();
    expect(await kubectlDecode(save(`chart-${i}.k8s.yaml`, objects), workDir)).toEqual({ objects: namesOf(objects), errors: [] });
  });

  test.concurrent.each([SEED_FILE, ...distFiles()])('%s', async (file) => {
    const objects = loadManifest(file).filter(Boolean);
    expect(objects.length).toBeGreaterThan(0);
    expect(await kubectlDecode(file, workDir)).toEqual({ objects: namesOf(objects), errors: [] });
  });

  test.concurrent('charts built from generated props', async () => {
    // Fixed seed, so that a failure here is reproducible; props.property.test.ts explores further.
    // One app each: generated pods may share a name, which one app refuses (test/unique-object-names.test.ts).
    const objects = fc.sample(validProps, { numRuns: 30, seed: 5 }).flatMap((props, i) => {
      const chart = new Chart(Testing.app(), `generated${i}`);
      new LoggingSidecarPod(chart, 'pod', props);
      return Testing.synth(chart);
    });
    const decoded = await kubectlDecode(save('generated.k8s.yaml', objects), workDir);
    expect(decoded).toEqual({ objects: namesOf(objects), errors: [] });
  });
});

describe('kubectl on the bad-manifest corpus', () => {
  const corpus = badManifests();

  test.concurrent.each(corpus.filter(c => c.kubectl === 'rejects').map(c => [path.basename(c.file), c.file]))(
    '%s is rejected by the decoder too', async (_, file) => {
      const decoded = await kubectlDecode(file, workDir);
      expect(decoded.errors).toEqual([expect.stringMatching(/^error: unable to decode ".*": /)]);
    });

  // What only the validator catches: kubectl's decoding is not strict and does not validate.
  test.concurrent.each(corpus.filter(c => c.kubectl === 'accepts').map(c => [path.basename(c.file), c.file, c.objects] as const))(
    '%s passes kubectl, so only the validator catches it', async (_, file, objects) => {
      const decoded = await kubectlDecode(file, workDir);
      expect(decoded.errors).toEqual([]);
      expect(decoded.objects).toHaveLength(objects.length);
    });
});
