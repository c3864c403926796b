import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing, Yaml } from 'cdk8s';
import { WebserverChart } from './main';

const SEED = Yaml.load(path.join(__dirname, 'test', 'fixtures', 'seed-webserver.yaml'))[0];

function synthWebserver(): any[] {
  return Testing.synth(new WebserverChart(Testing.app(), 'webserver'));
}

describe('WebserverChart', () => {
  test('snapshot', () => {
    expect(synthWebserver()).toMatchSnapshot();
  });

  test('synthesizes exactly one Pod', () => {
    const manifests = synthWebserver();
    expect(manifests).toHaveLength(1);
    expect(manifests[0].apiVersion).toBe('v1');
    expect(manifests[0].kind).toBe('Pod');
  });

  test('dist/webserver.k8s.yaml is what the chart synthesizes now (run `npm run synth` after a change)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'webserver-synth-'));
    try {
      const app = new App({ outdir });
      new WebserverChart(app, 'webserver');
      app.synth();
      const fresh = fs.readFileSync(path.join(outdir, 'webserver.k8s.yaml'), 'utf8');
      const committed = fs.readFileSync(path.join(__dirname, 'dist', 'webserver.k8s.yaml'), 'utf8');
      expect(committed).toBe(fresh);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('contains every field of the seed manifest with the seed value', () => {
    expect(synthWebserver()[0]).toMatchObject(SEED);
  });
});

describe('seed fields, one by one', () => {
  const pod = synthWebserver()[0];
  const [nginx, sidecar] = pod.spec.containers;

  test('pod is named webserver', () => {
    expect(pod.metadata.name).toBe('webserver');
  });

  test('the only volume is the emptyDir shared-logs, with no medium or size limit', () => {
    expect(pod.spec.volumes).toEqual([{ name: 'shared-logs', emptyDir: {} }]);
  });

  test('nginx-container runs nginx:latest with its own entrypoint', () => {
    expect(nginx.name).toBe('nginx-container');
    expect(nginx.image).toBe('nginx:latest');
    expect(nginx.command).toBeUndefined();
    expect(nginx.args).toBeUndefined();
  });

  test('sidecar-container runs ubuntu:latest with the seed command', () => {
    expect(sidecar.name).toBe('sidecar-container');
    expect(sidecar.image).toBe('ubuntu:latest');
    expect(sidecar.command).toEqual([
      'sh',
      '-c',
      'while true; do cat /var/log/nginx/access.log /var/log/nginx/error.log; sleep 30; done',
    ]);
    expect(sidecar.args).toBeUndefined();
  });

  test.each([0, 1])('container %i mounts shared-logs at /var/log/nginx and nothing else', (i) => {
    expect(pod.spec.containers[i].volumeMounts).toEqual([{ name: 'shared-logs', mountPath: '/var/log/nginx' }]);
  });

  test('has exactly the two seed containers and no init containers', () => {
    expect(pod.spec.containers.map((c: any) => c.name)).toEqual(['nginx-container', 'sidecar-container']);
    expect(pod.spec.initContainers).toBeUndefined();
  });
});

describe('what the manifest adds to the seed so that it starts on a real kubelet', () => {
  const pod = synthWebserver()[0];

  test('root images are allowed to run as root', () => {
    expect(pod.spec.securityContext.runAsNonRoot).toBe(false);
    for (const container of pod.spec.containers) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: false,
        readOnlyRootFilesystem: false,
        allowPrivilegeEscalation: false,
        privileged: false,
      });
      expect(container.securityContext.runAsUser).toBeUndefined();
    }
  });

  test('resources fit a web server and a log reader, not a whole CPU each', () => {
    const [nginx, sidecar] = pod.spec.containers;
    expect(nginx.resources).toEqual({
      requests: { cpu: '250m', memory: '64Mi' },
      limits: { cpu: '500m', memory: '128Mi' },
    });
    expect(sidecar.resources).toEqual({
      requests: { cpu: '10m', memory: '16Mi' },
      limits: { cpu: '100m', memory: '64Mi' },
    });
  });

  test('nginx declares its port 80 as http, without a probe', () => {
    const [nginx] = pod.spec.containers;
    expect(nginx.ports).toEqual([{ containerPort: 80, name: 'http' }]);
    expect(nginx.startupProbe).toBeUndefined();
    expect(nginx.livenessProbe).toBeUndefined();
    expect(nginx.readinessProbe).toBeUndefined();
  });
});
