// What the validation tests share: the validation library with its types,
// the manifests that must pass (seed, dist/, every chart and README example)
// and the bad-manifest corpus with what each case must be rejected for.
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, JsonPatch, Testing, Yaml } from 'cdk8s';
import type * as cdk8sCliPlugins from 'cdk8s-cli/lib/plugins';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as examples from '../examples';
import { LoggingSidecarPod } from '../lib';
import { WebserverChart } from '../main';
import * as validation from '../validation';
import * as names from '../validation/rules/names';
import * as reread from '../validation/rules/yaml';

export { names, reread, validation };

/* eslint-disable @typescript-eslint/no-require-imports */
// The plugin through the JavaScript file cdk8s.yaml names, as cdk8s-cli loads it.
export const plugin: typeof import('../validation/manifest-validation') = require('../validation/plugin');
// cdk8s-cli's plugin API, at the path its package.json "exports" allows; the
// project's module resolution (node10) finds its types only by file path.
export const { ValidationContext }: typeof cdk8sCliPlugins = require('cdk8s-cli/plugins');
/* eslint-enable @typescript-eslint/no-require-imports */

export const ROOT = path.resolve(__dirname, '..');
export const BAD_MANIFESTS_DIR = path.join(__dirname, 'fixtures', 'bad-manifests');
export const SEED_FILE = path.join(__dirname, 'fixtures', 'seed-webserver.yaml');

/**
 * The objects of a YAML file, read as the plugin reads them during `cdk8s synth`
 * (cdk8s's Yaml.load starts a process per file, too slow for a corpus).
 */
export function loadManifest(file: string): any[] {
  return new ValidationContext([], 'test', '0.0.0').parseManifest(file);
}

/**
 * Each violation as one line, for assertions whose failure message shows what
 * was found: the objects' checks, and the re-reading of the YAML cdk8s writes for them.
 */
export function violationsOf(objects: readonly unknown[]): string[] {
  return [...validation.validateManifests(objects), ...reread.rereadManifestText(Yaml.stringify(...objects))].map(validation.formatViolation);
}

/** The committed manifests: every YAML file in dist/, examples included. */
export function distFiles(dir = path.join(ROOT, 'dist')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? distFiles(file) : entry.name.endsWith('.yaml') ? [file] : [];
  }).sort();
}

type ChartClass = new (scope: Construct, id: string) => Chart;

/**
 * Every chart examples/ exports, found by its prototype chain (Chart's
 * `instanceof` only recognizes instances), so a new example is checked without a change here.
 */
const EXAMPLE_CHARTS: Array<[string, () => any[]]> = Object.entries(examples as Record<string, unknown>)
  .filter((entry): entry is [string, ChartClass] => typeof entry[1] === 'function' && Chart.prototype.isPrototypeOf(entry[1].prototype))
  .map(([name, ExampleChart]) => [`examples/${name}`, () => Testing.synth(new ExampleChart(Testing.app(), 'example'))]);

/**
 * Every chart of the project, every example of the README and every chart in
 * examples/, each as the objects it synthesizes. A new chart gets a row here
 * (examples/ ones are found by themselves), and with it the validator and kubectl tests.
 */
export const CHARTS: Array<[string, () => any[]]> = [
  ['main.ts WebserverChart', () => Testing.synth(new WebserverChart(Testing.app(), 'webserver'))],
  ['README: one LoggingSidecarPod with no props', () => {
    const chart = new Chart(Testing.app(), 'webserver');
    new LoggingSidecarPod(chart, 'webserver');
    return Testing.synth(chart);
  }],
  ['README: two pods in one chart', () => {
    const chart = new Chart(Testing.app(), 'shop');
    new LoggingSidecarPod(chart, 'Frontend', { podName: 'frontend' });
    new LoggingSidecarPod(chart, 'Admin', {
      podName: 'admin',
      logDirectory: '/var/log/admin',
      readInterval: Duration.seconds(5),
    });
    return Testing.synth(chart);
  }],
  ['README: escape hatches', () => {
    const chart = new Chart(Testing.app(), 'webserver');
    const web = new LoggingSidecarPod(chart, 'webserver');
    web.pod.metadata.addLabel('team', 'web');
    web.sidecarContainer.env.addVariable('TZ', kplus.EnvValue.fromValue('UTC'));
    ApiObject.of(web.pod).addJsonPatch(JsonPatch.add('/spec/priorityClassName', 'high'));
    return Testing.synth(chart);
  }],
  ['test/package-consumer/shop-chart.ts', () => {
    const chart = new Chart(new App(), 'shop');
    new LoggingSidecarPod(chart, 'Frontend', { podName: 'frontend' });
    new LoggingSidecarPod(chart, 'Admin', { podName: 'admin', readInterval: Duration.seconds(5) });
    return Testing.synth(chart);
  }],
  ...EXAMPLE_CHARTS,
];

/** One known-bad manifest and what it must be rejected for. */
export interface BadManifest {
  readonly file: string;
  readonly objects: any[];
  /** `Kind/name: path` of every field that must be reported, sorted. */
  readonly expected: string[];
  /** Whether kubectl's decoding into the Go types rejects it too. */
  readonly kubectl: 'rejects' | 'accepts';
}

/**
 * The corpus. Each file says in its header comments what it must be rejected
 * for: `# expect: Kind/name: path` (one line per field) and `# kubectl: rejects|accepts`.
 */
export function badManifests(): BadManifest[] {
  return fs.readdirSync(BAD_MANIFESTS_DIR).filter(f => f.endsWith('.yaml')).sort().map(name => {
    const file = path.join(BAD_MANIFESTS_DIR, name);
    const text = fs.readFileSync(file, 'utf8');
    const expected = [...text.matchAll(/^# expect: (.+?):(?: (.*))?$/gm)].map(m => `${m[1]}: ${m[2] ?? ''}`).sort();
    const kubectl = /^# kubectl: (rejects|accepts)$/m.exec(text)?.[1];
    if (expected.length === 0 || !kubectl) {
      throw new Error(`${name} must say what it is rejected for: "# expect: Kind/name: path" and "# kubectl: rejects|accepts"`);
    }
    return { file, objects: loadManifest(file), expected, kubectl: kubectl as BadManifest['kubectl'] };
  });
}
