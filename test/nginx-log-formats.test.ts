import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { LoggingSidecarPod, LogShipper } from '../lib';

// The Fluent Bit parsers, as they are shipped in the ConfigMap, against lines
// a real nginx writes in the official image's `main` format. Needs the nginx
// binary (Debian's nginx-light; .ci/run installs it).

const MAIN_FORMAT = '\'$remote_addr - $remote_user [$time_local] "$request" \''
  + ' \'$status $body_bytes_sent "$http_referer" \''
  + ' \'"$http_user_agent" "$http_x_forwarded_for"\'';

/** The regexes of parsers.conf, as synthesized, by parser name. */
function shippedParsers(): Record<string, RegExp> {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', { shipper: LogShipper.fluentBit() });
  const configMap = Testing.synth(chart).find(m => m.kind === 'ConfigMap');
  const parsers: Record<string, RegExp> = {};
  let name = '';
  for (const line of configMap.data['parsers.conf'].split('\n')) {
    const setting = /^\s+(Name|Regex)\s+(.*)$/.exec(line);
    if (setting?.[1] === 'Name') name = setting[2];
    if (setting?.[1] === 'Regex') parsers[name] = new RegExp(setting[2]);
  }
  return parsers;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function request(port: number, requestPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: requestPath, method, headers }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

let dir: string;
let nginx: ChildProcess;
let port: number;
let accessLines: string[];
let errorLines: string[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-formats-'));
  fs.chmodSync(dir, 0o755); // nginx workers run as an unprivileged user when started as root
  fs.mkdirSync(path.join(dir, 'html'));
  fs.writeFileSync(path.join(dir, 'html', 'index.html'), '<h1>hello</h1>\n');
  port = await freePort();
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `
    pid ${dir}/nginx.pid;
    error_log ${dir}/error.log notice;
    events {}
    http {
      log_format main ${MAIN_FORMAT};
      access_log ${dir}/access.log main;
      client_body_temp_path ${dir}/body;
      proxy_temp_path ${dir}/proxy;
      fastcgi_temp_path ${dir}/fastcgi;
      uwsgi_temp_path ${dir}/uwsgi;
      scgi_temp_path ${dir}/scgi;
      server {
        listen 127.0.0.1:${port};
        root ${dir}/html;
        index index.html;
      }
    }`);
  const binary = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find(p => fs.existsSync(p));
  if (!binary) {
    throw new Error('nginx is not installed: apt-get install nginx-light (as .ci/run does)');
  }
  execFileSync(binary, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'pipe' });
  nginx = spawn(binary, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' });
  const deadline = Date.now() + 5000;
  while (!(await request(port, '/').then(() => true, () => false))) {
    if (Date.now() > deadline) throw new Error('nginx did not start');
    await new Promise(resolve => setTimeout(resolve, 50));
  }

  await request(port, '/index.html?q=1&r=%20x', { 'User-Agent': 'curl/8.0 "quoted" (test)', 'X-Forwarded-For': '203.0.113.9, 10.0.0.1', 'Referer': 'https://example.com/a' });
  await request(port, '/missing-page');
  await request(port, '/', {}, 'POST');
  accessLines = fs.readFileSync(path.join(dir, 'access.log'), 'utf8').trim().split('\n');
  errorLines = fs.readFileSync(path.join(dir, 'error.log'), 'utf8').trim().split('\n');
}, 20000);

afterAll(() => {
  nginx?.kill('SIGQUIT');
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
