import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import {
  BAD_MANIFESTS_DIR, badManifests, CHARTS, distFiles, loadManifest, plugin, SEED_FILE, validation, ValidationContext, violationsOf,
} from './validation-helpers';

/** Runs the plugin exactly as `cdk8s synth` does: a real cdk8s-cli ValidationContext over manifest files. */
async function runPlugin(files: string[]) {
  const context = new ValidationContext(files, 'validation/plugin.js', '0.1.0');
  await new plugin.ManifestValidation({}).validate(context);
  return context.report.toJson();
}

function writeManifest(dir: string, name: string, objects: unknown[]): string {
  const file = path.join(dir, name);
  Yaml.save(file, objects);
  return file;
}

describe('manifests that must pass', () => {
  test.each(CHARTS)('%s', (_, synth) => {
    const objects = synth();
    expect(objects.length).toBeGreaterThan(0);
    expect(violationsOf(objects)).toEqual([]);
  });

  test('the seed manifest (test/fixtures/seed-webserver.yaml)', () => {
    expect(violationsOf(loadManifest(SEED_FILE))).toEqual([]);
  });

  test('every committed manifest in dist/', async () => {
    const files = distFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(violationsOf(loadManifest(file))).toEqual([]);
    }
    const report = await runPlugin(files);
    expect(report.violations).toEqual([]);
    expect(report.summary.status).toBe('success');
  });
});

describe('the bad-manifest corpus (test/fixtures/bad-manifests/)', () => {
  const corpus = badManifests();

  test('covers typos, wrong types, bad enums, bad names and dangling mounts', () => {
    const cases = corpus.map(c => path.basename(c.file));
    for (const kind of ['typo-', 'wrong-type-', 'bad-enum-', 'bad-name-', 'dangling-mount']) {
      expect(cases.some(c => c.startsWith(kind))).toBe(true);
    }
  });

  test.each(corpus.map(c => [path.basename(c.file), c] as const))('%s is rejected at exactly the expected fields', (_, bad) => {
    const found = validation.validateManifests(bad.objects).map(v => `${v.object}: ${v.path}`);
    expect([...new Set(found)].sort()).toEqual(bad.expected);
  });

  test.each(corpus.map(c => [path.basename(c.file), c] as const))('%s fails the cdk8s plugin with the object and path', async (_, bad) => {
    const report = await runPlugin([bad.file]);
    expect(report.summary.status).toBe('failure');
    const locations = report.violations.flatMap(v => v.violatingConstructs.flatMap(c => c.locations));
    for (const expected of bad.expected) {
      expect(locations.some(l => l.startsWith(expected.endsWith(': ') ? expected : `${expected}: `))).toBe(true);
    }
    for (const construct of report.violations.flatMap(v => v.violatingConstructs)) {
      expect(construct.manifestPath).toBe(bad.file);
    }
  });
});

describe('violations', () => {
  const dangling = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'webserver', labels: { 'app.kubernetes.io/name': 'web server' } },
    spec: {
      containers: [
        { name: 'nginx-container', image: 'nginx:latest' },
        { name: 'sidecar-container', image: 'ubuntu:latest', volumeMounts: [{ name: 'shared-log', mountPath: '/var/log/nginx' }] },
      ],
      volumes: [{ name: 'shared-logs', emptyDir: {} }],
    },
  };

  test('name the object, the field path and what is expected, one line each', () => {
    expect(violationsOf([dangling])).toEqual([
      'Pod/webserver: metadata.labels["app.kubernetes.io/name"]: must be a label value (empty, or at most 63 letters, '
        + 'digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "web server"',
      'Pod/webserver: spec.containers[1].volumeMounts[0].name: no volume named "shared-log" in spec.volumes',
    ]);
  });

  test('carry the file when it is known, and the rule that found them', () => {
    const [violation] = validation.validateManifests([dangling], { file: 'dist/webserver.k8s.yaml' }).slice(-1);
    expect(violation).toEqual({
      object: 'Pod/webserver',
      name: 'webserver',
      file: 'dist/webserver.k8s.yaml',
      path: 'spec.containers[1].volumeMounts[0].name',
      rule: 'mount',
      message: 'no volume named "shared-log" in spec.volumes',
    });
    expect(validation.formatViolation(violation)).toBe(
      'dist/webserver.k8s.yaml: Pod/webserver: spec.containers[1].volumeMounts[0].name: no volume named "shared-log" in spec.volumes');
  });

  test('a typo suggests the field it most likely meant', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx', imagePullPolcy: 'Always' }] } };
    expect(violationsOf([pod])).toEqual([
      'Pod/web: spec.containers[0].imagePullPolcy: unknown field "imagePullPolcy": Container has no such field in '
        + `Kubernetes ${validation.KUBERNETES_VERSION} (did you mean "imagePullPolicy"?)`,
    ]);
  });

  test('maps with free keys and preserved-unknown fields are not mistaken for typos', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', labels: { anything: 'goes' } }, data: { 'fluent-bit.conf': '[INPUT]' } },
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          names: { kind: 'Widget', plural: 'widgets' },
          scope: 'Namespaced',
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
        },
      },
    ];
    expect(violationsOf(objects)).toEqual([]);
  });

  test('a kind with no schema is reported, not skipped', () => {
    expect(violationsOf([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])).toEqual([
      'Widget/w: no Kubernetes schema for apiVersion "example.com/v1" kind "Widget"',
      `Widget/w: apiVersion "example.com/v1" kind "Widget" is not in the Kubernetes ${validation.KUBERNETES_VERSION} API, so its fields cannot be checked`,
    ]);
  });

  test('empty YAML documents are skipped and a document that is not an object is reported', () => {
    expect(violationsOf([null, 'kind: Pod'])).toEqual([
      '(no kind)/(document 2): must be a Kubernetes object (a mapping with apiVersion, kind and metadata), got "kind: Pod"',
    ]);
  });
});

describe('the cdk8s plugin', () => {
  let workDir: string;
  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-plugin-'));
  });
  afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('is registered in cdk8s.yaml the way cdk8s-cli loads local plugins', () => {
    const config = loadManifest(path.join(__dirname, '..', 'cdk8s.yaml'))[0];
    expect(config.validations).toContainEqual({ package: './validation/plugin.js', version: '0.1.0', class: 'ManifestValidation' });
  });

  test('reports each rule once, grouped by object, with the construct-free location lines', async () => {
    const bad = loadManifest(path.join(BAD_MANIFESTS_DIR, 'dangling-mount.yaml'));
    const file = writeManifest(workDir, 'two.k8s.yaml', [bad[0], { ...bad[0], metadata: { name: 'other' } }]);
    const report = await runPlugin([file]);
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0].ruleName).toBe('mount');
    expect(report.violations[0].violatingConstructs.map(c => [c.resourceName, c.locations])).toEqual([
      ['webserver', ['Pod/webserver: spec.containers[1].volumeMounts[0].name: no volume named "shared-log" in spec.volumes']],
      ['other', ['Pod/other: spec.containers[1].volumeMounts[0].name: no volume named "shared-log" in spec.volumes']],
    ]);
    expect(report.summary.metadata).toEqual({ objects: '2', violations: '2' });
  });

  test('fails on properties, which it does not take', () => {
    expect(() => new plugin.ManifestValidation({ strict: false })).toThrow('ManifestValidation takes no properties, got "strict"');
  });
});
