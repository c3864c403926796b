import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { freePort, waitFor } from './fluent-bit-process';

// A real nginx (Debian's nginx-light; scripts/setup-test-tools.sh installs it)
// that writes its logs the way the official image does: the `main` format,
// and the error log at `notice`, so that a 404 writes an error line.

/** The official image's `log_format main`. */
export const MAIN_FORMAT = '\'$remote_addr - $remote_user [$time_local] "$request" \''
  + ' \'$status $body_bytes_sent "$http_referer" \''
  + ' \'"$http_user_agent" "$http_x_forwarded_for"\'';

export interface Nginx {
  readonly port: number;
  /** The directory access.log and error.log are written to. */
  readonly logDirectory: string;
  /** The master's pid, for SIGUSR1 (reopen the logs). */
  readonly pid: () => number;
  readonly request: (requestPath: string, headers?: Record<string, string>, method?: string) => Promise<number>;
  readonly stop: () => Promise<void>;
}

/** How nginx writes its access log, when not as the official image does. */
export interface NginxOptions {
  /** The access log's `log_format`, parameters and format strings, such as `escape=json '{...}'`. @default MAIN_FORMAT */
  readonly logFormat?: string;
  /** nginx's `TZ`, the zone of `$time_local` and `$time_iso8601`, such as `IST-5:30`. @default - this process's */
  readonly timeZone?: string;
}

/** Starts nginx with its files in `dir`, logging into `logDirectory` (default `dir/logs`). */
export async function startNginx(dir: string, logDirectory = path.join(dir, 'logs'), options: NginxOptions = {}): Promise<Nginx> {
  // nginx workers run as an unprivileged user when started as root: they must reach the files.
  fs.mkdirSync(dir, { recursive: true });
  for (let d = dir; d !== path.dirname(d) && d !== os.tmpdir(); d = path.dirname(d)) {
    fs.chmodSync(d, 0o755);
  }
  fs.mkdirSync(logDirectory, { recursive: true });
  fs.mkdirSync(path.join(dir, 'html'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'html', 'index.html'), '<h1>hello</h1>\n');
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `
    pid ${dir}/nginx.pid;
    error_log ${logDirectory}/error.log notice;
    events {}
    http {
      log_format main ${options.logFormat ?? MAIN_FORMAT};
      access_log ${logDirectory}/access.log main;
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
    throw new Error('nginx is not installed: apt-get install nginx-light (scripts/setup-test-tools.sh does)');
  }
  execFileSync(binary, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'pipe' });
  const env = options.timeZone === undefined ? process.env : { ...process.env, TZ: options.timeZone };
  const child: ChildProcess = spawn(binary, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore', env });
  const exited = new Promise<void>(resolve => child.on('exit', () => resolve()));
  const request = (requestPath: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: requestPath, method, headers, agent: false }, res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.end();
    });
  await waitFor(() => request('/').then(() => true, () => false), 'nginx to answer', 5000);
  return {
    port,
    logDirectory,
    pid: () => Number(fs.readFileSync(path.join(dir, 'nginx.pid'), 'utf8')),
    request,
    stop: async () => {
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
