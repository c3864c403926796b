import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import { LoggingSidecarPod, LoggingSidecarPodProps } from '../lib';
import { argvOf } from './kubelet';

// Runs the sidecar's command for real, with the system's /bin/sh (dash on
// Debian and Ubuntu, as in ubuntu:latest), against files the test writes.

/** The sidecar's command as its process receives it, after the kubelet's expansion. */
function sidecarCommand(props: LoggingSidecarPodProps): string[] {
  const construct = new LoggingSidecarPod(Testing.chart(), 'pod', props);
  return argvOf({ command: construct.sidecarContainer.command });
}

/** Runs `command` until it has printed `lines` lines or `timeoutMs` passes, then stops it. */
function runUntil(command: string[], lines: number, timeoutMs: number, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const stop = () => child.kill('SIGKILL');
    const timer = setTimeout(stop, timeoutMs);
    child.stdout.on('data', chunk => {
      out += chunk;
      if (out.split('\n').length > lines) stop();
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** Runs `body` in its own scratch directory; the tests run concurrently, as they mostly wait. */
function inScratch(body: (workDir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecar-script-'));
    try {
      await body(workDir);
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  };
}

test.concurrent('the default command prints both nginx logs, access log first, and repeats them', inScratch(async (workDir) => {
  // GIVEN the seed's command, pointed at a scratch copy of /var/log/nginx
  const logDirectory = path.join(workDir, 'nginx');
  fs.mkdirSync(logDirectory);
  fs.writeFileSync(path.join(logDirectory, 'access.log'), 'GET /a\n');
  fs.writeFileSync(path.join(logDirectory, 'error.log'), 'error b\n');
  const command = sidecarCommand({ logDirectory, readInterval: Duration.seconds(1) });

  // WHEN it runs for two passes
  const out = await runUntil(command, 4, 5000, workDir);

  // THEN each pass prints the whole of both files again
  expect(out.split('\n').slice(0, 4)).toEqual(['GET /a', 'error b', 'GET /a', 'error b']);
}));

test.concurrent('a hostile log directory reaches cat as one literal path and runs nothing', inScratch(async (workDir) => {
  // GIVEN a directory name made of shell syntax; it is legal in a mount path
  // (commands run in workDir, so a `touch pwned` that ran would leave workDir/pwned behind)
  const hostile = `x'; touch pwned; echo '$(touch pwned) \`touch pwned\` "$HOME" * ~ \\ ;|&<>`;
  const logDirectory = path.join(workDir, hostile);
  fs.mkdirSync(logDirectory);
  fs.writeFileSync(path.join(logDirectory, 'access.log'), 'line from the hostile directory\n');
  fs.writeFileSync(path.join(logDirectory, 'error.log'), '');
  const command = sidecarCommand({ logDirectory, readInterval: Duration.seconds(1) });

  // WHEN it runs one pass
  const out = await runUntil(command, 1, 5000, workDir);

  // THEN the file was read and no command in the name ran
  expect(out.split('\n')[0]).toBe('line from the hostile directory');
  expect(fs.existsSync(path.join(workDir, 'pwned'))).toBe(false);
}));

test.concurrent('a missing log file is reported by cat and the loop keeps going', inScratch(async (workDir) => {
  const logDirectory = path.join(workDir, 'nginx');
  fs.mkdirSync(logDirectory);
  fs.writeFileSync(path.join(logDirectory, 'access.log'), 'still here\n');
  const command = sidecarCommand({ logDirectory, readInterval: Duration.seconds(1) });

  const out = await runUntil(command, 2, 5000, workDir);

  expect(out.split('\n').slice(0, 2)).toEqual(['still here', 'still here']);
}));
