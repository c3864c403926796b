import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { FluentBitOutput, FluentBitShipperOptions, LoggingSidecar, LogShipper } from '../lib';
import { configOf, freePort, httpGet, remap, startFluentBit, waitFor } from './fluent-bit-process';

// A Fluent Bit sidecar on the workloads that keep pods running: what
// exposeViaService() and connections see of it, the Prometheus scrape
// annotations, and the hash of its configuration that rolls the pods when
// the configuration changes.

const HASH = 'logging-sidecar.cdk8s.io/config-hash';
const SCRAPE = ['prometheus.io/scrape', 'prometheus.io/port', 'prometheus.io/path'];

type Kind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'Pod';

interface Web {
  readonly chart: Chart;
  readonly workload: kplus.AbstractPod;
  readonly sidecar: LoggingSidecar;
}

/** A workload of one nginx container with a Fluent Bit sidecar. */
function web(kind: Kind, shipper: FluentBitShipperOptions = {}, container: Partial<kplus.ContainerProps> = {}, chart = Testing.chart()): Web {
  const nginx: kplus.ContainerProps = {
    name: 'web', image: 'nginx:1.27', ports: [{ number: 80, name: 'http' }],
    securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false },
    ...container,
  };
  const workload = kind === 'Deployment' ? new kplus.Deployment(chart, 'web', { containers: [nginx] })
    : kind === 'StatefulSet' ? new kplus.StatefulSet(chart, 'web', { containers: [nginx] })
      : kind === 'DaemonSet' ? new kplus.DaemonSet(chart, 'web', { containers: [nginx] })
        : kind === 'Job' ? new kplus.Job(chart, 'web', { containers: [nginx] })
          : kind === 'CronJob' ? new kplus.CronJob(chart, 'web', { containers: [nginx], schedule: Cron.daily() })
            : new kplus.Pod(chart, 'web', { containers: [nginx] });
  const sidecar = new LoggingSidecar(chart, 'logs', {
    workload, logWriter: workload.containers[0], shipper: LogShipper.fluentBit(shipper),
    nativeSidecar: kind === 'Job' || kind === 'CronJob',
  });
  return { chart, workload, sidecar };
}

const manifestOf = (manifests: any[], kind: Kind) => manifests.find(m => m.kind === kind);
/** The pod template's metadata, or the bare pod's. */
const podMetadataOf = (m: any) => m.kind === 'Pod' ? m.metadata
  : m.kind === 'CronJob' ? m.spec.jobTemplate.spec.template.metadata : m.spec.template.metadata;
const podSpecOf = (m: any) => m.kind === 'Pod' ? m.spec
  : m.kind === 'CronJob' ? m.spec.jobTemplate.spec.template.spec : m.spec.template.spec;
const fluentBitOf = (m: any) => [...podSpecOf(m).containers, ...(podSpecOf(m).initContainers ?? [])]
  .find((c: any) => c.image.startsWith('cr.fluentbit.io/'));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The hash annotation of a chart's workload, and the ConfigMap it was made from. */
function hashOf(chart: Chart, kind: Kind = 'Deployment'): { hash: string; configMap: any } {
  const manifests = Testing.synth(chart);
  return {
    hash: podMetadataOf(manifestOf(manifests, kind)).annotations?.[HASH],
    configMap: manifests.find(m => m.kind === 'ConfigMap'),
  };
}

const loki = (host: string): FluentBitShipperOptions => ({ outputs: [FluentBitOutput.loki({ host })] });

describe('Deployment.exposeViaService() with a Fluent Bit sidecar', () => {
  test.each([
    ['a named', { name: 'http', port: 80, targetPort: 80 }, 'http'],
    ['an unnamed', { port: 80, targetPort: 80 }, undefined],
  ])('exposes only the web port, %s one', (_, expected, name) => {
    // GIVEN a Deployment whose web port is named or not, with the sidecar
    const { chart, workload } = web('Deployment', {}, { ports: [{ number: 80, name }] });

    // WHEN it is exposed the usual way (with an unnamed port beside 2020, cdk8s-plus threw)
    (workload as kplus.Deployment).exposeViaService();

    // THEN the Service has the web port alone, and Fluent Bit still declares and probes 2020 in the manifest
    const manifests = Testing.synth(chart);
    expect(manifests.find(m => m.kind === 'Service').spec.ports).toEqual([expected]);
    const fluentBit = fluentBitOf(manifestOf(manifests, 'Deployment'));
    expect(fluentBit.ports).toEqual([{ containerPort: 2020, name: 'fluent-bit-http' }]);
    expect(fluentBit.livenessProbe.httpGet).toMatchObject({ path: '/api/v1/health', port: 2020 });
  });

  test('declares 2020 on the native sidecar too, an init container', () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'web', { containers: [{ name: 'web', image: 'nginx:1.27', portNumber: 80 }] });
    deployment.addInitContainer({ name: 'setup', image: 'busybox:1.36', command: ['true'], securityContext: { ensureNonRoot: false } });
    new LoggingSidecar(chart, 'logs', {
      workload: deployment, logWriter: deployment.containers[0], shipper: LogShipper.fluentBit(), nativeSidecar: true,
    });
    deployment.exposeViaService();
    const manifests = Testing.synth(chart);
    const spec = podSpecOf(manifestOf(manifests, 'Deployment'));
    expect(spec.initContainers.map((c: any) => [c.name, c.ports])).toEqual([
      ['setup', undefined],
      ['sidecar-container', [{ containerPort: 2020, name: 'fluent-bit-http' }]],
      ['sidecar-container-state-keeper', undefined],
    ]);
    expect(manifests.find(m => m.kind === 'Service').spec.ports).toEqual([{ port: 80, targetPort: 80 }]);
  });

  test('connections.allowFrom() opens the web port to a peer, not the metrics port', () => {
    const { chart, workload } = web('Deployment');
    const clients = kplus.Pods.select(chart, 'clients', { labels: { app: 'client' } });
    (workload as kplus.Deployment).connections.allowFrom(clients, { isolation: kplus.PodConnectionsIsolation.POD });
    const policy = Testing.synth(chart).find(m => m.kind === 'NetworkPolicy');
    expect(policy.spec.ingress).toEqual([{ from: [expect.anything()], ports: [{ port: 80, protocol: 'TCP' }] }]);
  });
});

describe('LogShipper.fluentBit({ prometheusScrape })', () => {
  test.each<Kind>(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Pod'])('annotates the pod template of a %s', kind => {
    const manifest = manifestOf(Testing.synth(web(kind, { prometheusScrape: true }).chart), kind);
    expect(podMetadataOf(manifest).annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '2020',
      'prometheus.io/path': '/api/v2/metrics/prometheus',
    });
    // On the pods, not on the workload object, which Prometheus does not discover.
    if (kind !== 'Pod') {
      expect(Object.keys(manifest.metadata.annotations ?? {})).toEqual([]);
    }
  });

  test('adds no scrape annotation by default', () => {
    const manifest = manifestOf(Testing.synth(web('Deployment').chart), 'Deployment');
    expect(Object.keys(podMetadataOf(manifest).annotations)).toEqual([HASH]);
  });

  test('names the port and the path Fluent Bit really serves there: the configuration, the probe and the declared port agree', () => {
    const manifests = Testing.synth(web('Deployment', { prometheusScrape: true }).chart);
    const annotations = podMetadataOf(manifestOf(manifests, 'Deployment')).annotations;
    const fluentBit = fluentBitOf(manifestOf(manifests, 'Deployment'));
    expect([configOf(manifests).service.http_port, String(fluentBit.livenessProbe.httpGet.port), String(fluentBit.ports[0].containerPort)])
      .toEqual([annotations['prometheus.io/port'], annotations['prometheus.io/port'], annotations['prometheus.io/port']]);
  });

  test('fails when the pod template already has a Prometheus annotation', () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'web', {
      containers: [{ image: 'nginx:1.27', portNumber: 80 }],
      podMetadata: { annotations: { 'prometheus.io/port': '9113' } },
    });
    expect(() => new LoggingSidecar(chart, 'logs', {
      workload: deployment, logWriter: deployment.containers[0], shipper: LogShipper.fluentBit({ prometheusScrape: true }),
    })).toThrow('LogShipper.fluentBit() adds the pod annotation "prometheus.io/port": "2020", which the workload\'s pod template already has: "9113"');
  });

  test('fails when the pod template already has the config hash annotation', () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx:1.27', portNumber: 80 }] });
    deployment.podMetadata.addAnnotation(HASH, 'abc');
    expect(() => new LoggingSidecar(chart, 'logs', {
      workload: deployment, logWriter: deployment.containers[0], shipper: LogShipper.fluentBit(),
    })).toThrow('the workload\'s pod template already has the annotation "logging-sidecar.cdk8s.io/config-hash": "abc", '
      + 'which LoggingSidecar sets to the hash of the shipper\'s configuration');
  });
});

describe('the configuration hash', () => {
  test.each<Kind>(['Deployment', 'StatefulSet', 'DaemonSet'])('on a %s is the sha256 of the ConfigMap data it emits', kind => {
    const { hash, configMap } = hashOf(web(kind).chart, kind);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(sha256(JSON.stringify({ data: configMap.data })));
  });

  test.each<Kind>(['Job', 'CronJob', 'Pod'])('is not on a %s, which a changed template does not roll', kind => {
    const manifest = manifestOf(Testing.synth(web(kind).chart), kind);
    expect(podMetadataOf(manifest).annotations?.[HASH]).toBeUndefined();
  });

  test('is the same on every synth of the same chart', () => {
    const chart = web('Deployment', loki('loki.monitoring.svc')).chart;
    const again = web('Deployment', loki('loki.monitoring.svc')).chart;
    expect(hashOf(chart).hash).toBe(hashOf(chart).hash);
    expect(hashOf(again).hash).toBe(hashOf(chart).hash);
  });

  test('changes with the Loki host', () => {
    const before = hashOf(web('Deployment', loki('loki.monitoring.svc')).chart);
    const after = hashOf(web('Deployment', loki('loki.logging.svc')).chart);
    expect(after.configMap.data).not.toEqual(before.configMap.data);
    expect(after.hash).not.toBe(before.hash);
  });

  test('does not change when the rest of the pod template changes', () => {
    const before = hashOf(web('Deployment', loki('loki.monitoring.svc')).chart);
    const after = hashOf(web('Deployment', loki('loki.monitoring.svc'), { image: 'nginx:1.28', ports: [{ number: 8080 }] }).chart);
    expect(after.hash).toBe(before.hash);
  });

  test('counts data added to the ConfigMap after the sidecar, as emitted', () => {
    const { chart, sidecar } = web('Deployment');
    const plain = hashOf(chart).hash;
    sidecar.shipperConfig.configMap!.addData('extra.yaml', 'a: 1\n');
    const { hash, configMap } = hashOf(chart);
    expect(Object.keys(configMap.data)).toEqual(['extra.yaml', 'fluent-bit.yaml']);
    expect(hash).toBe(sha256(JSON.stringify({ data: configMap.data })));
    expect(hash).not.toBe(plain);
  });
});

describe('the real Fluent Bit 3.2.10', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-bit-workloads-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('answers the annotated path with Prometheus metrics counting the records it read', async () => {
    // GIVEN the configuration and the annotations of a Deployment with prometheusScrape
    const manifests = Testing.synth(web('Deployment', { prometheusScrape: true }).chart);
    const annotations = podMetadataOf(manifestOf(manifests, 'Deployment')).annotations;
    expect(Object.keys(annotations)).toEqual(expect.arrayContaining(SCRAPE));
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(logs);
    fs.writeFileSync(path.join(logs, 'access.log'), '127.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.0"\n');
    const config = remap(configOf(manifests), {
      paths: { '/var/log/nginx': logs, '/var/lib/logging-sidecar': path.join(dir, 'state') },
      httpPort: await freePort(),
    });

    // WHEN Fluent Bit runs it (on a free port here, where the pod has the annotated one)
    const fluentBit = await startFluentBit(config, dir);
    try {
      // THEN the annotated path answers 200 in the Prometheus text format, with the line read counted
      let metrics = { status: 0, body: '' };
      await waitFor(async () => {
        metrics = await httpGet(fluentBit.httpPort, annotations['prometheus.io/path']);
        return /^fluentbit_input_records_total\{name="tail\.0"\} 1$/m.test(metrics.body);
      }, 'the access.log line counted', 8000);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/^# TYPE fluentbit_input_records_total counter$/m);
      expect(metrics.body).toMatch(/^fluentbit_input_records_total\{name="tail\.1"\} 0$/m);
    } finally {
      await fluentBit.stop();
    }
  }, 15000);
});
