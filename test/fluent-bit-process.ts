import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import * as YAML from 'yaml';

// Runs the real Fluent Bit 3.2.10 (scripts/setup-test-tools.sh puts it in
// .tools/, or $FLUENT_BIT names it) on configurations the construct wrote.

/** The Fluent Bit binary the tests run. */
export function fluentBitBinary(): string {
  const binary = process.env.FLUENT_BIT ?? path.join(__dirname, '..', '.tools', 'fluent-bit', 'fluent-bit');
  if (!fs.existsSync(binary)) {
    throw new Error(`Fluent Bit 3.2.10 not found at ${binary}: run 'bash scripts/setup-test-tools.sh' (npm test does) or set FLUENT_BIT`);
  }
  return binary;
}

/**
 * A loopback port nobody listens on right now, below the kernel's ephemeral
 * range (32768 and up), so that no outgoing connection takes it before the
 * program the test starts binds it. Each jest worker draws from a range of
 * its own: a test that stops a receiver to restart it on the same port
 * leaves the port free meanwhile, and another worker must not take it.
 */
export async function freePort(): Promise<number> {
  const worker = Math.max(0, Number(process.env.JEST_WORKER_ID ?? 1) - 1) % PORT_RANGES;
  const first = 20000 + worker * PORTS_PER_RANGE;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = first + Math.floor(Math.random() * PORTS_PER_RANGE);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>(resolve => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port found in ${first}-${first + PORTS_PER_RANGE - 1}`);
}
/** 20000-31999, in one range per jest worker (jest.config.js runs 4). */
const PORT_RANGES = 4;
const PORTS_PER_RANGE = 3000;
/** Ports this process handed out already: two tests must not get the same one. */
const taken = new Set<number>();

/** GET on loopback; resolves with the status and body, or rejects when nothing answers. */
export function httpGet(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 2000 }, res => {
      let body = '';
      res.on('data', chunk => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** The Fluent Bit configuration object of a synthesized chart's ConfigMap. */
export function configOf(manifests: any[]): any {
  const configMaps = manifests.filter(m => m.kind === 'ConfigMap' && m.data?.['fluent-bit.yaml']);
  if (configMaps.length !== 1) {
    throw new Error(`expected one Fluent Bit ConfigMap, found ${configMaps.length}`);
  }
  // Read as libyaml (YAML 1.1) reads it, in which an unquoted `on` would be a boolean.
  return YAML.parse(configMaps[0].data['fluent-bit.yaml'], { version: '1.1' });
}

/** Where a configuration's pod paths go on this host, and the HTTP server's port. */
export interface Remap {
  /** Pod path prefix to host directory, such as `/var/log/nginx` to a temporary directory. */
  readonly paths: { [podPath: string]: string };
  /** The HTTP server's port (the pod's 2020 may be taken here). */
  readonly httpPort: number;
}

/**
 * The configuration with only its paths and its HTTP server moved to this
 * host: the pod's directories to temporary ones, the server to loopback.
 */
export function remap(config: any, where: Remap): any {
  const copy = JSON.parse(JSON.stringify(config));
  const move = (value: string) => {
    for (const [from, to] of Object.entries(where.paths)) {
      if (value === from || value.startsWith(`${from}/`)) return to + value.slice(from.length);
    }
    throw new Error(`no remapping for the pod path ${value}`);
  };
  copy.service.http_listen = '127.0.0.1';
  copy.service.http_port = String(where.httpPort);
  if (copy.service['storage.path']) copy.service['storage.path'] = move(copy.service['storage.path']);
  for (const input of copy.pipeline.inputs) {
    for (const key of ['path', 'db']) {
      if (input[key]) input[key] = move(input[key]);
    }
  }
  // Files from Secrets and ConfigMaps, such as tls.ca_file.
  for (const output of copy.pipeline.outputs) {
    for (const [key, value] of Object.entries(output)) {
      if (typeof value === 'string' && value.startsWith(`${SHIPPER_FILES}/`)) output[key] = move(value);
    }
  }
  return copy;
}

/** Where the construct mounts files from Secrets and ConfigMaps in the sidecar. */
const SHIPPER_FILES = '/fluent-bit/etc/logging-sidecar-files';

/**
 * Writes the files the kubelet would mount into `container` from Secrets and
 * ConfigMaps (each volume's items) under `hostRoot`, taking their content
 * from the manifests (`stringData` or `data`), or from `missing` for a Secret
 * or ConfigMap the chart only refers to. Returns the pod path to host
 * directory mapping for `remap`.
 */
export function mountedFiles(manifests: any[], container: any, hostRoot: string,
  missing: (kind: string, name: string, key: string) => string = () => { throw new Error('missing'); }): { [podPath: string]: string } {
  const pod = manifests.find(m => m.kind === 'Pod') ?? manifests.find(m => m.spec?.template)?.spec?.template;
  const volumes: any[] = pod.spec.volumes ?? [];
  const mapping: { [podPath: string]: string } = {};
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.find(v => v.name === mount.name);
    const source = volume?.secret ?? volume?.configMap;
    if (!source?.items || !mount.mountPath.startsWith(SHIPPER_FILES)) continue;
    const kind = volume.secret ? 'Secret' : 'ConfigMap';
    const name = volume.secret ? source.secretName : source.name;
    const object = manifests.find(m => m.kind === kind && m.metadata.name === name);
    const dir = path.join(hostRoot, mount.mountPath);
    fs.mkdirSync(dir, { recursive: true });
    for (const item of source.items) {
      const content = object?.stringData?.[item.key]
        ?? (object?.data?.[item.key] !== undefined ? (kind === 'Secret' ? Buffer.from(object.data[item.key], 'base64').toString() : object.data[item.key]) : undefined)
        ?? missing(kind, name, item.key);
      fs.writeFileSync(path.join(dir, item.path), content);
    }
    mapping[mount.mountPath] = dir;
  }
  return mapping;
}

/** Log lines that mean Fluent Bit refused or ignored part of its configuration, or failed. */
export function problems(log: string): string[] {
  return log.split('\n').filter(line =>
    /\[\s*(error|warn)\]/.test(line)
    || /unknown configuration property|could not configure property|invalid|cannot|failed/i.test(line));
}

/** A running Fluent Bit's output metrics: the records it delivered and the retries it scheduled. */
export async function outputMetrics(fluentBit: FluentBit): Promise<{ delivered: number; retries: number }> {
  const { body } = await httpGet(fluentBit.httpPort, '/api/v2/metrics/prometheus');
  const sum = (metric: string) => body.split('\n').filter(l => l.startsWith(`${metric}{`)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  return { delivered: sum('fluentbit_output_proc_records_total'), retries: sum('fluentbit_output_retries_total') };
}

/**
 * Every expected number received once, in order. Fluent Bit delivers at
 * least once: when an answer is lost (a busy machine, a timeout), it sends the
 * chunk again later, after the chunks that followed it. So a repeat, or a
 * chunk arriving late, is allowed only when the shipper's metrics counted a
 * retry; nothing may be lost either way.
 */
export async function expectEachOnce(received: number[], expected: number[], shipper: FluentBit): Promise<void> {
  if ((await outputMetrics(shipper)).retries === 0) {
    expect(received).toEqual(expected);
  } else {
    expect([...new Set(received)].sort((a, b) => a - b)).toEqual(expected);
  }
}

export interface FluentBit {
  readonly child: ChildProcess;
  readonly httpPort: number;
  /** Everything it wrote to stdout and stderr so far. */
  readonly output: () => string;
  /** Resolves with the exit code (or the signal's name) when it has exited. */
  readonly exited: Promise<number | string>;
  /** Sends a signal and waits for the exit. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | string>;
}

/**
 * The values the kubelet gives the sidecar's downward API variables, for a
 * pod `webserver` in `default` on `node-1`: every shipper configuration
 * names them (Fluent Bit refuses to start on an empty one).
 */
export const POD_ENVIRONMENT = { POD_NAME: 'webserver', POD_NAMESPACE: 'default', NODE_NAME: 'node-1', POD_IP: '10.244.0.7' };

/**
 * The environment the kubelet would give a container of a synthesized
 * manifest: downward API fields from POD_ENVIRONMENT, Secret keys as
 * `secretValue` gives them, plain values as they are.
 */
export function containerEnvironment(container: any,
  secretValue: (secret: string, key: string) => string = (secret, key) => `value-of-${secret}-${key}`): { [name: string]: string } {
  const fields: { [path: string]: string } = {
    'metadata.name': POD_ENVIRONMENT.POD_NAME, 'metadata.namespace': POD_ENVIRONMENT.POD_NAMESPACE,
    'spec.nodeName': POD_ENVIRONMENT.NODE_NAME, 'status.podIP': POD_ENVIRONMENT.POD_IP,
  };
  return Object.fromEntries((container.env ?? []).map((e: any) => {
    const ref = e.valueFrom?.secretKeyRef;
    const value = e.value ?? (ref ? secretValue(ref.name, ref.key) : fields[e.valueFrom?.fieldRef?.fieldPath]);
    if (value === undefined) throw new Error(`no value for the variable ${e.name} (${JSON.stringify(e.valueFrom)})`);
    return [e.name, value];
  }));
}

/**
 * Starts Fluent Bit on `config` (an object, written as YAML into `dir`) and
 * resolves once its health endpoint answers; rejects with its log if it exits first.
 */
export async function startFluentBit(config: any, dir: string, name = 'fluent-bit', env: NodeJS.ProcessEnv = {}): Promise<FluentBit> {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, typeof config === 'string' ? config : Yaml.stringify(config));
  const httpPort = Number(typeof config === 'string' ? /http_port:\s*"?(\d+)/.exec(config)![1] : config.service.http_port);
  const child = spawn(fluentBitBinary(), ['-c', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...POD_ENVIRONMENT, ...env } });
  let output = '';
  child.stdout!.on('data', chunk => { output += chunk; });
  child.stderr!.on('data', chunk => { output += chunk; });
  let done = false;
  const exited = new Promise<number | string>(resolve => child.on('exit', (code, signal) => {
    done = true;
    resolve(code ?? signal!);
  }));
  const fluentBit: FluentBit = {
    child,
    httpPort,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (!done) child.kill(signal);
      return exited;
    },
  };
  try {
    await waitFor(async () => {
      if (done) throw new Error(`exited with ${await exited}`);
      return httpGet(httpPort, '/api/v1/health').then(r => r.status === 200, () => false);
    }, `${name} to answer on /api/v1/health`);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start: ${(e as Error).message}\n${output}`);
  }
  return fluentBit;
}
