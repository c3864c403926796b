import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { FluentBitOutput, LoggingSidecarPod, LogShipper } from '../lib';
import { splunkToken } from './fluent-bit-charts';
import { configOf, containerEnvironment, expectEachOnce, FluentBit, freePort, remap, startFluentBit, waitFor } from './fluent-bit-process';
import { LogReceiver, receiverPorts, startReceiver } from './log-receiver';
import { Nginx, startNginx } from './nginx-process';

// A real pipeline on this host: a real nginx writes its logs in the official
// image's `main` format, the real Fluent Bit runs the construct's
// configuration (only its paths moved to a temporary directory, its HTTP
// server to a free port), and a second Fluent Bit receives what the loki, es
// and splunk outputs send.

const REQUESTS = 60;

let dir: string;
let nginx: Nginx;
let receiver: LogReceiver;
let shipper: FluentBit;
let shipperConfig: any;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-bit-pipeline-'));
  nginx = await startNginx(path.join(dir, 'nginx'));
  receiver = await startReceiver(path.join(dir, 'receiver'), await receiverPorts());
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', {
    shipper: LogShipper.fluentBit({
      outputs: [
        FluentBitOutput.loki({ host: '127.0.0.1', port: receiver.lokiPort, labels: { job: 'nginx', app: 'webserver' } }),
        FluentBitOutput.elasticsearch({ host: '127.0.0.1', port: receiver.elasticsearchPort, index: 'nginx-access' }),
        FluentBitOutput.splunk({ host: '127.0.0.1', port: receiver.splunkPort, token: splunkToken() }),
      ],
    }),
  });
  const manifests = Testing.synth(chart);
  const sidecar = manifests.find(m => m.kind === 'Pod').spec.containers.find((c: any) => c.name === 'sidecar-container');
  shipperConfig = configOf(manifests);
  const config = remap(shipperConfig, {
    paths: { '/var/log/nginx': nginx.logDirectory, '/var/lib/logging-sidecar': path.join(dir, 'state') },
    httpPort: await freePort(),
  });
  // The token the kubelet would take from the Secret.
  const env = containerEnvironment(sidecar, () => receiver.splunkToken);
  shipper = await startFluentBit(config, dir, 'shipper', env);

  for (let i = 1; i <= REQUESTS; i++) {
    await nginx.request(`/index.html?request=${i}`, { 'User-Agent': `pipeline-test "${i}"` });
    if (i % 20 === 0) await nginx.request(`/missing-page-${i}`);
  }
  await waitFor(() => {
    const records = receiver.records();
    return [records.loki, records.elasticsearch, records.splunk].every(r => r.length >= REQUESTS + REQUESTS / 10);
  }, 'every access and error line at the receiver', 20000);
}, 40000);

afterAll(async () => {
  await shipper?.stop();
  await receiver?.stop();
  await nginx?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const requestNumbers = (records: any[]) => records.filter(r => r.file?.endsWith('access.log') && /request=/.test(r.path))
  .map(r => Number(/request=(\d+)/.exec(r.path)![1]));

describe.each(['loki', 'elasticsearch', 'splunk'] as const)('through the %s output', protocol => {
  test('every request arrives once, in order unless the shipper counted a retry', async () => {
    await expectEachOnce(requestNumbers(receiver.records()[protocol]), Array.from({ length: REQUESTS }, (_, i) => i + 1), shipper);
  });

  test('access lines arrive parsed by nginx_main', () => {
    const record = receiver.records()[protocol].find(r => r.path === '/index.html?request=7');
    expect(record).toMatchObject({
      remote: '127.0.0.1', user: '-', method: 'GET', protocol: 'HTTP/1.1',
      code: 200, size: 15, referer: '-',
      // nginx writes a quote inside a variable as \x22.
      agent: 'pipeline-test \\x227\\x22', forwarded_for: '-',
      file: path.join(nginx.logDirectory, 'access.log'),
    });
  });

  test('the error line of each 404 arrives once, parsed by nginx_error', async () => {
    const errors = receiver.records()[protocol].filter(r => r.file?.endsWith('error.log') && /missing-page/.test(r.message));
    await expectEachOnce(errors.map(r => Number(/missing-page-(\d+)/.exec(r.message)![1])), [20, 40, 60], shipper);
    expect(errors[0]).toMatchObject({ level: 'error', pid: expect.stringMatching(/^\d+$/), message: expect.stringContaining('open()') });
    // The 404 itself is an access line too.
    expect(receiver.records()[protocol].filter(r => r.path === '/missing-page-20').map(r => r.code)).toEqual([404]);
  });
});

test('Loki gets the labels as the stream, Elasticsearch the index', () => {
  expect(receiver.records().loki[0].labels).toEqual({ job: 'nginx', app: 'webserver' });
  expect(receiver.records().elasticsearch[0]['@meta']).toEqual({ create: { _index: 'nginx-access' } });
});

test('the Splunk token reaches Fluent Bit from the environment, never from the ConfigMap', () => {
  const splunk = shipperConfig.pipeline.outputs.find((o: any) => o.name === 'splunk');
  expect(splunk.splunk_token).toBe('${FLUENT_BIT_OUTPUT_2_SPLUNK_TOKEN}');
  expect(JSON.stringify(shipperConfig)).not.toContain(receiver.splunkToken);
});

test('rotation by rename, nginx reopening on SIGUSR1 while requests go on: every request arrives once', async () => {
  const access = path.join(nginx.logDirectory, 'access.log');
  const sent: number[] = [];
  const send = async (from: number, to: number) => {
    for (let i = from; i <= to; i++) {
      await nginx.request(`/index.html?rotation=${i}`);
      sent.push(i);
    }
  };
  await send(1, 20);
  fs.renameSync(access, `${access}.1`);
  await send(21, 40); // still written to the renamed file: nginx has not reopened yet
  process.kill(nginx.pid(), 'SIGUSR1');
  await waitFor(() => fs.existsSync(access), 'nginx to reopen its log', 5000);
  await send(41, 60);
  const rotated = (records: any[]) => records.filter(r => /rotation=/.test(r.path ?? '')).map(r => Number(/rotation=(\d+)/.exec(r.path)![1]));
  await waitFor(() => rotated(receiver.records().loki).length >= sent.length, 'the rotation requests', 15000);
  await new Promise(resolve => setTimeout(resolve, 1500));
  for (const protocol of ['loki', 'elasticsearch', 'splunk'] as const) {
    expect({ protocol, received: rotated(receiver.records()[protocol]) }).toEqual({ protocol, received: sent });
  }
  expect(shipper.output()).toMatch(/handle rotation\(\): .*access\.log => .*access\.log\.1/);
}, 30000);
