import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { LoggingSidecarPod } from '../lib';
import { validProps } from './props-arbitraries';
import { badManifests, CHARTS, distFiles, loadManifest, SEED_FILE } from './validation-helpers';

// A second consumer, independent of the validator: kubectl decodes each
// manifest into the real Kubernetes Go types, as the API server's decoder
// would, with no cluster (`--local`). It rejects wrong types and bad
// quantities; it does not reject unknown fields, bad enums or names, or
// dangling mounts (the API server's validation does, after decoding).

/** What kubectl made of a file: the objects it decoded, and every error that is not about an object having no pod template. */
interface Decoded {
  readonly objects: string[];
  readonly errors: string[];
}

// `set env` needs a pod template, so on any other kind it fails after
// decoding: that object was decoded fine.
const NOT_A_POD = /^error: (\S+) the object is not a pod or does not have a pod template: .*$/;

// Made at load time: the concurrent tests below start before beforeAll hooks would run.
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-'));
afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

function kubectlDecode(file: string): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['set', 'env', '--local', '-f', file, 'KUBECTL_DECODE_CHECK=1', '--dry-run=client', '-o', 'name'], {
      // Hermetic: no kubeconfig, no cluster, nothing written outside workDir.
      env: { ...process.env, KUBECONFIG: path.join(workDir, 'no-kubeconfig'), HOME: workDir },
      encoding: 'utf8',
      timeout: 20_000,
    }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`kubectl could not be run (${error.message}); it is installed from the google-cloud-cli apt repository`));
        return;
      }
      const objects = stdout.split('\n').filter(Boolean);
      const errors: string[] = [];
      for (const line of stderr.split('\n').filter(Boolean)) {
        const notAPod = NOT_A_POD.exec(line);
        if (notAPod) objects.push(notAPod[1]);
        else errors.push(line);
      }
      if (error && errors.length === 0 && objects.length === 0) errors.push(`kubectl exited with ${error.code}`);
      resolve({ objects: objects.sort(), errors });
    });
  });
}

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
    expect(await kubectlDecode(save(`chart-${i}.k8s.yaml`, objects))).toEqual({ objects: namesOf(objects), errors: [] });
  });

  test.concurrent.each([SEED_FILE, ...distFiles()])('%s', async (file) => {
    const objects = loadManifest(file).filter(Boolean);
    expect(objects.length).toBeGreaterThan(0);
    expect(await kubectlDecode(file)).toEqual({ objects: namesOf(objects), errors: [] });
  });

  test.concurrent('charts built from generated props', async () => {
    // Fixed seed, so that a failure here is reproducible; props.property.test.ts explores further.
    const chart = new Chart(Testing.app(), 'generated');
    fc.sample(validProps, { numRuns: 30, seed: 5 }).forEach((props, i) => new LoggingSidecarPod(chart, `pod${i}`, props));
    const objects = Testing.synth(chart);
    const decoded = await kubectlDecode(save('generated.k8s.yaml', objects));
    expect(decoded).toEqual({ objects: namesOf(objects), errors: [] });
  });
});

describe('kubectl on the bad-manifest corpus', () => {
  const corpus = badManifests();

  test.concurrent.each(corpus.filter(c => c.kubectl === 'rejects').map(c => [path.basename(c.file), c.file]))(
    '%s is rejected by the decoder too', async (_, file) => {
      const decoded = await kubectlDecode(file);
      expect(decoded.errors).toEqual([expect.stringMatching(/^error: unable to decode ".*": /)]);
    });

  // What only the validator catches: kubectl's decoding is not strict and does not validate.
  test.concurrent.each(corpus.filter(c => c.kubectl === 'accepts').map(c => [path.basename(c.file), c.file, c.objects] as const))(
    '%s passes kubectl, so only the validator catches it', async (_, file, objects) => {
      const decoded = await kubectlDecode(file);
      expect(decoded.errors).toEqual([]);
      expect(decoded.objects).toHaveLength(objects.length);
    });
});
