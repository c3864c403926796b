import { Testing } from 'cdk8s';
import { ElasticsearchChart, FluentBitLokiChart, HardenedStreamingChart, LokiTlsChart, ReplicatedChart, SplunkChart } from '../examples';
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

describe('examples/replicated', () => {
  const manifests = Testing.synth(new ReplicatedChart(Testing.app(), 'replicated'));
  const deployment = manifests.find(m => m.kind === 'Deployment');
  const service = manifests.find(m => m.kind === 'Service');

  test('snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('three restricted pods on Linux nodes, each streaming its logs', () => {
    expect(manifests.map(m => m.kind)).toEqual(['Deployment', 'Service']);
    expect(deployment.spec.replicas).toBe(3);
    const spec = deployment.spec.template.spec;
    expect(restrictedViolations(spec)).toEqual([]);
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(spec.containers.map((c: any) => c.name)).toEqual(['nginx-container', 'sidecar-container']);
    expect(spec.containers[1].command.slice(0, 2)).toEqual(['perl', '-e']);
  });

  test('the Service sends port 80 to nginx\'s 8080 on these pods only', () => {
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080 }]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toEqual(expect.objectContaining(service.spec.selector));
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

describe.each([
  ['loki-tls', (app: any) => new LokiTlsChart(app, 'loki-tls'), {
    output: { 'name': 'loki', 'host': 'loki-gateway.monitoring.svc.cluster.local', 'port': '443', 'tenant_id': 'team-web', 'http_user': 'team-web',
      'http_passwd': '${FLUENT_BIT_OUTPUT_0_HTTP_PASSWD}', 'tls.ca_file': '/fluent-bit/etc/logging-sidecar-files/secrets/loki-ca/ca.crt',
      'labels': 'job=nginx, app=webserver, pod=${POD_NAME}, namespace=${POD_NAMESPACE}' },
    secrets: [['FLUENT_BIT_OUTPUT_0_HTTP_PASSWD', 'loki-credentials', 'password']],
    volume: { name: 'log-shipper-secret-0', secret: { secretName: 'loki-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }], optional: false } },
  }],
  ['elasticsearch', (app: any) => new ElasticsearchChart(app, 'elasticsearch'), {
    output: { 'name': 'es', 'host': 'elasticsearch-es-http.logging.svc.cluster.local', 'port': '9200', 'http_user': 'elastic',
      'http_passwd': '${FLUENT_BIT_OUTPUT_0_HTTP_PASSWD}', 'tls.ca_file': '/fluent-bit/etc/logging-sidecar-files/secrets/elasticsearch-es-http-certs-public/ca.crt' },
    secrets: [['FLUENT_BIT_OUTPUT_0_HTTP_PASSWD', 'elasticsearch-es-elastic-user', 'elastic']],
    volume: { name: 'log-shipper-secret-0', secret: { secretName: 'elasticsearch-es-http-certs-public', items: [{ key: 'ca.crt', path: 'ca.crt' }], optional: false } },
  }],
  ['splunk', (app: any) => new SplunkChart(app, 'splunk'), {
    output: { 'name': 'splunk', 'host': 'splunk-hec.logging.svc.cluster.local', 'port': '8088', 'splunk_token': '${FLUENT_BIT_OUTPUT_0_SPLUNK_TOKEN}',
      'tls.ca_file': '/fluent-bit/etc/logging-sidecar-files/configmaps/splunk-ca/ca.crt' },
    secrets: [['FLUENT_BIT_OUTPUT_0_SPLUNK_TOKEN', 'splunk-hec-token', 'token']],
    volume: { name: 'log-shipper-configmap-0', configMap: { name: 'splunk-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }], optional: false } },
  }],
] as const)('examples/%s', (_, chart, expected) => {
  const manifests = Testing.synth(chart(Testing.app()));
  const pod = manifests.find(m => m.kind === 'Pod');
  const sidecar = pod.spec.containers.find((c: any) => c.name === 'sidecar-container');

  test('snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('a hardened pod and its ConfigMap; the Secrets it names are not in it', () => {
    expect(manifests.map(m => m.kind).sort()).toEqual(['ConfigMap', 'Pod']);
    expect(restrictedViolations(pod.spec)).toEqual([]);
  });

  test('ships over TLS, verifying the server and its name against the mounted CA', () => {
    expect(configOf(manifests).pipeline.outputs[0]).toMatchObject({ ...expected.output, 'tls': 'on', 'tls.verify': 'on', 'tls.verify_hostname': 'on' });
    expect(pod.spec.volumes).toContainEqual(expected.volume);
  });

  test('takes its credentials from the Secret as environment variables', () => {
    expect(sidecar.env.filter((e: any) => e.valueFrom.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]))
      .toEqual(expected.secrets);
  });
});
