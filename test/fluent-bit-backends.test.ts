import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { FluentBitAuth, FluentBitFile, FluentBitOutput, LoggingSidecarPod, LogShipper } from '../lib';
import { logLine } from './delivery-pipeline';
import { configOf, containerEnvironment, expectEachOnce, FluentBit, freePort, mountedFiles, outputMetrics as metricsOf, POD_ENVIRONMENT, remap, startFluentBit, waitFor } from './fluent-bit-process';
import { HttpsReceiver, startHttpsReceiver } from './https-receiver';
import { LogReceiver, receiverPorts, startReceiver } from './log-receiver';
import { makeTlsFixture, TlsFixture } from './tls-fixture';

// Each output as a production backend needs it, run for real: a shipper per
// case runs the construct's configuration, its credentials in the
// environment as the kubelet sets them from the chart's Secrets, its
// certificates in files as the kubelet mounts them. The receivers are a
// Fluent Bit serving TLS (its http, elasticsearch, splunk with a token and
// forward with a shared key inputs), the same requiring client certificates,
// and an HTTPS endpoint that checks the Authorization header.

const LINES = 5;
const basic = (user: string) => 'Basic ' + Buffer.from(`${user}:s3cret pass`).toString('base64');

let dir: string;
let tls: TlsFixture;
let receiver: LogReceiver;
let mtlsEndpoint: HttpsReceiver;
let basicAuthEndpoint: HttpsReceiver;
let bearerEndpoint: HttpsReceiver;
const shippers: { [name: string]: FluentBit } = {};
const manifests: { [name: string]: any[] } = {};

/** The chart's Secrets, with values as a user would create them. */
function secrets(chart: any) {
  const pem = (file: string) => fs.readFileSync(file, 'utf8');
  return {
    credentials: new kplus.Secret(chart, 'credentials', {
      metadata: { name: 'backend-credentials' },
      stringData: {
        'username': 'es-writer', 'password': 's3cret pass', 'token': 'bearer-t0ken', 'hec-token': 'right-token',
        'wrong-hec-token': 'wrong-token', 'shared-key': 'right-key', 'wrong-shared-key': 'wrong-key', 'api-key': 'k3y-from-secret',
      },
    }),
    certificates: new kplus.Secret(chart, 'certificates', {
      metadata: { name: 'shipper-tls' },
      stringData: { 'tls.crt': pem(tls.clientCertFile), 'tls.key': pem(tls.clientKeyFile) },
    }),
    bundle: new kplus.ConfigMap(chart, 'bundle', {
      metadata: { name: 'ca-bundle' },
      data: { 'ca.crt': pem(tls.caFile), 'wrong-ca.crt': pem(tls.wrongCaFile) },
    }),
  };
}

type Secrets = ReturnType<typeof secrets>;
const value = (secret: kplus.ISecret, key: string): kplus.SecretValue => ({ secret, key });

/** The cases: each a shipper with one output. */
const CASES: { [name: string]: (s: Secrets) => FluentBitOutput } = {
  'splunk, right CA, right token': s => FluentBitOutput.splunk({
    host: 'localhost', port: receiver.splunkPort, tls: true,
    tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'), token: value(s.credentials, 'hec-token'),
  }),
  'splunk, right CA, wrong token': s => FluentBitOutput.splunk({
    host: 'localhost', port: receiver.splunkPort, tls: true,
    tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'), token: value(s.credentials, 'wrong-hec-token'),
  }),
  'loki, wrong CA': s => FluentBitOutput.loki({
    host: 'localhost', port: receiver.lokiPort, tls: true, tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'wrong-ca.crt'),
  }),
  'loki, right CA, certificate for another name': s => FluentBitOutput.loki({
    host: '127.0.0.1', port: receiver.lokiPort, tls: true, tlsServerName: 'elsewhere.example',
    tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'),
  }),
  'loki, right CA, pod labels': s => FluentBitOutput.loki({
    host: 'localhost', port: receiver.lokiPort, tls: true, tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'),
    labels: { job: 'nginx', pod: '${POD_NAME}', namespace: '${POD_NAMESPACE}' },
  }),
  'opensearch, right CA': s => FluentBitOutput.openSearch({
    host: 'localhost', port: receiver.elasticsearchPort, tls: true, tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'), index: 'nginx-os',
  }),
  'forward, right CA, right shared key': s => FluentBitOutput.forward({
    host: 'localhost', port: receiver.forwardPort, tls: true, tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'),
    sharedKey: value(s.credentials, 'shared-key'),
  }),
  'forward, right CA, wrong shared key': s => FluentBitOutput.forward({
    host: 'localhost', port: receiver.forwardPort, tls: true, tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'),
    sharedKey: value(s.credentials, 'wrong-shared-key'),
  }),
  'http, mutual TLS with a client certificate': s => FluentBitOutput.http({
    host: 'localhost', port: mtlsEndpoint.port, tls: true, uri: '/mtls', tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'),
    tlsClientCertificate: FluentBitFile.fromSecret(s.certificates, 'tls.crt'), tlsClientKey: FluentBitFile.fromSecret(s.certificates, 'tls.key'),
  }),
  'http, mutual TLS without a client certificate': s => FluentBitOutput.http({
    host: 'localhost', port: mtlsEndpoint.port, tls: true, uri: '/no-client-cert', tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'),
  }),
  'loki, basic auth from a Secret, tenant': s => FluentBitOutput.loki({
    host: 'localhost', port: basicAuthEndpoint.port, tls: true, tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'), tenantId: 'team-a',
    auth: FluentBitAuth.basic({ username: 'nginx-shipper', password: value(s.credentials, 'password') }),
  }),
  'elasticsearch, user and password from a Secret': s => FluentBitOutput.elasticsearch({
    host: 'localhost', port: basicAuthEndpoint.port, tls: true, tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'),
    auth: FluentBitAuth.basic({ usernameSecret: value(s.credentials, 'username'), password: value(s.credentials, 'password') }),
  }),
  'loki, bearer token': s => FluentBitOutput.loki({
    host: 'localhost', port: bearerEndpoint.port, tls: true, tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'),
    auth: FluentBitAuth.bearerToken(value(s.credentials, 'token')),
  }),
  'http, bearer token and headers': s => FluentBitOutput.http({
    host: 'localhost', port: bearerEndpoint.port, tls: true, uri: '/bearer', tlsCa: FluentBitFile.fromConfigMap(s.bundle, 'ca.crt'),
    auth: FluentBitAuth.bearerToken(value(s.credentials, 'token')),
    headers: { 'X-Source': 'nginx sidecar' }, secretHeaders: { 'X-Api-Key': value(s.credentials, 'api-key') },
  }),
  'custom http, its password and CA from a Secret and a ConfigMap': s => FluentBitOutput.custom('http', {
    'host': 'localhost', 'port': String(basicAuthEndpoint.port), 'uri': '/custom', 'format': 'json', 'tls': 'on', 'tls.verify': 'on',
    'http_user': 'nginx-shipper',
  }, {
    secretSettings: { http_passwd: value(s.credentials, 'password') },
    fileSettings: { 'tls.ca_file': FluentBitFile.fromConfigMap(s.bundle, 'ca.crt') },
  }),
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-bit-backends-'));
  tls = makeTlsFixture(path.join(dir, 'pki'));
  const serverTls = { certFile: tls.serverCertFile, keyFile: tls.serverKeyFile };
  [receiver, mtlsEndpoint, basicAuthEndpoint, bearerEndpoint] = await Promise.all([
    startReceiver(path.join(dir, 'receiver'), await receiverPorts(), { tls: serverTls, forwardSharedKey: 'right-key' }),
    startHttpsReceiver({ ...serverTls, clientCaFile: tls.caFile }),
    startHttpsReceiver({ ...serverTls, acceptedAuthorizations: [basic('nginx-shipper'), basic('es-writer')] }),
    startHttpsReceiver({ ...serverTls, acceptedAuthorizations: ['Bearer bearer-t0ken'] }),
  ]);
  const logDirectory = path.join(dir, 'logs');
  fs.mkdirSync(logDirectory);
  for (const file of ['access.log', 'error.log']) {
    fs.writeFileSync(path.join(logDirectory, file), Array.from({ length: LINES }, (_, i) => logLine(file, i + 1) + '\n').join(''));
  }
  await Promise.all(Object.entries(CASES).map(async ([name, output], i) => {
    const chart = Testing.chart();
    new LoggingSidecarPod(chart, 'pod', { shipper: LogShipper.fluentBit({ outputs: [output(secrets(chart))] }) });
    manifests[name] = Testing.synth(chart);
    const sidecar = manifests[name].find(m => m.kind === 'Pod').spec.containers.find((c: any) => c.name === 'sidecar-container');
    const files = mountedFiles(manifests[name], sidecar, path.join(dir, `files-${i}`));
    const config = remap(configOf(manifests[name]), {
      paths: { '/var/log/nginx': logDirectory, '/var/lib/logging-sidecar': path.join(dir, `state-${i}`), ...files },
      httpPort: await freePort(),
    });
    // As the kubelet sets them: the Secret's values, the pod's fields.
    const secretData = (name_: string, key: string) => manifests[name].find(m => m.kind === 'Secret' && m.metadata.name === name_).stringData[key];
    shippers[name] = await startFluentBit(config, dir, `shipper-${i}`, containerEnvironment(sidecar, secretData));
  }));
  const everyLine = (records: any[]) => records.filter(r => /\/seq\/|seq\//.test(r.path ?? r.message ?? '')).length >= 2 * LINES;
  await waitFor(() => {
    const r = receiver.records();
    return everyLine(r.splunk) && everyLine(r.forward) && everyLine(r.elasticsearch)
      && mtlsEndpoint.requests.length >= 2
      && basicAuthEndpoint.requests.filter(q => q.status === 200).length >= 3 && bearerEndpoint.requests.filter(q => q.status === 200).length >= 2;
  }, 'every case that should ship to have shipped', 20000);
}, 60000);

afterAll(async () => {
  await Promise.all(Object.values(shippers).map(s => s.stop('SIGKILL')));
  await Promise.all([receiver?.stop(), mtlsEndpoint?.close(), basicAuthEndpoint?.close(), bearerEndpoint?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
}, 20000);

/** The numbers of the access lines among records, in order. */
const accessLines = (records: any[]) => records.filter(r => r.file?.endsWith('access.log')).map(r => Number(/\/seq\/(\d+)/.exec(r.path)![1]));
const ALL = Array.from({ length: LINES }, (_, i) => i + 1);

const outputMetrics = (name: string) => metricsOf(shippers[name]);
const expectEveryLineOnce = (lines: number[], shipper: string) => expectEachOnce(lines, ALL, shippers[shipper]);

describe('TLS', () => {
  test('with the CA from a ConfigMap, splunk, opensearch and forward ship every line once', async () => {
    const records = receiver.records();
    await expectEveryLineOnce(accessLines(records.splunk), 'splunk, right CA, right token');
    await expectEveryLineOnce(accessLines(records.elasticsearch), 'opensearch, right CA');
    await expectEveryLineOnce(accessLines(records.forward), 'forward, right CA, right shared key');
    expect(records.elasticsearch[0]['@meta']).toEqual({ create: { _index: 'nginx-os' } });
  });

  test('a wrong CA fails visibly: a verification error in the log, retries and nothing delivered in the metrics', async () => {
    const name = 'loki, wrong CA';
    await waitFor(async () => (await outputMetrics(name)).retries > 0, 'a retry', 10000);
    expect(shippers[name].output()).toMatch(/\[error\] \[tls\] certificate verification failed, reason: unable to get local issuer certificate/);
    expect(await outputMetrics(name)).toMatchObject({ delivered: 0 });
  });

  test('a certificate of the right CA for another host name fails: the host name is verified too', async () => {
    const name = 'loki, right CA, certificate for another name';
    await waitFor(async () => (await outputMetrics(name)).retries > 0, 'a retry', 10000);
    expect(shippers[name].output()).toMatch(/\[error\] \[tls\] certificate verification failed, reason: hostname mismatch/i);
    expect(await outputMetrics(name)).toMatchObject({ delivered: 0 });
  });

  test('mutual TLS: the client certificate from a Secret is accepted; without one the receiver refuses', async () => {
    const delivered = mtlsEndpoint.requests.filter(r => r.url === '/mtls').flatMap(r => JSON.parse(r.body));
    expect(accessLines(delivered)).toEqual(ALL);
    const name = 'http, mutual TLS without a client certificate';
    await waitFor(async () => (await outputMetrics(name)).retries > 0, 'a retry', 10000);
    expect(await outputMetrics(name)).toMatchObject({ delivered: 0 });
    expect(mtlsEndpoint.requests.filter(r => r.url === '/no-client-cert')).toEqual([]);
  });
});

describe('credentials from Secrets', () => {
  test('the receiving splunk input accepts the right token and answers 401 to a wrong one', async () => {
    const name = 'splunk, right CA, wrong token';
    // Generous bounds (jest's default 5 s included): with the whole suite on two cores, the 401 can come late; a pass returns at once.
    await waitFor(() => /http_status=401/.test(shippers[name].output()), 'the 401', 20000);
    expect(await outputMetrics(name)).toMatchObject({ delivered: 0 });
    // The receiver has every line (beforeAll); the sender counts a chunk once the 200 for it is in.
    await waitFor(async () => (await outputMetrics('splunk, right CA, right token')).delivered === 2 * LINES, 'every line counted as delivered', 15000);
  }, 40000);

  test('forward: the receiver accepts the right shared key and refuses a wrong one', async () => {
    const name = 'forward, right CA, wrong shared key';
    await waitFor(async () => (await outputMetrics(name)).retries > 0, 'a retry', 10000);
    expect(await outputMetrics(name)).toMatchObject({ delivered: 0 });
    expect(shippers[name].output()).toMatch(/shared_key|handshake|authentication/i);
  }, 15000);

  test('basic auth: Loki (with its tenant), Elasticsearch and a custom output send the password from the Secret', () => {
    const accepted = basicAuthEndpoint.requests.filter(r => r.status === 200);
    expect(new Set(accepted.map(r => r.url.split('?')[0]))).toEqual(new Set(['/loki/api/v1/push', '/_bulk', '/custom']));
    expect(accepted.map(r => [r.url.split('?')[0], r.headers.authorization])).toEqual(expect.arrayContaining([
      ['/loki/api/v1/push', basic('nginx-shipper')], ['/custom', basic('nginx-shipper')], ['/_bulk', basic('es-writer')],
    ]));
    expect(accepted.find(r => r.url === '/loki/api/v1/push')!.headers['x-scope-orgid']).toBe('team-a');
    expect(basicAuthEndpoint.requests.filter(r => r.status !== 200)).toEqual([]);
  });

  test('bearer token: Loki and HTTP send it, HTTP with its plain and secret headers', () => {
    const accepted = bearerEndpoint.requests.filter(r => r.status === 200);
    expect(new Set(accepted.map(r => r.url))).toEqual(new Set(['/loki/api/v1/push', '/bearer']));
    const http = accepted.find(r => r.url === '/bearer')!;
    expect(http.headers).toMatchObject({ 'x-source': 'nginx sidecar', 'x-api-key': 'k3y-from-secret' });
  });

  test('no secret value is in any ConfigMap; each reaches the sidecar from secretKeyRef', () => {
    for (const [name, objects] of Object.entries(manifests)) {
      const secretValues = objects.filter(m => m.kind === 'Secret').flatMap(m => Object.values(m.stringData) as string[]);
      const configMaps = JSON.stringify(objects.filter(m => m.kind === 'ConfigMap' && m.metadata.name !== 'ca-bundle'));
      for (const secret of secretValues) {
        expect({ name, found: configMaps.includes(secret.trim().split('\n')[1] ?? secret) }).toEqual({ name, found: false });
      }
      const sidecar = objects.find(m => m.kind === 'Pod').spec.containers.find((c: any) => c.name === 'sidecar-container');
      const fromSecrets = sidecar.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.name);
      const config = JSON.stringify(configOf(objects));
      for (const variable of fromSecrets) expect(config).toContain(`\${${variable}}`);
    }
  });
});

describe('pod metadata', () => {
  test('every record carries the pod name, namespace, node and IP', () => {
    for (const record of receiver.records().splunk) {
      expect(record).toMatchObject({ pod_name: POD_ENVIRONMENT.POD_NAME, pod_namespace: POD_ENVIRONMENT.POD_NAMESPACE, node_name: 'node-1', pod_ip: '10.244.0.7' });
    }
  });

  test('Loki labels name the pod variables, filled in per pod', async () => {
    await waitFor(() => receiver.records().loki.length >= 2 * LINES, 'the loki records');
    expect(receiver.records().loki[0].labels).toEqual({ job: 'nginx', pod: 'webserver', namespace: 'default' });
  });
});
