import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { FluentBitAuth, FluentBitFile, FluentBitOutput, FluentBitParser, FluentBitShipperOptions, LoggingSidecar, LoggingSidecarPod, LoggingSidecarPodProps, LogShipper } from '../lib';

// Every Fluent Bit configuration the tests look at, by name, so that the test
// that starts the real Fluent Bit runs each of them, and a generator of
// random option combinations for the same test.

/** A Secret the chart only refers to, as a Splunk token would be given. */
let secrets = 0;
const SECRETS = Testing.chart();
export const splunkToken = (): kplus.SecretValue => ({
  secret: kplus.Secret.fromSecretName(SECRETS, `secret-${secrets++}`, 'splunk-hec'), key: 'token',
});

/** Secrets and ConfigMaps the charts only refer to. */
const CA_BUNDLE = kplus.ConfigMap.fromConfigMapName(SECRETS, 'ca-bundle', 'ca-bundle');
const CLIENT_TLS = kplus.Secret.fromSecretName(SECRETS, 'client-tls', 'client-tls');
const CREDENTIALS = kplus.Secret.fromSecretName(SECRETS, 'credentials', 'backend-credentials');
const secretKey = (key: string): kplus.SecretValue => ({ secret: CREDENTIALS, key });

/** Each output with every option set. */
export const EVERY_OUTPUT = () => [
  FluentBitOutput.stdout(),
  FluentBitOutput.loki({ host: 'loki.monitoring.svc', labels: { job: 'nginx', cluster: 'prod-1' }, tenantId: 'team-a' }),
  FluentBitOutput.elasticsearch({ host: 'es.logging.svc', tls: true, index: 'nginx-access' }),
  FluentBitOutput.splunk({ host: 'splunk-hec.logging.svc', port: 8088, tls: true, token: splunkToken() }),
  FluentBitOutput.http({ host: '10.0.0.7', port: 8080, uri: '/ingest?source=nginx' }),
  FluentBitOutput.openSearch({
    host: 'opensearch.logging.svc', tls: true, index: 'nginx-os', tlsCa: FluentBitFile.fromConfigMap(CA_BUNDLE, 'ca.crt'),
    auth: FluentBitAuth.basic({ usernameSecret: secretKey('username'), password: secretKey('password') }),
  }),
  FluentBitOutput.forward({
    host: 'fluentd.logging.svc', tls: true, tlsServerName: 'aggregator.example', sharedKey: secretKey('shared-key'),
    tlsClientCertificate: FluentBitFile.fromSecret(CLIENT_TLS, 'tls.crt'), tlsClientKey: FluentBitFile.fromSecret(CLIENT_TLS, 'tls.key'),
  }),
  FluentBitOutput.loki({
    host: 'loki.example.com', port: 443, tls: true, auth: FluentBitAuth.bearerToken(secretKey('token')),
    labels: { pod: '${POD_NAME}', namespace: '${POD_NAMESPACE}', node: '${NODE_NAME}', ip: '${POD_IP}' },
    headers: { 'X-Source': 'nginx sidecar' }, secretHeaders: { 'X-Api-Key': secretKey('api-key') },
  }),
  FluentBitOutput.http({
    host: 'collector.example.com', tls: true, tlsVerify: false, auth: FluentBitAuth.basic({ username: 'nginx', password: secretKey('password') }),
  }),
  FluentBitOutput.custom('null', {}),
];

function pod(props: LoggingSidecarPodProps): Chart {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', props);
  return chart;
}

/** Named charts with a Fluent Bit sidecar. */
export const FLUENT_BIT_CHARTS: { [name: string]: () => Chart } = {
  'the defaults': () => pod({ shipper: LogShipper.fluentBit() }),
  'every output': () => pod({ shipper: LogShipper.fluentBit({ outputs: EVERY_OUTPUT() }) }),
  'every parser kind': () => pod({
    shipper: LogShipper.fluentBit({
      parsers: {
        'access.log': FluentBitParser.json({ timeKey: '@timestamp' }),
        'error.log': FluentBitParser.nginxError(),
        'upstream.log': FluentBitParser.nginxMain(),
        'orders.log': FluentBitParser.regex({ regex: '^(?<time>\\S+) (?<status>\\d+)', timeKey: 'time', timeFormat: '%s', types: { status: 'integer' } }),
        'app.log': FluentBitParser.multiline({
          firstLine: '^\\d{4}-', continuation: '^\\s', flushTimeout: Duration.millis(500),
          parser: FluentBitParser.regex({ regex: '^(?<level>[A-Z]+) (?<message>.*)' }),
        }),
        'worker.log': FluentBitParser.builtInMultiline('go', { parser: FluentBitParser.json() }),
        'raw.log': FluentBitParser.none(),
      },
    }),
    logFiles: ['access.log', 'error.log', 'upstream.log', 'orders.log', 'app.log', 'worker.log', 'raw.log'],
  }),
  'memory buffering, custom limits and intervals, a file with no parser': () => pod({
    shipper: LogShipper.fluentBit({
      filesystemBuffering: false,
      memBufLimit: Size.mebibytes(8),
      rotateWait: Duration.seconds(12),
      flushInterval: Duration.seconds(3),
    }),
    logFiles: ['access.log', 'error.log', 'upstream.log'],
  }),
  'hardened, native sidecar, a log directory with spaces and unicode': () => pod({
    shipper: LogShipper.fluentBit({ outputs: [FluentBitOutput.loki({ host: '127.0.0.1', port: 3100 })] }),
    hardened: true,
    nativeSidecar: true,
    logDirectory: '/var/log/web server/日本',
  }),
  'the largest rotateWait, flushInterval and memBufLimit': () => pod({
    shipper: LogShipper.fluentBit({ rotateWait: Duration.days(1), flushInterval: Duration.hours(1), memBufLimit: Size.mebibytes(1048576) }),
  }),
  'rotation, hardened, a native sidecar': () => pod({
    shipper: LogShipper.fluentBit(), hardened: true, nativeSidecar: true, volumeSizeLimit: Size.mebibytes(64),
  }),
  'a Deployment': () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'web');
    const nginx = deployment.addContainer({ image: 'nginx:1.27', portNumber: 80 });
    new LoggingSidecar(chart, 'logs', {
      workload: deployment, logWriter: nginx, shipper: LogShipper.fluentBit({ outputs: [FluentBitOutput.http({ host: 'collector', tls: true })] }),
    });
    return chart;
  },
  'a Deployment with prometheusScrape, exposed by a Service': () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'web');
    const nginx = deployment.addContainer({ image: 'nginx:1.27', portNumber: 80 });
    new LoggingSidecar(chart, 'logs', { workload: deployment, logWriter: nginx, shipper: LogShipper.fluentBit({ prometheusScrape: true }) });
    deployment.exposeViaService();
    return chart;
  },
};

const host = fc.oneof(
  fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,8}){0,3}$/),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map(parts => parts.join('.')),
);
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const tls = fc.option(fc.boolean(), { nil: undefined });
const word = fc.stringMatching(/^[A-Za-z0-9_.:\/@+-]{1,20}$/);

const output: fc.Arbitrary<FluentBitOutput> = fc.oneof(
  fc.constant(null).map(() => FluentBitOutput.stdout()),
  fc.record({
    host, port, tls,
    labels: fc.option(fc.dictionary(fc.stringMatching(/^([A-Za-z][A-Za-z0-9_]{0,10}|_[A-Za-z0-9][A-Za-z0-9_]{0,9})$/), word, { minKeys: 1, maxKeys: 4 }), { nil: undefined }),
    tenantId: fc.option(word, { nil: undefined }),
  }).map(options => FluentBitOutput.loki(options)),
  fc.record({ host, port, tls, index: fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/), { nil: undefined }) })
    .map(options => FluentBitOutput.elasticsearch(options)),
  fc.record({ host, port, tls }).map(options => FluentBitOutput.splunk({ ...options, token: splunkToken() })),
  fc.record({ host, port, tls, uri: fc.option(fc.stringMatching(/^\/[A-Za-z0-9._~!&'()*+,;=:@%\/?-]{0,30}$/), { nil: undefined }) })
    .map(options => FluentBitOutput.http(options)),
  // TLS with its files, credentials and headers, on the outputs that take them.
  fc.record({ host, port, tls: fc.constant(true), withCa: fc.boolean(), withClient: fc.boolean(), serverName: fc.option(host, { nil: undefined }) })
    .map(({ withCa, withClient, serverName, ...options }) => FluentBitOutput.forward({
      ...options, tlsServerName: serverName, sharedKey: secretKey('shared-key'),
      tlsCa: withCa ? FluentBitFile.fromConfigMap(CA_BUNDLE, 'ca.crt') : undefined,
      tlsClientCertificate: withClient ? FluentBitFile.fromSecret(CLIENT_TLS, 'tls.crt') : undefined,
      tlsClientKey: withClient ? FluentBitFile.fromSecret(CLIENT_TLS, 'tls.key') : undefined,
    })),
  fc.record({ host, port, tls, bearer: fc.boolean(), headers: fc.dictionary(fc.stringMatching(/^X-[A-Za-z0-9-]{1,12}$/), word, { maxKeys: 3 }) })
    .map(({ bearer, ...options }) => FluentBitOutput.http({
      ...options, auth: bearer ? FluentBitAuth.bearerToken(secretKey('token')) : FluentBitAuth.basic({ username: 'nginx', password: secretKey('password') }),
    })),
  fc.record({ host, port, tls, index: fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/), { nil: undefined }) })
    .map(options => FluentBitOutput.openSearch({ ...options, auth: FluentBitAuth.basic({ usernameSecret: secretKey('user'), password: secretKey('password') }) })),
  fc.record({ host, port, tls, labels: fc.dictionary(fc.stringMatching(/^[a-z_]{1,10}$/), fc.constantFrom('${POD_NAME}', '${POD_NAMESPACE}', '${NODE_NAME}', '${POD_IP}', 'nginx'), { minKeys: 1, maxKeys: 4 }) })
    .map(options => FluentBitOutput.loki(options)),
);

const shipperOptions: fc.Arbitrary<FluentBitShipperOptions> = fc.record({
  outputs: fc.array(output, { minLength: 1, maxLength: 4 }),
  memBufLimit: fc.integer({ min: 1, max: 256 }).map(Size.mebibytes),
  rotateWait: fc.integer({ min: 1, max: 86400 }).map(Duration.seconds),
  flushInterval: fc.integer({ min: 1, max: 3600 }).map(Duration.seconds),
  filesystemBuffering: fc.boolean(),
  podMetadata: fc.boolean(),
  prometheusScrape: fc.boolean(),
}, { requiredKeys: [] });

// What Fluent Bit's tail may read: anything but a glob, a list or a variable.
const segment = fc.string({ unit: fc.constantFrom(...'abcXYZ019 ._-\'"`();|&<>~#!:@%+=üé日本✓'.split('')), minLength: 1, maxLength: 10 })
  .filter(s => s !== '.' && s !== '..');

/** Pod props with a Fluent Bit sidecar and random options. */
export const fluentBitPodProps: fc.Arbitrary<LoggingSidecarPodProps> = fc.record({
  shipper: shipperOptions.map(options => LogShipper.fluentBit(options)),
  logDirectory: fc.option(fc.array(segment, { minLength: 1, maxLength: 3 }).map(s => `/${s.join('/')}`), { nil: undefined }),
  logFiles: fc.option(fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,20}$/), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  hardened: fc.boolean(),
  nativeSidecar: fc.boolean(),
  healthChecks: fc.boolean(),
}, { requiredKeys: ['shipper'] });
