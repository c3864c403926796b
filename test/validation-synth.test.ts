import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The real `cdk8s synth`, with this project's cdk8s.yaml (and so its
// `validations:` entry), on an app whose chart is broken on purpose.

const ROOT = path.resolve(__dirname, '..');
const CDK8S_CLI = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

let workDir: string;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-synth-'));
});
afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** Runs `cdk8s synth` from the project directory on an app of one file (--app goes through a shell; neither path has spaces). */
function synthApp(name: string, source: string) {
  const app = path.join(workDir, `${name}.js`);
  fs.writeFileSync(app, source);
  return spawnSync(process.execPath, [CDK8S_CLI, 'synth', '--app', `${process.execPath} ${app}`, '--output', path.join(workDir, `dist-${name}`)], {
    cwd: ROOT,
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('cdk8s synth fails on a broken chart, naming the object, the field path and the construct', () => {
  // GIVEN an app whose pod has a typo'd field and a mount of a volume it lacks
  // WHEN cdk8s synth runs it
  const result = synthApp('broken', `
    const { ApiObject, App, Chart } = require(${JSON.stringify(require.resolve('cdk8s'))});
    const app = new App();
    const chart = new Chart(app, 'broken');
    new ApiObject(chart, 'webserver', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'webserver' },
      spec: {
        containers: [{
          name: 'nginx-container',
          image: 'nginx:latest',
          imagePullPolcy: 'Always',
          volumeMounts: [{ name: 'shared-log', mountPath: '/var/log/nginx' }],
        }],
        volumes: [{ name: 'shared-logs', emptyDir: {} }],
      },
    });
    app.synth();
  `);

  // THEN it exits non-zero and prints each bad field with its object and path
  expect(result.stderr).toContain('Validation failed');
  expect(result.status).toBe(2);
  expect(result.stdout).toContain('> Pod/webserver: spec.containers[0].imagePullPolcy: unknown field "imagePullPolcy"');
  expect(result.stdout).toContain('> Pod/webserver: spec.containers[0].volumeMounts[0].name: no volume named "shared-log" in spec.volumes');
  expect(result.stdout).toContain('Construct Path: broken/webserver');
});

test('cdk8s synth fails on a string kubectl would read as a number, naming the object, the field and both values', () => {
  // GIVEN an app whose ConfigMap has an annotation cdk8s writes unquoted and kubectl reads as an octal number
  // WHEN cdk8s synth runs it
  const result = synthApp('misread', `
    const { ApiObject, App, Chart } = require(${JSON.stringify(require.resolve('cdk8s'))});
    const app = new App();
    const chart = new Chart(app, 'misread');
    new ApiObject(chart, 'settings', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', annotations: { mode: '0o17' } },
      data: { ok: 'yes' },
    });
    app.synth();
  `);

  // THEN it fails on the yaml rule, with what was meant and what kubectl would read
  expect(result.stderr).toContain('Validation failed');
  expect(result.status).toBe(2);
  expect(result.stdout).toContain('> ConfigMap/settings: metadata.annotations.mode: the value "0o17" is written unquoted as 0o17, which kubectl reads as the integer 15');
  expect(result.stdout).toContain('Construct Path: misread/settings');
  // "yes" is quoted by cdk8s and read back as written: only one violation
  expect(result.stdout).not.toContain('data.ok');
});
