import { Testing } from 'cdk8s';
import { FluentBitLokiChart, HardenedStreamingChart } from '../examples';
import { configOf } from './fluent-bit-process';
import { restrictedViolations } from './pod-security-standards';

describe('examples/hardened-streaming', () => {
  const manifests = Testing.synth(new HardenedStreamingChart(Testing.app(), 'hardened-streaming'));
  const pod = manifests.find(m => m.kind === 'Pod');
  const sidecar = pod.spec.containers.find((c: any) => c.name === 'sidecar-container');

  test('snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('meets the restricted Pod Security Standard', () => {
    expect(restrictedViolations(pod.spec)).toEqual([]);
  });

  test('streams every line once, tagged with its file, and rotates under a 256Mi volume', () => {
    expect(sidecar.command.slice(0, 2)).toEqual(['perl', '-e']);
    expect(sidecar.command.slice(3)).toEqual([
      '--', '--tag', '--rotate-bytes', String(32 * 1024 * 1024), '--state', '/var/lib/logging-sidecar',
      '--', '/var/log/nginx/access.log', '/var/log/nginx/error.log',
    ]);
    expect(pod.spec.volumes).toContainEqual({ name: 'shared-logs', emptyDir: { sizeLimit: '256Mi' } });
    expect(pod.spec.shareProcessNamespace).toBe(true);
  });

  test('checks nginx health on 8080', () => {
    const nginx = pod.spec.containers.find((c: any) => c.name === 'nginx-container');
    expect(nginx.readinessProbe.httpGet).toEqual({ path: '/', port: 8080, scheme: 'HTTP' });
    expect(nginx.livenessProbe.httpGet).toEqual({ path: '/', port: 8080, scheme: 'HTTP' });
  });
});

describe('examples/fluent-bit-loki', () => {
  const manifests = Testing.synth(new FluentBitLokiChart(Testing.app(), 'fluent-bit-loki'));
  const pod = manifests.find(m => m.kind === 'Pod');
  const configMap = manifests.find(m => m.kind === 'ConfigMap');

  test('snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('is a hardened pod and the ConfigMap its sidecar mounts', () => {
    expect(manifests.map(m => m.kind).sort()).toEqual(['ConfigMap', 'Pod']);
    expect(restrictedViolations(pod.spec)).toEqual([]);
    expect(pod.spec.volumes).toContainEqual({ name: 'log-shipper-config', configMap: { name: configMap.metadata.name } });
  });

  test('sends to Loki with the job and app labels, and to stdout', () => {
    const outputs = configOf(manifests).pipeline.outputs;
    expect(outputs.map((o: any) => o.name)).toEqual(['loki', 'stdout']);
    expect(outputs[0]).toMatchObject({ host: 'loki-gateway.monitoring.svc.cluster.local', port: '80', labels: 'job=nginx, app=webserver' });
  });
});
