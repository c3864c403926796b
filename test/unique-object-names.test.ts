import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LoggingSidecar, LoggingSidecarDeployment, LoggingSidecarPod } from '../lib';

// Two objects that are one object to the API server (same kind, namespace and
// name) fail synth, naming where each was created.

const TWICE = (kind: string, name: string, where: string, first: string, second: string) =>
  `${kind} "${name}" ${where} is defined twice, at ${first} and at ${second}: applied, the second would replace the first; give one of them another name`;
const NO_NAMESPACE = 'with no namespace (the namespace kubectl applies it to)';

test('two charts of one app, same name and namespace: app.synth() fails once, naming both', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'unique-names-'));
  try {
    const app = new App({ outdir });
    new LoggingSidecarPod(new Chart(app, 'frontend', { namespace: 'shop' }), 'web');
    new LoggingSidecarPod(new Chart(app, 'admin', { namespace: 'shop' }), 'web');
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(`Validation failed with the following errors:\n  [frontend] ${TWICE('Pod', 'webserver', 'in namespace "shop"', 'frontend/web', 'admin/web')}`);
    expect(fs.readdirSync(outdir)).toEqual([]);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

test('the same name in two namespaces, or on two kinds, is two objects', () => {
  const app = Testing.app();
  new LoggingSidecarPod(new Chart(app, 'a', { namespace: 'shop' }), 'web');
  new LoggingSidecarPod(new Chart(app, 'b', { namespace: 'admin' }), 'web');
  const c = new Chart(app, 'c');
  new LoggingSidecarPod(c, 'pod', { metadata: { namespace: 'shop' }, podName: 'web' });
  new LoggingSidecarDeployment(c, 'web').exposeViaService();
  expect(app.synthYaml()).toContain('kind: Service');
});

test('any object of the app is checked, not only this library\'s, and each extra copy is reported', () => {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'web');
  new kplus.ConfigMap(chart, 'one', { metadata: { name: 'settings' } });
  new kplus.ConfigMap(chart, 'two', { metadata: { name: 'settings' } });
  new kplus.ConfigMap(chart, 'three', { metadata: { name: 'settings' } });
  expect(() => Testing.synth(chart)).toThrow(`[test] ${TWICE('ConfigMap', 'settings', NO_NAMESPACE, 'test/one', 'test/two')}\n`
    + `  [test] ${TWICE('ConfigMap', 'settings', NO_NAMESPACE, 'test/one', 'test/three')}`);
});

test('a Deployment beside a user\'s Deployment of the same name fails', () => {
  const chart = Testing.chart();
  new LoggingSidecarDeployment(chart, 'web');
  new kplus.Deployment(chart, 'legacy', { metadata: { name: 'webserver' }, containers: [{ image: 'nginx' }] });
  expect(() => Testing.synth(chart)).toThrow(TWICE('Deployment', 'webserver', NO_NAMESPACE, 'test/web', 'test/legacy'));
});

test('the check is registered once per app, however many constructs ask', () => {
  const chart = Testing.chart();
  for (let i = 0; i < 5; i++) {
    new LoggingSidecarPod(chart, `web${i}`, { podName: `web${i}` });
  }
  new LoggingSidecarPod(chart, 'again', { podName: 'web0' });
  expect(() => Testing.synth(chart)).toThrow(/^Validation failed with the following errors:\n {2}\[test\] Pod "web0" [^\n]*$/);
});

test('names are read after JSON patches: a patched rename resolves a pair, a patched copy makes one', () => {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'a');
  const b = new LoggingSidecarPod(chart, 'b');
  ApiObject.of(b.pod).addJsonPatch(JsonPatch.replace('/metadata/name', 'webserver-b'));
  expect(Testing.synth(chart).map(o => o.metadata.name)).toEqual(['webserver', 'webserver-b']);

  const c = new LoggingSidecarPod(chart, 'c', { podName: 'other' });
  ApiObject.of(c.pod).addJsonPatch(JsonPatch.replace('/metadata/name', 'webserver'));
  expect(() => Testing.synth(chart)).toThrow(TWICE('Pod', 'webserver', NO_NAMESPACE, 'test/a', 'test/c'));
});

test('cluster-scoped objects of one name collide whatever namespace their charts have', () => {
  const app = Testing.app();
  new LoggingSidecarPod(new Chart(app, 'shop', { namespace: 'shop' }), 'web');
  new kplus.ClusterRole(new Chart(app, 'a', { namespace: 'shop' }), 'reader', { metadata: { name: 'reader' } });
  new kplus.ClusterRole(new Chart(app, 'b', { namespace: 'admin' }), 'reader', { metadata: { name: 'reader' } });
  expect(() => app.synthYaml()).toThrow(TWICE('ClusterRole', 'reader', '(cluster-scoped)', 'a/reader', 'b/reader'));
});

test('a LoggingSidecar alone registers the check too', () => {
  const chart = Testing.chart();
  for (const id of ['one', 'two']) {
    const deployment = new kplus.Deployment(chart, id, { metadata: { name: 'web' }, containers: [{ image: 'nginx', portNumber: 80 }] });
    new LoggingSidecar(chart, `${id}-logs`, { workload: deployment, logWriter: deployment.containers[0] });
  }
  expect(() => Testing.synth(chart)).toThrow(TWICE('Deployment', 'web', NO_NAMESPACE, 'test/one', 'test/two'));
});
