import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LoggingSidecarDeployment, LoggingSidecarPod, LoggingSidecarPodProps, LogShipper } from '../lib';

// The pod-level props (PodSpecOptions and metadata): each reaches the manifest
// where Kubernetes reads it, on the Pod and on the Deployment alike, and each
// bad value is refused by name before anything is created.

/** The props built in a chart of their own, for props that need a scope (service accounts, secrets, volumes). */
type PropsIn = (chart: ReturnType<typeof Testing.chart>) => LoggingSidecarPodProps;

function synthPod(props: LoggingSidecarPodProps | PropsIn): any {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', typeof props === 'function' ? props(chart) : props);
  return Testing.synth(chart).find(o => o.kind === 'Pod');
}

function synthDeploymentPodSpec(props: LoggingSidecarPodProps | PropsIn): any {
  const chart = Testing.chart();
  const { podName, ...rest } = typeof props === 'function' ? props(chart) : props;
  new LoggingSidecarDeployment(chart, 'web', { ...rest, deploymentName: podName });
  return Testing.synth(chart).find(o => o.kind === 'Deployment').spec.template.spec;
}

describe('each pod-level prop reaches the pod spec, on a Pod and on a Deployment', () => {
  const cases: Array<[string, LoggingSidecarPodProps | PropsIn, (spec: any) => void]> = [
    ['serviceAccount', chart => ({ serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'web-reader') }),
      spec => expect(spec.serviceAccountName).toBe('web-reader')],
    ['automountServiceAccountToken', { automountServiceAccountToken: true }, spec => expect(spec.automountServiceAccountToken).toBe(true)],
    ['nodeSelector', { nodeSelector: { 'kubernetes.io/os': 'linux', 'pool': 'web' } },
      spec => expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', 'pool': 'web' })],
    ['tolerations', { tolerations: [kplus.NodeTaintQuery.is('dedicated', 'web'), kplus.NodeTaintQuery.exists('spot')] },
      spec => expect(spec.tolerations).toEqual([
        { key: 'dedicated', operator: 'Equal', value: 'web' },
        { key: 'spot', operator: 'Exists' },
      ])],
    ['dns', { dns: { hostname: 'web', subdomain: 'shop', nameservers: ['10.0.0.10'], searches: ['shop.svc.cluster.local'], options: [{ name: 'ndots', value: '2' }], policy: kplus.DnsPolicy.NONE } },
      spec => {
        expect(spec.hostname).toBe('web');
        expect(spec.subdomain).toBe('shop');
        expect(spec.dnsPolicy).toBe('None');
        expect(spec.dnsConfig).toEqual({ nameservers: ['10.0.0.10'], searches: ['shop.svc.cluster.local'], options: [{ name: 'ndots', value: '2' }] });
      }],
    ['hostAliases', { hostAliases: [{ ip: '10.0.0.5', hostnames: ['db.local', 'cache.local'] }, { ip: 'fd00::1', hostnames: ['v6.local'] }] },
      spec => expect(spec.hostAliases).toEqual([{ ip: '10.0.0.5', hostnames: ['db.local', 'cache.local'] }, { ip: 'fd00::1', hostnames: ['v6.local'] }])],
    ['dockerRegistryAuth', chart => ({ dockerRegistryAuth: kplus.Secret.fromSecretName(chart, 'pull', 'registry-credentials') }),
      spec => expect(spec.imagePullSecrets).toEqual([{ name: 'registry-credentials' }])],
    ['volumes', chart => ({ volumes: [kplus.Volume.fromConfigMap(chart, 'conf', kplus.ConfigMap.fromConfigMapName(chart, 'cm', 'nginx-conf'), { name: 'nginx-conf' })] }),
      spec => {
        expect(spec.volumes.map((v: any) => v.name).sort()).toEqual(['nginx-conf', 'shared-logs']);
        expect(spec.volumes.find((v: any) => v.name === 'nginx-conf').configMap.name).toBe('nginx-conf');
      }],
    ['terminationGracePeriod', { terminationGracePeriod: Duration.seconds(45) }, spec => expect(spec.terminationGracePeriodSeconds).toBe(45)],
  ];

  test.each(cases)('%s on a Pod', (_, props, expectInSpec) => {
    expectInSpec(synthPod(props).spec);
  });

  test.each(cases)('%s on a Deployment', (_, props, expectInSpec) => {
    expectInSpec(synthDeploymentPodSpec(props));
  });

  test('nodeSelector and tolerations land in a rotating, hardened pod too (with the patches the sidecar adds)', () => {
    const spec = synthPod({ hardened: true, shipper: LogShipper.stream(), rotateLogsAt: Size.mebibytes(8),
      nodeSelector: { pool: 'web' }, tolerations: [kplus.NodeTaintQuery.exists('spot')] }).spec;
    expect(spec.shareProcessNamespace).toBe(true);
    expect(spec.nodeSelector).toEqual({ pool: 'web' });
    expect(spec.tolerations).toEqual([{ key: 'spot', operator: 'Exists' }]);
  });

  test('a mounted extra volume: nginx reads its configuration from a ConfigMap', () => {
    const chart = Testing.chart();
    const conf = kplus.Volume.fromConfigMap(chart, 'conf', kplus.ConfigMap.fromConfigMapName(chart, 'cm', 'nginx-conf'), { name: 'nginx-conf' });
    const pod = new LoggingSidecarPod(chart, 'pod', { volumes: [conf] });
    pod.webContainer.mount('/etc/nginx/conf.d', conf, { readOnly: true });
    const [manifest] = Testing.synth(chart);
    expect(manifest.spec.containers[0].volumeMounts).toContainEqual({ mountPath: '/etc/nginx/conf.d', name: 'nginx-conf', readOnly: true });
    expect(manifest.spec.volumes.filter((v: any) => v.name === 'nginx-conf')).toHaveLength(1);
  });
});

describe('metadata', () => {
  test('labels, annotations and namespace reach the Pod, beside cdk8s\'s label', () => {
    const pod = synthPod({ metadata: { labels: { 'app.kubernetes.io/name': 'shop' }, annotations: { 'example.com/owner': 'web team' }, namespace: 'shop' } });
    expect(pod.metadata.name).toBe('webserver');
    expect(pod.metadata.namespace).toBe('shop');
    expect(pod.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'shop', 'cdk8s.io/metadata.addr': expect.any(String) });
    expect(pod.metadata.annotations).toEqual({ 'example.com/owner': 'web team' });
  });

  test('the Fluent Bit ConfigMap follows the pod into its namespace', () => {
    const chart = Testing.chart();
    new LoggingSidecarPod(chart, 'pod', { metadata: { namespace: 'shop' }, shipper: LogShipper.fluentBit() });
    expect(Testing.synth(chart).map(o => [o.kind, o.metadata.namespace]).sort()).toEqual([['ConfigMap', 'shop'], ['Pod', 'shop']]);
  });

  test('an annotation key may have upper-case letters, which the API server checks in lower case', () => {
    expect(synthPod({ metadata: { annotations: { 'Example.com/Owner': 'web' } } }).metadata.annotations).toEqual({ 'Example.com/Owner': 'web' });
  });

  test('annotations of 256 KiB in all are accepted, and the standard finalizers need no domain', () => {
    const value = 'x'.repeat(256 * 1024 - 4);
    expect(synthPod({ metadata: { annotations: { note: value }, finalizers: ['kubernetes', 'example.com/cleanup'] } }).metadata.annotations.note).toBe(value);
  });

  test('terminationGracePeriod may be zero', () => {
    expect(synthPod({ terminationGracePeriod: Duration.seconds(0) }).spec.terminationGracePeriodSeconds).toBe(0);
  });

  test('an annotation value may be several lines, as JSON configurations are', () => {
    expect(synthPod({ metadata: { annotations: { note: '{\n  "a": 1\n}' } } }).metadata.annotations.note).toBe('{\n  "a": 1\n}');
  });
});

describe('with no pod-level prop the spec is the seed\'s', () => {
  test('no pod-level field appears that the seed pod does not have', () => {
    const spec = synthPod({}).spec;
    for (const field of ['serviceAccountName', 'nodeSelector', 'tolerations', 'hostAliases', 'imagePullSecrets', 'dnsConfig', 'hostname', 'subdomain']) {
      expect(spec).not.toHaveProperty(field);
    }
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.terminationGracePeriodSeconds).toBe(30);
    expect(spec.volumes).toEqual([{ emptyDir: {}, name: 'shared-logs' }]);
  });
});

describe('bad input', () => {
  test.each([
    ['metadata.name', { metadata: { name: 'other' } }, 'metadata.name must not be set, the name is podName, got "other"'],
    ['metadata.namespace', { metadata: { namespace: 'Shop' } }, 'metadata.namespace must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "Shop"'],
    ['a label key', { metadata: { labels: { 'team name': 'web' } } }, 'metadata.labels key must be a qualified name (an optional DNS-1123 subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "team name"'],
    ['a label key prefix', { metadata: { labels: { 'Example.com/team': 'web' } } }, 'metadata.labels key must be a qualified name (an optional DNS-1123 subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "Example.com/team"'],
    ['a label value', { metadata: { labels: { team: 'web/shop' } } }, 'metadata.labels["team"] must be a label value (empty, or at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "web/shop"'],
    ['a label value too long', { metadata: { labels: { team: 'a'.repeat(64) } } }, `metadata.labels["team"] must be a label value (empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit), got "${'a'.repeat(64)}"`],
    ['a label value kubectl reads as a number', { metadata: { labels: { v: '0o17' } } }, 'metadata.labels["v"] must not be a string that kubectl reads as another type: cdk8s writes it unquoted and kubectl reads it as the integer 15, got "0o17"'],
    ['an annotation key', { metadata: { annotations: { '/owner': 'web' } } }, 'metadata.annotations key must be a qualified name (an optional DNS-1123 subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "/owner"'],
    ['an annotation value kubectl reads as a number', { metadata: { annotations: { build: '0o17' } } }, 'metadata.annotations["build"] must not be a string that kubectl reads as another type: cdk8s writes it unquoted and kubectl reads it as the integer 15, got "0o17"'],
    ['a finalizer', { metadata: { finalizers: ['example.com/'] } }, 'metadata.finalizers[0] must be a qualified name (an optional DNS-1123 subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "example.com/"'],
    ['metadata of the wrong type', { metadata: 'shop' }, 'metadata must be an object such as { labels: { team: \'web\' }, annotations: { ... }, namespace: \'shop\' }, got "shop"'],
    ['labels of the wrong type', { metadata: { labels: { team: 7 } } }, 'metadata.labels["team"] must be a string, got 7'],
    ['automountServiceAccountToken of the wrong type', { automountServiceAccountToken: 'yes' }, 'automountServiceAccountToken must be true or false, got "yes"'],
    ['serviceAccount of the wrong type', { serviceAccount: 'web-reader' }, 'serviceAccount must be a cdk8s-plus service account (such as ServiceAccount.fromServiceAccountName(scope, id, name)), got "web-reader"'],
    ['a nodeSelector key', { nodeSelector: { 'node pool': 'web' } }, 'nodeSelector key must be a qualified name (an optional DNS-1123 subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "node pool"'],
    ['a nodeSelector value', { nodeSelector: { pool: 'web pool' } }, 'nodeSelector["pool"] must be a label value (empty, or at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "web pool"'],
    ['a nodeSelector value of the wrong type', { nodeSelector: { pool: true } }, 'nodeSelector["pool"] must be a string, got true'],
    ['tolerations not made with NodeTaintQuery', { tolerations: [{ key: 'spot' }] }, 'tolerations[0] must be a NodeTaintQuery (such as NodeTaintQuery.is(\'dedicated\', \'web\')), got {"key":"spot"}'],
    ['dns.hostname', { dns: { hostname: 'web.shop' } }, 'dns.hostname must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "web.shop"'],
    ['dns.subdomain', { dns: { subdomain: 'Shop' } }, 'dns.subdomain must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "Shop"'],
    ['dns.nameservers', { dns: { nameservers: ['10.0.0.300'] } }, 'dns.nameservers[0] must be an IPv4 or IPv6 address such as "10.0.0.10", got "10.0.0.300"'],
    ['four dns.nameservers', { dns: { nameservers: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'] } }, 'dns.nameservers must list at most 3 addresses, got ["10.0.0.1","10.0.0.2","10.0.0.3","10.0.0.4"]'],
    ['dns.policy NONE without nameservers', { dns: { policy: kplus.DnsPolicy.NONE } }, 'dns.nameservers must list at least one address with dns.policy DnsPolicy.NONE, got []'],
    ['dns.policy unknown', { dns: { policy: 'Cluster' } }, 'dns.policy must be a DnsPolicy (ClusterFirst, ClusterFirstWithHostNet, Default, None), got "Cluster"'],
    ['dns.searches', { dns: { searches: ['shop_svc'] } }, 'dns.searches[0] must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit), got "shop_svc"'],
    ['seven dns.searches', { dns: { searches: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] } }, 'dns.searches must list at most 6 domains, got ["a","b","c","d","e","f","g"]'],
    ['dns.options name', { dns: { options: [{ name: 'nd ots' }] } }, 'dns.options[0].name must be a resolver option name such as "ndots", got "nd ots"'],
    ['dns of the wrong type', { dns: ['10.0.0.10'] }, 'dns must be an object such as { hostname: \'web\', nameservers: [\'10.0.0.10\'] }, got ["10.0.0.10"]'],
    ['hostAliases ip', { hostAliases: [{ ip: 'db', hostnames: ['db.local'] }] }, 'hostAliases[0].ip must be an IPv4 or IPv6 address such as "10.0.0.10", got "db"'],
    ['hostAliases without hostnames', { hostAliases: [{ ip: '10.0.0.5', hostnames: [] }] }, 'hostAliases[0].hostnames must list at least one host name, got []'],
    ['hostAliases hostname', { hostAliases: [{ ip: '10.0.0.5', hostnames: ['db.local', 'DB'] }] }, 'hostAliases[0].hostnames[1] must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit), got "DB"'],
    ['hostAliases without hostnames at all', { hostAliases: [{ ip: '10.0.0.5' }] }, 'hostAliases[0].hostnames must be an array of strings, got undefined'],
    ['an IPv6 address with a zone', { hostAliases: [{ ip: 'fe80::1%eth0', hostnames: ['db.local'] }] }, 'hostAliases[0].ip must be an IPv4 or IPv6 address such as "10.0.0.10", got "fe80::1%eth0"'],
    ['a toleration key', { tolerations: [kplus.NodeTaintQuery.is('bad key!', 'x')] }, 'tolerations[0] key must be a qualified name (an optional DNS-1123 subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "bad key!"'],
    ['a toleration value', { tolerations: [kplus.NodeTaintQuery.is('dedicated', 'x y')] }, 'tolerations[0] value must be a label value (empty, or at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "x y"'],
    ['metadata.generateName', { metadata: { generateName: 'web-' } }, 'metadata.generateName is not a field these constructs take, only namespace, labels, annotations, finalizers, ownerReferences, got "generateName"'],
    ['metadata.ownerReferences of the wrong type', { metadata: { ownerReferences: 'junk' } }, 'metadata.ownerReferences must be an array of owner references, got "junk"'],
    ['annotations over 256 KiB in all', { metadata: { annotations: { a: 'x'.repeat(200 * 1024), b: 'y'.repeat(60 * 1024) } } }, 'metadata.annotations must be at most 262144 bytes in all, keys and values, got 266242 bytes'],
    ['a finalizer with no domain', { metadata: { finalizers: ['cleanup'] } }, 'metadata.finalizers[0] must be one of kubernetes, orphan, foregroundDeletion or have a domain prefix such as "example.com/cleanup", got "cleanup"'],
    ['a volumeName the shipper reserves', { volumeName: 'log-shipper-secret-0' }, 'volumeName must not be a name the pod reserves ("log-shipper-…"), got "log-shipper-secret-0"'],
    ['hostAliases of the wrong type', { hostAliases: { ip: '10.0.0.5' } }, 'hostAliases must be an array of { ip, hostnames } entries, got {"ip":"10.0.0.5"}'],
    ['dockerRegistryAuth of the wrong type', { dockerRegistryAuth: 'registry-credentials' }, 'dockerRegistryAuth must be a cdk8s-plus Secret (such as a DockerConfigSecret or Secret.fromSecretName(scope, id, name)), got "registry-credentials"'],
    ['volumes of the wrong type', { volumes: [{ name: 'data' }] }, 'volumes[0] must be a cdk8s-plus Volume (such as Volume.fromConfigMap(...)), got {"name":"data"}'],
    ['terminationGracePeriod fractional', { terminationGracePeriod: Duration.millis(1500) }, 'terminationGracePeriod must be a whole number of seconds, got 1 second 500 millis'],
    ['terminationGracePeriod of the wrong type', { terminationGracePeriod: 30 }, 'terminationGracePeriod must be a Duration (such as Duration.seconds(30)), got 30'],
  ] as Array<[string, any, string]>)('fails on %s', (_, props, message) => {
    const chart = Testing.chart();
    expect(() => new LoggingSidecarPod(chart, 'pod', props)).toThrow(message);
    expect(chart.node.findAll().filter(c => c.node.id === 'Resource')).toEqual([]);
  });

  test.each([
    ['a serviceAccount name', (chart: any) => ({ serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'Web_Reader') }),
      'serviceAccount name must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit), got "Web_Reader"'],
    ['a dockerRegistryAuth name', (chart: any) => ({ dockerRegistryAuth: kplus.Secret.fromSecretName(chart, 's', 'Registry') }),
      'dockerRegistryAuth name must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit), got "Registry"'],
    ['a volume named like the log volume', (chart: any) => ({ volumes: [kplus.Volume.fromEmptyDir(chart, 'v', 'shared-logs')] }),
      'volumes[0] name must differ from the log volume\'s (volumeName), got "shared-logs"'],
    ['a volume named like a renamed log volume', (chart: any) => ({ volumeName: 'logs', volumes: [kplus.Volume.fromEmptyDir(chart, 'v', 'logs')] }),
      'volumes[0] name must differ from the log volume\'s (volumeName), got "logs"'],
    ['a volume named like the hardened nginx\'s /tmp', (chart: any) => ({ hardened: true, volumes: [kplus.Volume.fromEmptyDir(chart, 'v', 'nginx-tmp')] }),
      'volumes[0] name must not be one the pod reserves ("nginx-tmp", "log-shipper-…"), got "nginx-tmp"'],
    ['a volume named like the shipper\'s', (chart: any) => ({ volumes: [kplus.Volume.fromEmptyDir(chart, 'v', 'log-shipper-state')] }),
      'volumes[0] name must not be one the pod reserves ("log-shipper-…"), got "log-shipper-state"'],
    ['two volumes of one name', (chart: any) => ({ volumes: [kplus.Volume.fromEmptyDir(chart, 'v', 'data'), kplus.Volume.fromEmptyDir(chart, 'w', 'data')] }),
      'volumes[1] name repeats volumes[0]\'s, each volume needs a name of its own, got "data"'],
    ['a volume name that is no DNS label', (chart: any) => ({ volumes: [kplus.Volume.fromEmptyDir(chart, 'v', 'Data')] }),
      'volumes[0] name must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "Data"'],
  ])('fails on %s', (_, props, message) => {
    const chart = Testing.chart();
    expect(() => new LoggingSidecarPod(chart, 'pod', props(chart))).toThrow(message);
  });
});

describe('the chart\'s namespace and labels, which every object of the chart gets', () => {
  test.each([
    ['a namespace', { namespace: 'Shop_1' }, 'the namespace of chart "shop" must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "Shop_1"'],
    ['a label value', { labels: { team: 'web team' } }, 'the labels of chart "shop"["team"] must be a label value (empty, or at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit), got "web team"'],
  ])('fails on %s, on a Pod and on a Deployment', (_, chartProps, message) => {
    const chart = () => new Chart(Testing.app(), 'shop', chartProps);
    expect(() => new LoggingSidecarPod(chart(), 'pod')).toThrow(message);
    expect(() => new LoggingSidecarDeployment(chart(), 'web')).toThrow(message);
  });
});

test('a volume mounted through the escape hatch where the log volume is fails synth, naming the container, the path and both volumes', () => {
  const chart = Testing.chart();
  const extra = kplus.Volume.fromEmptyDir(chart, 'extra', 'extra');
  const pod = new LoggingSidecarPod(chart, 'pod', { volumes: [extra] });
  pod.webContainer.mount('/var/log/nginx', extra);
  expect(() => Testing.synth(chart)).toThrow('[test/pod/Sidecar] container "nginx-container" mounts 2 volumes at "/var/log/nginx" ("shared-logs", "extra"), '
    + 'which the API server refuses: mount each at a path of its own');
});

describe('objects the pod names must be in its namespace', () => {
  test('a service account or a pull secret of the app in another namespace fails, naming both namespaces', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const account = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'reader', namespace: 'admin' } });
    expect(() => new LoggingSidecarPod(chart, 'a', { serviceAccount: account }))
      .toThrow('serviceAccount must be in the pod\'s namespace "shop", since a pod can only use one of its own namespace, got "reader" in namespace "admin"');
    const secret = new kplus.Secret(new Chart(Testing.app(), 'other', { namespace: 'other' }), 'pull', { metadata: { name: 'registry' } });
    expect(() => new LoggingSidecarDeployment(chart, 'b', { dockerRegistryAuth: secret }))
      .toThrow('dockerRegistryAuth must be in the pod\'s namespace "shop", since a pod can only use one of its own namespace, got "registry" in namespace "other"');
  });

  test('one in the same namespace, one named by reference, and one of a pod with no namespace are taken', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const account = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'reader' } });
    expect(() => new LoggingSidecarPod(chart, 'a', { serviceAccount: account, podName: 'a' })).not.toThrow();
    expect(() => new LoggingSidecarPod(chart, 'b', { serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'ref', 'other'), podName: 'b' })).not.toThrow();
    const plain = Testing.chart();
    const elsewhere = new kplus.ServiceAccount(plain, 'sa', { metadata: { name: 'reader', namespace: 'admin' } });
    expect(() => new LoggingSidecarPod(plain, 'c', { serviceAccount: elsewhere })).not.toThrow();
  });
});
