import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { FluentBitLokiChart } from '../examples';
import { LoggingSidecarPod } from '../lib';
import { FLUENT_BIT_CHARTS, fluentBitPodProps } from './fluent-bit-charts';
import { configOf, freePort, problems, remap, sleep, startFluentBit } from './fluent-bit-process';

// The real Fluent Bit 3.2.10 starts on every configuration the construct
// writes: each named chart of the tests, each example, and random option
// combinations. A dry run is not enough (it does not check plugin
// properties), so each one really starts, serves its health endpoint, runs
// for a moment, and its log must hold no error and no warning.

const RANDOM_CONFIGURATIONS = 16;

let workDir: string;
beforeAll(() => { workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-bit-accepts-')); });
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Starts Fluent Bit on the chart's configuration and returns its log, or throws with it. */
async function runConfiguration(manifests: any[]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(workDir, 'run-'));
  const config = configOf(manifests);
  const pod = manifests.find(m => ['Pod', 'Deployment'].includes(m.kind));
  const sidecar = [...(pod.spec.template?.spec ?? pod.spec).containers, ...((pod.spec.template?.spec ?? pod.spec).initContainers ?? [])]
    .find((c: any) => c.image.includes('fluent-bit'));
  // The sidecar's mounts, each to a directory of its own here.
  const paths: { [podPath: string]: string } = {};
  for (const mount of sidecar.volumeMounts) {
    paths[mount.mountPath] = fs.mkdtempSync(path.join(dir, 'mount-'));
  }
  // What the kubelet would take from Secrets.
  const env = Object.fromEntries((sidecar.env ?? []).map((v: any) => [v.name, `value-of-${v.valueFrom.secretKeyRef.name}-${v.valueFrom.secretKeyRef.key}`]));
  const fluentBit = await startFluentBit(remap(config, { paths, httpPort: await freePort() }), dir, 'fluent-bit', env);
  await sleep(1500); // inputs and outputs are initialized; give the first flush and watcher a chance to complain
  const log = fluentBit.output();
  const code = await fluentBit.stop('SIGTERM');
  expect({ problems: problems(log), exitCode: code }).toEqual({ problems: [], exitCode: 0 });
  return log;
}

describe('the real Fluent Bit accepts', () => {
  test.concurrent.each(Object.keys(FLUENT_BIT_CHARTS))('the configuration of %s', async (name) => {
    const log = await runConfiguration(Testing.synth(FLUENT_BIT_CHARTS[name]()));
    // It really read the configuration: the tail inputs and the outputs started.
    expect(log).toMatch(/\[input:tail:tail\.0\] initializing/);
    expect(log).toMatch(/\[output:\w+:\w+\.0\] worker #0 started|\[output:stdout:stdout\.0\]|\[ info\] \[output:/);
  }, 20000);

  test.concurrent('the configuration of the fluent-bit-loki example', async () => {
    const app = new App();
    const chart: Chart = new FluentBitLokiChart(app, 'fluent-bit-loki');
    await runConfiguration(Testing.synth(chart));
  }, 20000);

  test.concurrent(`${RANDOM_CONFIGURATIONS} configurations of random options`, async () => {
    const samples = fc.sample(fluentBitPodProps, { numRuns: RANDOM_CONFIGURATIONS, seed: 9 });
    for (let i = 0; i < samples.length; i += 4) {
      await Promise.all(samples.slice(i, i + 4).map(async props => {
        const chart = Testing.chart();
        new LoggingSidecarPod(chart, 'pod', props);
        await runConfiguration(Testing.synth(chart));
      }));
    }
  }, 60000);
});
