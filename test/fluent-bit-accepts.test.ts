import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ElasticsearchChart, FluentBitLokiChart, LokiTlsChart, SplunkChart } from '../examples';
import { FluentBitOutput, LoggingSidecarPod, LogShipper } from '../lib';
import { FLUENT_BIT_CHARTS, fluentBitPodProps } from './fluent-bit-charts';
import { configOf, containerEnvironment, freePort, httpGet, mountedFiles, problems, remap, sleep, startFluentBit, waitFor } from './fluent-bit-process';
import { makeTlsFixture, TlsFixture } from './tls-fixture';

// The real Fluent Bit 3.2.10 starts on every configuration the construct
// writes: each named chart of the tests, each example, and random option
// combinations. A dry run is not enough (it does not check plugin
// properties), so each one really starts, serves its health endpoint, runs
// for a moment, and its log must hold no error and no warning.

const RANDOM_CONFIGURATIONS = 16;

let workDir: string;
let tls: TlsFixture;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-bit-accepts-'));
  tls = makeTlsFixture(path.join(workDir, 'pki'));
});

/** A Secret's or ConfigMap's file the chart only refers to: a PEM of the kind its key names. */
function pemFor(_kind: string, _name: string, key: string): string {
  const file = /key/.test(key) ? tls.clientKeyFile : /ca/.test(key) ? tls.caFile : tls.clientCertFile;
  return fs.readFileSync(file, 'utf8');
}
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Starts Fluent Bit on the chart's configuration and returns its log, or throws with it. */
async function runConfiguration(manifests: any[]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(workDir, 'run-'));
  const config = configOf(manifests);
  const pod = manifests.find(m => ['Pod', 'Deployment'].includes(m.kind));
  const sidecar = [...(pod.spec.template?.spec ?? pod.spec).containers, ...((pod.spec.template?.spec ?? pod.spec).initContainers ?? [])]
    .find((c: any) => c.image.includes('fluent-bit'));
  // The sidecar's mounts, each to a directory of its own here.
  const paths: { [podPath: string]: string } = {};
  for (const mount of sidecar.volumeMounts) {
    paths[mount.mountPath] = fs.mkdtempSync(path.join(dir, 'mount-'));
  }
  // Certificates and keys, as the kubelet would mount them.
  Object.assign(paths, mountedFiles(manifests, sidecar, dir, pemFor));
  // What the kubelet would take from Secrets.
  const env = containerEnvironment(sidecar);
  const fluentBit = await startFluentBit(remap(config, { paths, httpPort: await freePort() }), dir, 'fluent-bit', env);
  await sleep(1500); // inputs and outputs are initialized; give the first flush and watcher a chance to complain
  const log = fluentBit.output();
  const code = await fluentBit.stop('SIGTERM');
  expect({ problems: problems(log), exitCode: code }).toEqual({ problems: [], exitCode: 0 });
  return log;
}

/** What one debug-level run of the service settings left to look at. */
interface ServiceRun {
  readonly log: string;
  /** What /api/v2/metrics/prometheus answered. */
  readonly metrics: string;
}
const logShows = (pattern: RegExp) => (run: ServiceRun) => expect(run.log).toMatch(pattern);

/**
 * Fluent Bit ignores an unknown key under `service` without a word, so each
 * service setting the construct writes is checked for what it does, as the
 * real program shows it at debug level or through its HTTP server. A new
 * setting needs a line here.
 */
const SERVICE_EVIDENCE: { [key: string]: (value: string) => (run: ServiceRun) => void } = {
  'flush': v => logShows(new RegExp(`flush time\\s+\\| ${v}\\.0+ seconds`)),
  'grace': v => logShows(new RegExp(`grace\\s+\\| ${v} seconds`)),
  'log_level': () => logShows(/\[debug\]/),
  'http_server': () => logShows(/\[http_server\] listen iface=/),
  'http_listen': v => logShows(new RegExp(`\\[http_server\\] listen iface=${v.replace(/\./g, '\\.')} `)),
  'http_port': v => logShows(new RegExp(`\\[http_server\\] listen iface=\\S+ tcp_port=${v}`)),
  // The health endpoint answered 200, or startFluentBit would have failed.
  'health_check': () => () => undefined,
  // The first retry of a chunk waits from the base up to four times the base: at most 4 s, where the default base is 5 s.
  'scheduler.base': v => run => {
    const wait = Number(/retry in (\d+) seconds/.exec(run.log)![1]);
    expect(wait).toBeGreaterThanOrEqual(Number(v));
    expect(wait).toBeLessThanOrEqual(4 * Number(v));
  },
  // Seen only after several retries: the 20 s outage of test/fluent-bit-outage.test.ts checks every wait against it.
  'scheduler.cap': () => () => expect(fs.readFileSync(path.join(__dirname, 'fluent-bit-outage.test.ts'), 'utf8')).toContain("service['scheduler.cap']"),
  'storage.path': v => logShows(new RegExp(`\\[storage\\] (created root path|root path) ${v}`)),
  'storage.sync': v => logShows(new RegExp(`\\[storage\\] ver=\\S+, type=memory\\+filesystem, sync=${v},`)),
  'storage.checksum': v => logShows(new RegExp(`\\[storage\\] ver=.*checksum=${v},`)),
  'storage.max_chunks_up': v => logShows(new RegExp(`\\[storage\\] ver=.*max_chunks_up=${v}$`, 'm')),
  'storage.backlog.mem_limit': v => logShows(new RegExp(`storage_backlog\\.\\d+\\] queue memory limit: ${(Number(v.replace('M', '')) * 1e6 / 2 ** 20).toFixed(1)}M`)),
  // The storage layer's gauges are among the Prometheus metrics only with storage.metrics on.
  'storage.metrics': () => run => expect(run.metrics).toMatch(/^fluentbit_storage_chunks \d+$/m),
};

describe('the real Fluent Bit accepts', () => {
  test('every service setting the construct writes, each seen taking effect', async () => {
    const dir = fs.mkdtempSync(path.join(workDir, 'service-'));
    const chart = Testing.chart();
    // A Loki nobody listens on, so that a chunk is retried.
    const closedPort = await freePort();
    new LoggingSidecarPod(chart, 'pod', {
      shipper: LogShipper.fluentBit({ outputs: [FluentBitOutput.stdout(), FluentBitOutput.loki({ host: '127.0.0.1', port: closedPort })] }),
    });
    const config = remap(configOf(Testing.synth(chart)), {
      paths: { '/var/log/nginx': dir, '/var/lib/logging-sidecar': path.join(dir, 'state') },
      httpPort: await freePort(),
    });
    expect(Object.keys(config.service).sort()).toEqual(Object.keys(SERVICE_EVIDENCE).sort());
    fs.writeFileSync(path.join(dir, 'access.log'), 'a line to retry\n');
    const fluentBit = await startFluentBit({ ...config, service: { ...config.service, log_level: 'debug' } }, dir);
    await waitFor(() => /retry in \d+ seconds/.test(fluentBit.output()), 'a retry', 8000);
    const metrics = (await httpGet(fluentBit.httpPort, '/api/v2/metrics/prometheus')).body;
    await fluentBit.stop('SIGKILL');
    const run = { log: fluentBit.output(), metrics };
    for (const [key, value] of Object.entries<string>(config.service)) {
      SERVICE_EVIDENCE[key](value)(run);
    }
  }, 20000);

  test.concurrent.each(Object.keys(FLUENT_BIT_CHARTS))('the configuration of %s', async (name) => {
    const log = await runConfiguration(Testing.synth(FLUENT_BIT_CHARTS[name]()));
    // It really read the configuration: the tail inputs and the outputs started.
    expect(log).toMatch(/\[input:tail:tail\.0\] initializing/);
    expect(log).toMatch(/\[output:\w+:\w+\.0\] worker #0 started|\[output:stdout:stdout\.0\]|\[ info\] \[output:/);
  }, 20000);

  const EXAMPLES: { [name: string]: (app: App) => Chart } = {
    'fluent-bit-loki': app => new FluentBitLokiChart(app, 'fluent-bit-loki'),
    'loki-tls': app => new LokiTlsChart(app, 'loki-tls'),
    'elasticsearch': app => new ElasticsearchChart(app, 'elasticsearch'),
    'splunk': app => new SplunkChart(app, 'splunk'),
  };
  test.concurrent.each(Object.keys(EXAMPLES))('the configuration of the %s example', async (name) => {
    await runConfiguration(Testing.synth(EXAMPLES[name](new App())));
  }, 20000);

  test.concurrent(`${RANDOM_CONFIGURATIONS} configurations of random options`, async () => {
    const samples = fc.sample(fluentBitPodProps, { numRuns: RANDOM_CONFIGURATIONS, seed: 9 });
    for (let i = 0; i < samples.length; i += 4) {
      await Promise.all(samples.slice(i, i + 4).map(async props => {
        const chart = Testing.chart();
        new LoggingSidecarPod(chart, 'pod', props);
        await runConfiguration(Testing.synth(chart));
      }));
    }
  }, 60000);
});
