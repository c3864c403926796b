import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LoggingSidecar, LoggingSidecarDeployment, LoggingSidecarDeploymentProps, LoggingSidecarPod, LogShipper } from '../lib';

function synth(props?: LoggingSidecarDeploymentProps, expose?: (d: LoggingSidecarDeployment) => void): { deployment: any; service?: any; all: any[] } {
  const chart = Testing.chart();
  const construct = new LoggingSidecarDeployment(chart, 'web', props);
  expose?.(construct);
  const all = Testing.synth(chart);
  return { deployment: all.find(o => o.kind === 'Deployment'), service: all.find(o => o.kind === 'Service'), all };
}

/** The pod spec LoggingSidecarPod makes from the same props. */
function podSpec(props: LoggingSidecarDeploymentProps = {}): any {
  const chart = Testing.chart();
  const { deploymentName: _name, replicas: _r, strategy: _s, minReady: _m, progressDeadline: _p, podMetadata: _pm, ...podProps } = props;
  new LoggingSidecarPod(chart, 'web', podProps);
  return Testing.synth(chart).find(o => o.kind === 'Pod').spec;
}

describe('the same pod as LoggingSidecarPod, replicated', () => {
  test.each([
    ['the seed\'s defaults', {}],
    ['hardened, with health checks', { hardened: true, healthChecks: true }],
    ['the stream shipper rotating in a size-limited volume', { shipper: LogShipper.stream(), volumeSizeLimit: Size.mebibytes(64) }],
    ['a native Fluent Bit sidecar', { shipper: LogShipper.fluentBit(), nativeSidecar: true }],
  ] as Array<[string, LoggingSidecarDeploymentProps]>)('%s: containers, init containers, volumes and security context are the Pod\'s', (_, props) => {
    const template = synth(props).deployment.spec.template.spec;
    const pod = podSpec(props);
    for (const field of ['containers', 'initContainers', 'volumes', 'securityContext', 'shareProcessNamespace', 'automountServiceAccountToken']) {
      expect([field, template[field]]).toEqual([field, pod[field]]);
    }
  });

  test('snapshot of the defaults', () => {
    expect(synth().all).toMatchSnapshot();
  });

  test('bounds: 0 and 2147483647 replicas, minReady 0 and 2147483646 seconds, progressDeadline 1 second and 2147483647 seconds', () => {
    expect(synth({ replicas: 0, minReady: Duration.seconds(0), progressDeadline: Duration.seconds(1) }).deployment.spec)
      .toEqual(expect.objectContaining({ replicas: 0, minReadySeconds: 0, progressDeadlineSeconds: 1 }));
    expect(synth({ replicas: 2147483647, minReady: Duration.seconds(2147483646), progressDeadline: Duration.seconds(2147483647) }).deployment.spec)
      .toEqual(expect.objectContaining({ replicas: 2147483647, minReadySeconds: 2147483646, progressDeadlineSeconds: 2147483647 }));
  });

  test('strategy: a rolling update of whole numbers or percentages, maxUnavailable up to 100%', () => {
    const strategy = kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.percent(200), maxUnavailable: kplus.PercentOrAbsolute.percent(100) });
    expect(synth({ strategy }).deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '200%', maxUnavailable: '100%' } });
  });

  test('defaults: named webserver, 2 replicas, rolling update, and nginx with the seed\'s resources', () => {
    const { deployment, all } = synth();
    expect(all.map(o => o.kind)).toEqual(['Deployment']);
    expect(deployment.metadata.name).toBe('webserver');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    const [nginx, sidecar] = deployment.spec.template.spec.containers;
    expect([nginx.name, nginx.image, nginx.resources.limits]).toEqual(['nginx-container', 'nginx:latest', { cpu: '500m', memory: '128Mi' }]);
    expect(sidecar.name).toBe('sidecar-container');
    expect(deployment.spec.selector.matchLabels).toEqual({ 'cdk8s.io/metadata.addr': expect.any(String) });
    expect(deployment.spec.template.metadata.labels).toEqual(deployment.spec.selector.matchLabels);
  });

  test('replicas, strategy, minReady, progressDeadline, metadata and podMetadata', () => {
    const { deployment } = synth({
      deploymentName: 'shop-web',
      replicas: 5,
      strategy: kplus.DeploymentStrategy.recreate(),
      minReady: Duration.seconds(10),
      progressDeadline: Duration.minutes(5),
      metadata: { namespace: 'shop', labels: { tier: 'web' } },
      podMetadata: { annotations: { 'prometheus.io/scrape': 'false' }, labels: { tier: 'web' } },
    });
    expect(deployment.metadata).toEqual(expect.objectContaining({ name: 'shop-web', namespace: 'shop', labels: { tier: 'web' } }));
    expect(deployment.spec).toEqual(expect.objectContaining({ replicas: 5, strategy: { type: 'Recreate' }, minReadySeconds: 10, progressDeadlineSeconds: 300 }));
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'false' });
    expect(deployment.spec.template.metadata.labels.tier).toBe('web');
  });

  test('a Fluent Bit configuration change rolls the pods: the template carries its hash', () => {
    const { deployment } = synth({ shipper: LogShipper.fluentBit() });
    expect(deployment.spec.template.metadata.annotations[LoggingSidecar.CONFIG_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the cdk8s-plus objects are exposed', () => {
    const construct = new LoggingSidecarDeployment(Testing.chart(), 'web', { hardened: true });
    expect(construct.deployment).toBeInstanceOf(kplus.Deployment);
    expect(construct.deployment.containers).toEqual([construct.webContainer, construct.sidecarContainer]);
    expect([construct.logDirectory, construct.logFiles, construct.hardened, construct.webPort, construct.logVolume.name])
      .toEqual(['/var/log/nginx', ['access.log', 'error.log'], true, 8080, 'shared-logs']);
  });
});

describe('exposeViaService()', () => {
  test('a Service for the web port only, named after the Deployment, selecting its pods', () => {
    const { deployment, service } = synth({ shipper: LogShipper.fluentBit() }, d => d.exposeViaService());
    // Fluent Bit's metrics port is declared on the sidecar, but not exposed.
    expect(deployment.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort))).toEqual([80, 2020]);
    expect(service.metadata.name).toBe('webserver');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 80 }]);
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
  });

  test('hardened: port 80 forwards to nginx\'s 8080; name, port and type can be set', () => {
    const { service } = synth({ hardened: true }, d => d.exposeViaService({ name: 'shop', port: 8000, serviceType: kplus.ServiceType.NODE_PORT }));
    expect(service.metadata.name).toBe('shop');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 8080 }]);
    expect(service.spec.type).toBe('NodePort');
  });

  test.each([
    ['port 0', { port: 0 }, 'exposeViaService() port must be a whole number from 1 to 65535, got 0'],
    ['a name with a dot', { name: 'shop.web' }, 'exposeViaService() name must be a DNS-1035 label (at most 63 lowercase letters, digits and \'-\', starting with a letter and ending with a letter or digit), got "shop.web"'],
    ['a name starting with a digit', { name: '1abc' }, 'exposeViaService() name must be a DNS-1035 label (at most 63 lowercase letters, digits and \'-\', starting with a letter and ending with a letter or digit), got "1abc"'],
    ['port 65536', { port: 65536 }, 'exposeViaService() port must be a whole number from 1 to 65535, got 65536'],
    ['an ExternalName service', { serviceType: kplus.ServiceType.EXTERNAL_NAME }, 'exposeViaService() serviceType must select the pods, and an ExternalName Service forwards to a DNS name instead: use ClusterIP, NodePort or LoadBalancer, got "ExternalName"'],
    ['an unknown service type', { serviceType: 'Public' }, 'exposeViaService() serviceType must be a ServiceType (ClusterIP, NodePort, LoadBalancer, ExternalName), got "Public"'],
    ['a port of the wrong type', { port: '80' }, 'exposeViaService() port must be a number, got "80"'],
  ] as Array<[string, any, string]>)('fails on %s', (_, options, message) => {
    const construct = new LoggingSidecarDeployment(Testing.chart(), 'web');
    expect(() => construct.exposeViaService(options)).toThrow(message);
  });

  test('fails on a deploymentName that is no Service name (a DNS-1035 label), unless a name is given', () => {
    const construct = new LoggingSidecarDeployment(Testing.chart(), 'web', { deploymentName: '9shop.web' });
    expect(() => construct.exposeViaService()).toThrow('exposeViaService() name (the deploymentName by default) must be a DNS-1035 label '
      + '(at most 63 lowercase letters, digits and \'-\', starting with a letter and ending with a letter or digit), got "9shop.web"');
    expect(construct.exposeViaService({ name: 'shop-web' }).name).toBe('shop-web');
  });

  test('fails when called twice, naming the Service it made', () => {
    const construct = new LoggingSidecarDeployment(Testing.chart(), 'web');
    construct.exposeViaService();
    expect(() => construct.exposeViaService({ name: 'other' })).toThrow('exposeViaService() may be called once, and it was: the Service "webserver" '
      + 'already forwards to the web port; use that Service, or create another with new kplus.Service()');
  });
});

describe('bad input', () => {
  test.each([
    ['deploymentName', { deploymentName: 'Shop' }, 'deploymentName must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit), got "Shop"'],
    ['metadata.name', { metadata: { name: 'x' } }, 'metadata.name must not be set, the name is deploymentName, got "x"'],
    ['podMetadata.namespace', { podMetadata: { namespace: 'shop' } }, 'podMetadata.namespace must not be set, the pods take theirs from the Deployment, got "shop"'],
    ['a podMetadata label', { podMetadata: { labels: { tier: 'web tier' } } }, 'podMetadata.labels["tier"] must be a label value (empty, or at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "web tier"'],
    ['podMetadata.name', { podMetadata: { name: 'web' } }, 'podMetadata.name must not be set, the pods take theirs from the Deployment, got "web"'],
    ['replicas over 2147483647', { replicas: 2147483648 }, 'replicas must be a whole number from 0 to 2147483647, got 2147483648'],
    ['replicas NaN', { replicas: NaN }, 'replicas must be a whole number from 0 to 2147483647, got NaN'],
    ['progressDeadline zero', { progressDeadline: Duration.seconds(0) }, 'progressDeadline must be at least 1 second, got 0 seconds'],
    ['progressDeadline over 2147483647 seconds', { progressDeadline: Duration.seconds(2147483648) }, 'progressDeadline must be at most 2147483647 seconds, got 2147483648 seconds'],
    ['strategy maxUnavailable over 100%', { strategy: kplus.DeploymentStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.percent(150) }) },
      'strategy maxUnavailable must be a whole number from 0 or a whole percentage up to 100%, got "150%"'],
    ['strategy maxSurge negative', { strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(-1) }) },
      'strategy maxSurge must be a whole number from 0 or a whole percentage, got -1'],
    ['strategy maxSurge a fractional percentage', { strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.percent(12.5) }) },
      'strategy maxSurge must be a whole number from 0 or a whole percentage, got "12.5%"'],
    ['nativeSidecar with the cat loop, before the Deployment exists', { nativeSidecar: true },
      'nativeSidecar needs a shipper that ships what is left and exits on SIGTERM, LogShipper.catLoop() does not (use LogShipper.stream() or LogShipper.fluentBit())'],
    ['minReady over 2147483647 seconds', { minReady: Duration.seconds(2147483648) }, 'minReady must be at most 2147483647 seconds, got 2147483648 seconds'],
    ['a misspelt prop', { replica: 3 }, 'LoggingSidecarDeployment props must not include "replica": there is no such prop (did you mean "replicas"?); the props are shipper, '],
    ['a misspelt field of a nested prop', { dns: { hostname: 'web', nameserver: ['10.0.0.10'] } },
      'dns must not include "nameserver": there is no such field (did you mean "nameservers"?); the fields are hostname, subdomain, hostnameAsFQDN, policy, nameservers, searches, options'],
    ['a misspelt resource', { webResources: { cpu: { limit: kplus.Cpu.millis(500) }, mem: { limit: Size.mebibytes(256) } } },
      'webResources must not include "mem": there is no such field; the fields are cpu, memory, ephemeralStorage'],
    ['negative replicas', { replicas: -1 }, 'replicas must be a whole number from 0 to 2147483647, got -1'],
    ['fractional replicas', { replicas: 1.5 }, 'replicas must be a whole number from 0 to 2147483647, got 1.5'],
    ['replicas of the wrong type', { replicas: '3' }, 'replicas must be a number, got "3"'],
    ['strategy of the wrong type', { strategy: 'Recreate' }, 'strategy must be a DeploymentStrategy (such as DeploymentStrategy.recreate()), got "Recreate"'],
    ['fractional minReady', { minReady: Duration.millis(500) }, 'minReady must be a whole number of seconds, got 500 millis'],
    ['progressDeadline not longer than minReady', { minReady: Duration.seconds(60), progressDeadline: Duration.seconds(60) },
      'progressDeadline must be longer than minReady, got 60 seconds and minReady 60 seconds'],
    ['minReady not shorter than the default progressDeadline', { minReady: Duration.minutes(10) }, 'minReady must be shorter than progressDeadline (600 seconds by default), got 600 seconds'],
    ['a web server option', { webPort: 70000 }, 'webPort must be a whole number from 1 to 65535, got 70000'],
    ['a pod-level option', { nodeSelector: { pool: 'a b' } }, 'nodeSelector["pool"] must be a label value (empty, or at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "a b"'],
  ] as Array<[string, any, string]>)('fails on %s', (_, props, message) => {
    const chart = Testing.chart();
    expect(() => new LoggingSidecarDeployment(chart, 'web', props)).toThrow(message);
    expect(Testing.synth(chart)).toEqual([]);
  });
});
