import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { ElasticsearchChart, LokiTlsChart, SplunkChart } from '../examples';
import { configOf, containerEnvironment, expectEachOnce, FluentBit, freePort, mountedFiles, outputMetrics, remap, startFluentBit, waitFor } from './fluent-bit-process';
import { HttpsReceiver, startHttpsReceiver } from './https-receiver';
import { LogReceiver, receiverPorts, startReceiver } from './log-receiver';
import { Nginx, startNginx } from './nginx-process';
import { makeTlsFixture, TlsFixture } from './tls-fixture';

// Each backend example, as synthesized, ships real nginx lines through the
// real Fluent Bit to a receiver that checks what the backend would: its
// credentials, taken here from the Secrets the example names as the kubelet
// would, and TLS, verified against the CA the example mounts, for the
// Service name the example connects to (mapped to loopback). The receivers
// are Fluent Bit's splunk input (checking the token) and an HTTPS endpoint
// checking basic auth, not Loki, Elasticsearch or Splunk themselves.

const REQUESTS = 20;
/** The values of the Secrets the examples name, as a user would have created them. */
const SECRET_VALUES: { [secretAndKey: string]: string } = {
  'loki-credentials/password': 'loki pa55word',
  'elasticsearch-es-elastic-user/elastic': 'eck-generated-password',
  'splunk-hec-token/token': '8a7c2f0e-hec-token',
};
const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

let dir: string;
let tls: TlsFixture;
let nginx: Nginx;
let splunk: LogReceiver;
let loki: HttpsReceiver;
let elasticsearch: HttpsReceiver;
const shippers: { [example: string]: FluentBit } = {};

/** Starts the example's Fluent Bit with its output pointed at `port` on loopback, still verifying the example's host name. */
async function startExample(name: string, chart: (app: App) => Chart, port: number): Promise<void> {
  const manifests = Testing.synth(chart(new App()));
  const sidecar = manifests.find(m => m.kind === 'Pod').spec.containers.find((c: any) => c.name === 'sidecar-container');
  const files = mountedFiles(manifests, sidecar, path.join(dir, name), () => fs.readFileSync(tls.caFile, 'utf8'));
  const config = remap(configOf(manifests), {
    paths: { '/var/log/nginx': nginx.logDirectory, '/var/lib/logging-sidecar': path.join(dir, name, 'state'), ...files },
    httpPort: await freePort(),
  });
  const output = config.pipeline.outputs[0];
  Object.assign(output, { 'host': '127.0.0.1', 'port': String(port), 'tls.vhost': output.host });
  shippers[name] = await startFluentBit(config, dir, name, containerEnvironment(sidecar, (secret, key) => SECRET_VALUES[`${secret}/${key}`]));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backend-examples-'));
  tls = makeTlsFixture(path.join(dir, 'pki'), [
    'loki-gateway.monitoring.svc.cluster.local', 'elasticsearch-es-http.logging.svc.cluster.local', 'splunk-hec.logging.svc.cluster.local',
  ]);
  const serverTls = { certFile: tls.serverCertFile, keyFile: tls.serverKeyFile };
  [nginx, splunk, loki, elasticsearch] = await Promise.all([
    startNginx(path.join(dir, 'nginx')),
    startReceiver(path.join(dir, 'splunk'), await receiverPorts(), { tls: serverTls, splunkToken: SECRET_VALUES['splunk-hec-token/token'] }),
    startHttpsReceiver({ ...serverTls, acceptedAuthorizations: [basic('team-web', SECRET_VALUES['loki-credentials/password'])] }),
    startHttpsReceiver({ ...serverTls, acceptedAuthorizations: [basic('elastic', SECRET_VALUES['elasticsearch-es-elastic-user/elastic'])] }),
  ]);
  await Promise.all([
    startExample('loki-tls', app => new LokiTlsChart(app, 'loki-tls'), loki.port),
    startExample('elasticsearch', app => new ElasticsearchChart(app, 'elasticsearch'), elasticsearch.port),
    startExample('splunk', app => new SplunkChart(app, 'splunk'), splunk.splunkPort),
  ]);
  for (let i = 1; i <= REQUESTS; i++) {
    await nginx.request(`/index.html?example=${i}`);
  }
  await waitFor(() => [lokiRecords(), elasticsearchRecords(), splunk.records().splunk].every(r => requestNumbers(r).length >= REQUESTS),
    'every request at every backend', 20000);
}, 40000);

afterAll(async () => {
  await Promise.all(Object.values(shippers).map(s => s.stop('SIGKILL')));
  await Promise.all([nginx?.stop(), splunk?.stop(), loki?.close(), elasticsearch?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The records of Loki pushes: each value is a record as JSON, with its stream's labels. */
const lokiRecords = () => loki.requests.filter(r => r.status === 200).flatMap(r => JSON.parse(r.body).streams
  .flatMap((s: any) => s.values.map((v: any) => ({ labels: s.stream, ...JSON.parse(v[1]) }))));
/** The documents of Bulk API requests: every second line of each body. */
const elasticsearchRecords = () => elasticsearch.requests.filter(r => r.status === 200)
  .flatMap(r => r.body.trim().split('\n').filter((_, i) => i % 2 === 1).map(line => JSON.parse(line)));
const requestNumbers = (records: any[]) => records.filter(r => /example=/.test(r.path ?? '')).map(r => Number(/example=(\d+)/.exec(r.path)![1]));
const ALL = Array.from({ length: REQUESTS }, (_, i) => i + 1);

test('loki-tls: every request once, over TLS, with the password from its Secret and its tenant, labelled with the pod', async () => {
  await expectEachOnce(requestNumbers(lokiRecords()), ALL, shippers['loki-tls']);
  expect(loki.requests.map(r => r.status)).not.toContain(401);
  expect(loki.requests.every(r => r.headers['x-scope-orgid'] === 'team-web')).toBe(true);
  expect(lokiRecords()[0].labels).toEqual({ job: 'nginx', app: 'webserver', pod: 'webserver', namespace: 'default' });
});

test('elasticsearch: every request once, over TLS, as the user elastic with the password from its Secret', async () => {
  await expectEachOnce(requestNumbers(elasticsearchRecords()), ALL, shippers.elasticsearch);
  expect(elasticsearch.requests.map(r => [r.url, r.status])).toEqual(elasticsearch.requests.map(() => ['/_bulk', 200]));
  expect(elasticsearchRecords().find(r => r.path === '/index.html?example=1')).toMatchObject({ method: 'GET', code: 200, pod_name: 'webserver' });
});

test('splunk: every request once, over TLS, with the HEC token from its Secret', async () => {
  await expectEachOnce(requestNumbers(splunk.records().splunk), ALL, shippers.splunk);
  expect(splunk.records().splunk.find(r => r.path === '/index.html?example=1')).toMatchObject({ method: 'GET', code: 200, pod_name: 'webserver' });
});

test('each shipper verified the server as the Service name its example connects to; none logged an error or a warning unless it counted a retry', async () => {
  for (const shipper of Object.values(shippers)) {
    expect(shipper.output()).not.toMatch(/\[(error|warn)\].*(tls|certificate)/i);
    if ((await outputMetrics(shipper)).retries === 0) {
      expect(shipper.output()).not.toMatch(/\[(error|warn)\]/);
    }
  }
});
