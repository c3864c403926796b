import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { LoggingSidecarPod, LogShipper } from '../lib';
import { configOf } from './fluent-bit-process';
import { Nginx, startNginx } from './nginx-process';

// The Fluent Bit parsers' regexes, as they are shipped in the ConfigMap, read
// with JavaScript's regex engine against lines a real nginx writes in the
// official image's `main` format: every field, one by one. The real Fluent
// Bit parses the same lines in test/fluent-bit-pipeline.test.ts.

/** The regexes of the configuration's parsers, as synthesized, by parser name. */
function shippedParsers(): Record<string, RegExp> {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', { shipper: LogShipper.fluentBit() });
  return Object.fromEntries(configOf(Testing.synth(chart)).parsers.map((p: any) => [p.name, new RegExp(p.regex)]));
}

let dir: string;
let nginx: Nginx;
let accessLines: string[];
let errorLines: string[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-formats-'));
  nginx = await startNginx(dir);
  await nginx.request('/index.html?q=1&r=%20x', { 'User-Agent': 'curl/8.0 "quoted" (test)', 'X-Forwarded-For': '203.0.113.9, 10.0.0.1', 'Referer': 'https://example.com/a' });
  await nginx.request('/missing-page');
  await nginx.request('/', {}, 'POST');
  accessLines = fs.readFileSync(path.join(nginx.logDirectory, 'access.log'), 'utf8').trim().split('\n');
  errorLines = fs.readFileSync(path.join(nginx.logDirectory, 'error.log'), 'utf8').trim().split('\n');
}, 20000);

afterAll(async () => {
  await nginx?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('nginx_main reads every field of real access-log lines in the main format', () => {
  const { nginx_main: main } = shippedParsers();
  const parsed = accessLines.map(line => {
    const match = main.exec(line);
    expect({ line, matched: !!match }).toEqual({ line, matched: true });
    return match!.groups!;
  });
  const forRequest = (p: string) => parsed.find(g => g.path === p)!;

  expect(forRequest('/index.html?q=1&r=%20x')).toMatchObject({
    remote: '127.0.0.1', user: '-', method: 'GET', protocol: 'HTTP/1.1', code: '200',
    referer: 'https://example.com/a',
    // nginx escapes a quote inside a variable as \x22.
    agent: 'curl/8.0 \\x22quoted\\x22 (test)',
    forwarded_for: '203.0.113.9, 10.0.0.1',
  });
  expect(Number(forRequest('/index.html?q=1&r=%20x').size)).toBe(15);
  expect(forRequest('/missing-page')).toMatchObject({ method: 'GET', code: '404', forwarded_for: '-' });
  expect(parsed.find(g => g.method === 'POST')).toMatchObject({ path: '/', code: '405' });
  expect(parsed[0].time).toMatch(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}$/);
});

test('nginx_error reads real error-log lines, such as the one a 404 writes', () => {
  const { nginx_error: error } = shippedParsers();
  const notFound = errorLines.find(line => line.includes('missing-page'));
  expect(notFound).toBeDefined();
  expect(error.exec(notFound!)?.groups).toMatchObject({ level: 'error', message: expect.stringContaining('open()') });
  for (const line of errorLines) {
    expect({ line, matched: error.test(line) }).toEqual({ line, matched: true });
  }
});

test('Fluent Bit\'s stock nginx parser reads the same lines wrong: the literal "-" becomes the host, forwarded-for is lost', () => {
  // From Fluent Bit's conf/parsers.conf; this is why the shipper brings its own.
  const stock = /^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)")/;
  const line = accessLines.find(l => l.includes('index.html'))!;
  const groups = stock.exec(line)!.groups!;
  expect(groups.host).toBe('-');
  expect(groups).not.toHaveProperty('forwarded_for');
});
