import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LoggingSidecar, LoggingSidecarPod, LoggingSidecarProps, LogReopen, LogShipper } from '../lib';
import { isNginxImage, parseImageReference, ImageReference } from '../lib/image-reference';
import { sleep, waitFor } from './fluent-bit-process';
import { argvOf } from './kubelet';

// After a rotation the writer must reopen its log file, or it goes on writing
// the renamed copy and the volume fills up. nginx's master is signalled by
// default, only on an nginx image; any other writer names its process and
// signal with reopenLogs, which reach the rotating programs as options.

/** A writer that is not nginx, in a Deployment. */
function appDeployment(chart: Chart, image = 'registry.example.com/team/app:1.0'): kplus.Deployment {
  return new kplus.Deployment(chart, 'App', {
    containers: [{ name: 'app', image, portNumber: 8080, securityContext: { ensureNonRoot: false } }],
  });
}

/** The sidecar on that Deployment, with the props given. */
function appSidecar(props: Partial<LoggingSidecarProps>, image?: string): { chart: Chart; sidecar: LoggingSidecar } {
  const chart = Testing.chart();
  const deployment = appDeployment(chart, image);
  const sidecar = new LoggingSidecar(chart, 'Logs', { workload: deployment, logWriter: deployment.containers[0], logDirectory: '/var/log/app', logFiles: ['app.log'], ...props });
  return { chart, sidecar };
}

const containerOf = (chart: Chart, name: string) => Testing.synth(chart)
  .find(m => m.kind === 'Deployment').spec.template.spec.containers.find((c: any) => c.name === name);

const PHP_FPM = () => LogReopen.signal({ processCommandLine: 'php-fpm: master process', signal: 'USR1' });
const HUP_APP = () => LogReopen.signal({ processCommandLine: '/app/server --serve', signal: 'HUP' });

describe('a writer that is not nginx', () => {
  test.each([
    ['volumeSizeLimit', { volumeSizeLimit: Size.mebibytes(64) }],
    ['rotateLogsAt', { rotateLogsAt: Size.mebibytes(8) }],
  ] as Array<[string, Partial<LoggingSidecarProps>]>)('fails to rotate with %s and no reopenLogs', (prop, props) => {
    expect(() => appSidecar({ shipper: LogShipper.stream(), ...props })).toThrow(`${prop} rotates the logs, so the writer must be `
      + 'told to reopen them, and only nginx images are known (SIGUSR1 to "nginx: master process"), got logWriter "app" with image '
      + '"registry.example.com/team/app:1.0": pass reopenLogs, such as LogReopen.signal({ processCommandLine: \'<start of its command line>\', '
      + 'signal: \'HUP\' }), or LogReopen.nginx() if it runs nginx');
  });

  test('rotates with reopenLogs: the stream shipper gets the process and the signal before its files', () => {
    const reopenLogs = HUP_APP();
    const { chart, sidecar } = appSidecar({ shipper: LogShipper.stream(), volumeSizeLimit: Size.mebibytes(64), reopenLogs });
    const argv = argvOf(containerOf(chart, 'sidecar-container'));
    const files = argv.lastIndexOf('--');
    expect(argv.slice(files - 6)).toEqual([
      '--reopen-process', '/app/server --serve', '--reopen-signal', 'HUP', '--state', '/var/lib/logging-sidecar', '--', '/var/log/app/app.log',
    ]);
    expect(sidecar.reopenLogs).toBe(reopenLogs);
    expect(String(sidecar.reopenLogs)).toBe('LogReopen.signal({ processCommandLine: "/app/server --serve", signal: "HUP" })');
  });

  test('rotates with reopenLogs: Fluent Bit\'s rotator gets the process and the signal before its files', () => {
    const { chart } = appSidecar({ shipper: LogShipper.fluentBit(), rotateLogsAt: Size.mebibytes(4), reopenLogs: PHP_FPM() });
    const argv = argvOf(containerOf(chart, 'sidecar-container-rotator'));
    expect(argv.slice(3)).toEqual(['--', '--rotate-bytes', String(4 * 2 ** 20), '--rotate-wait', '5',
      '--reopen-process', 'php-fpm: master process', '--reopen-signal', 'USR1', '--', '/var/log/app/app.log']);
  });

  test('a process command line with "$(" and "$$" reaches the program as written, through the kubelet\'s expansion', () => {
    const processCommandLine = 'app $(HOME) $$x';
    const { chart } = appSidecar({ shipper: LogShipper.stream(), rotateLogsAt: Size.mebibytes(4), reopenLogs: LogReopen.signal({ processCommandLine, signal: 'HUP' }) });
    const argv = argvOf(containerOf(chart, 'sidecar-container'));
    expect(argv[argv.indexOf('--reopen-process') + 1]).toBe(processCommandLine);
  });

  test('LogReopen.nginx() on an image nginx is not recognised in adds no options: nginx\'s are the programs\' defaults', () => {
    const { chart, sidecar } = appSidecar({ shipper: LogShipper.stream(), rotateLogsAt: Size.mebibytes(4), reopenLogs: LogReopen.nginx() }, 'registry.example.com/web/custom-nginx:2');
    const command: string[] = containerOf(chart, 'sidecar-container').command;
    expect(command).toContain('--rotate-bytes');
    expect(command).not.toContain('--reopen-process');
    expect(command).not.toContain('--reopen-signal');
    expect(String(sidecar.reopenLogs)).toBe('LogReopen.nginx()');
  });

  test('without rotation, there is nothing to reopen', () => {
    const { sidecar } = appSidecar({ shipper: LogShipper.stream() });
    expect(sidecar.rotateLogsAt).toBeUndefined();
    expect(sidecar.reopenLogs).toBeUndefined();
  });
});

describe('nginx images rotate without reopenLogs', () => {
  test.each([
    'nginx:1.27',
    'docker.io/library/nginx@sha256:' + 'a'.repeat(64),
    'mirror.example.com:5000/docker.io/library/nginx:1.27',
    'nginxinc/nginx-unprivileged:1.27.4',
    'ghcr.io/nginxinc/nginx-unprivileged:1.27.4',
    'mirror.example.com/nginxinc/nginx-unprivileged',
    'public.ecr.aws/nginx/nginx-unprivileged:stable',
  ])('%s gets LogReopen.nginx(), and the manifest no reopen options', image => {
    const { chart, sidecar } = appSidecar({ shipper: LogShipper.fluentBit(), volumeSizeLimit: Size.mebibytes(64) }, image);
    expect(String(sidecar.reopenLogs)).toBe('LogReopen.nginx()');
    const rotator = containerOf(chart, 'sidecar-container-rotator');
    expect(rotator.command.slice(-3)).toEqual(['5', '--', '/var/log/app/app.log']);
  });

  test.each(['bitnami/nginx:1.27', 'example.com/nginx-unprivileged', 'httpd:2.4', 'nginxinc/nginx-unprivileged-extra'])('%s is not taken for nginx', image => {
    expect(isNginxImage(parseImageReference(image) as ImageReference)).toBe(false);
  });

  test('LoggingSidecarPod rotates for nginx whatever its webImage is called, and its command is unchanged', () => {
    const make = (webImage?: string) => new LoggingSidecarPod(Testing.chart(), 'pod', { webImage, shipper: LogShipper.stream(), volumeSizeLimit: Size.mebibytes(64) });
    const custom = make('registry.example.com/web/custom-nginx:2');
    expect(String(custom.sidecar.reopenLogs)).toBe('LogReopen.nginx()');
    expect(custom.sidecarContainer.command).toEqual(make().sidecarContainer.command);
    expect(custom.sidecarContainer.command).not.toContain('--reopen-process');
  });
});

describe('bad input', () => {
  test.each([
    ['reopenLogs without rotation', () => appSidecar({ shipper: LogShipper.stream(), reopenLogs: HUP_APP() }),
      'reopenLogs applies only when the sidecar rotates logs (with rotateLogsAt or volumeSizeLimit), got '
      + 'LogReopen.signal({ processCommandLine: "/app/server --serve", signal: "HUP" })'],
    ['LogReopen.nginx() without rotation', () => appSidecar({ reopenLogs: LogReopen.nginx() }, 'nginx:1.27'),
      'reopenLogs applies only when the sidecar rotates logs (with rotateLogsAt or volumeSizeLimit), got LogReopen.nginx()'],
    ['reopenLogs given as options', () => appSidecar({ shipper: LogShipper.stream(), rotateLogsAt: Size.mebibytes(4), reopenLogs: { processCommandLine: 'app', signal: 'HUP' } as any }),
      'reopenLogs must be made with a LogReopen method such as LogReopen.signal(), got {"processCommandLine":"app","signal":"HUP"}'],
    ['a signal name with SIG', () => LogReopen.signal({ processCommandLine: 'app', signal: 'SIGHUP' }),
      'LogReopen.signal() signal must be one of "HUP", "USR1", "USR2", "WINCH", "ALRM" (a signal the writer catches to reopen its logs, named without "SIG"), got "SIGHUP"'],
    ['a signal that stops the writer', () => LogReopen.signal({ processCommandLine: 'app', signal: 'TERM' }),
      'LogReopen.signal() signal must be one of "HUP", "USR1", "USR2", "WINCH", "ALRM" (a signal the writer catches to reopen its logs, named without "SIG"), got "TERM"'],
    ['a signal number', () => LogReopen.signal({ processCommandLine: 'app', signal: 1 as any }),
      'LogReopen.signal() signal must be a string, got 1'],
    ['no signal', () => LogReopen.signal({ processCommandLine: 'app' } as any),
      'LogReopen.signal() signal must be a string, got undefined'],
    ['an empty process command line', () => LogReopen.signal({ processCommandLine: '', signal: 'HUP' }),
      'LogReopen.signal() processCommandLine must be the start of the writer\'s command line, not empty, got ""'],
    ['a NUL in the process command line', () => LogReopen.signal({ processCommandLine: 'app\0--serve', signal: 'HUP' }),
      'LogReopen.signal() processCommandLine must not contain NUL (U+0000): the NULs between the arguments in /proc/PID/cmdline '
      + 'are read as spaces, so write a space there, got "app\\u0000--serve"'],
    ['a line break in the process command line', () => LogReopen.signal({ processCommandLine: 'app\n', signal: 'HUP' }),
      'LogReopen.signal() processCommandLine must not contain a control character (U+000A), got "app\\n"'],
    ['a process command line kubectl reads as a number', () => LogReopen.signal({ processCommandLine: '0o17', signal: 'HUP' }),
      'LogReopen.signal() processCommandLine must not be a string that kubectl reads as another type: cdk8s writes it unquoted '
      + 'and kubectl reads it as the integer 15, got "0o17"'],
    ['a process command line that finds the sidecar\'s own programs', () => LogReopen.signal({ processCommandLine: 'perl', signal: 'HUP' }),
      'LogReopen.signal() processCommandLine must not match the sidecar\'s own programs, whose command lines start with "perl -e ", got "perl"'],
    ['no options', () => LogReopen.signal(undefined as any), 'LogReopen.signal() options must be an object, got undefined'],
  ] as Array<[string, () => unknown, string]>)('fails on %s', (_, make, message) => {
    expect(make).toThrow(message);
  });
});

// The rotator run for real, as the manifest says, with a writer that is not
// nginx: it reopens its log on SIGHUP and dies of SIGUSR1 (perl's default), so
// nginx's signal would stop it. The writer and the rotator share a new PID
// namespace, as the containers of a pod with shareProcessNamespace do.
describe('the rotator signals the process reopenLogs names', () => {
  /** Appends numbered lines; reopens on SIGHUP (or ignores it), and says so. */
  const WRITER = String.raw`
    my ($flag, $path, $count, $reopens) = @ARGV;
    my $reopen = 0;
    $SIG{HUP} = $reopens eq 'yes' ? sub { $reopen = 1 } : 'IGNORE';
    our $log;
    sub reopen { close $log; open($log, '>>', $path) or die $!; $log->autoflush(1); $reopen = 0; print "writer: reopened\n" }
    open($log, '>>', $path) or die $!;
    $log->autoflush(1);
    $| = 1;
    for my $i (1 .. $count) {
      reopen() if $reopen;
      printf $log "line %06d %s\n", $i, 'x' x 200;
      select(undef, undef, undef, 0.005) if $i % 20 == 0;
    }
    print "writer: done\n";
    while (1) { select(undef, undef, undef, 0.05); reopen() if $reopen }`;

  /**
   * The writer runs as `<dir>/bin/log-writer <dir>/bin/writer.pl --serve ...` (log-writer is
   * perl): its command line has NULs between the arguments, which reopenLogs writes as spaces.
   */
  function start(dir: string, rotateWait: Duration, lines: number, reopens: boolean) {
    const bin = path.join(dir, 'bin');
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(bin);
    fs.mkdirSync(logs);
    fs.symlinkSync(findPerl(), path.join(bin, 'log-writer'));
    fs.writeFileSync(path.join(bin, 'writer.pl'), WRITER);
    const processCommandLine = `${bin}/log-writer ${bin}/writer.pl --serve`;

    const { chart } = appSidecar({
      shipper: LogShipper.fluentBit({ rotateWait }),
      rotateLogsAt: Size.mebibytes(1),
      reopenLogs: LogReopen.signal({ processCommandLine, signal: 'HUP' }),
    });
    const rotator = argvOf(containerOf(chart, 'sidecar-container-rotator'))
      .map(word => word.startsWith('/var/log/app/') ? path.join(logs, word.slice('/var/log/app/'.length)) : word);
    expect(rotator.slice(rotator.indexOf('--reopen-process'), -1)).toEqual(['--reopen-process', processCommandLine, '--reopen-signal', 'HUP', '--']);

    const child = spawn('unshare', [
      '--pid', '--fork', '--mount-proc', '--kill-child=KILL',
      'sh', '-c', '"$WRITER_BIN" "$WRITER_PROGRAM" --serve "$LOG" "$COUNT" "$REOPEN" & exec "$@"', 'sh', ...rotator,
    ], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env, WRITER_BIN: path.join(bin, 'log-writer'), WRITER_PROGRAM: path.join(bin, 'writer.pl'),
        LOG: path.join(logs, 'app.log'), COUNT: String(lines), REOPEN: reopens ? 'yes' : 'no',
      },
    });
    let output = '';
    child.stdout!.on('data', chunk => { output += chunk; });
    child.stderr!.on('data', chunk => { output += chunk; });
    const exited = new Promise<void>(resolve => child.on('exit', () => resolve()));
    return { logs, output: () => output, stop: async () => { child.kill('SIGKILL'); await exited; } };
  }

  /** The line numbers in these files, in order. */
  const numbersIn = (...files: string[]) => files.flatMap(file => fs.readFileSync(file, 'utf8').split('\n').filter(l => l !== ''))
    .map(line => Number(line.split(' ')[1]));

  let dir: string;
  let stop: (() => Promise<void>) | undefined;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-reopen-')); });
  afterEach(async () => {
    await stop?.();
    stop = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('renames the file past rotateLogsAt, the writer reopens on SIGHUP, and no line is lost', async () => {
    // About 1.5 MiB: rotated once at 1 MiB. rotateWait 30 s: the copy stays (no Fluent Bit reads it) while the files are read here.
    const total = 7000;
    const pod = start(dir, Duration.seconds(30), total, true);
    stop = pod.stop;
    await waitFor(() => pod.output().includes('writer: done'), 'the writer to finish', 20000);
    await sleep(500);
    const [live, copy] = ['app.log', 'app.log.1'].map(f => path.join(pod.logs, f));
    expect(pod.output()).toMatch(/^writer: reopened$/m);
    expect(fs.statSync(copy).size).toBeGreaterThanOrEqual(2 ** 20);
    expect(numbersIn(copy, live)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Only the writer spoke: the rotator found it, and it reopened in time.
    expect(pod.output().split('\n').filter(l => l !== '' && !l.startsWith('writer: '))).toEqual([]);
  }, 30000);

  test('gives the file its name back when the writer does not reopen, naming the process', async () => {
    const total = 6000; // about 1.2 MiB: past the rotation size once
    const pod = start(dir, Duration.seconds(1), total, false);
    stop = pod.stop;
    await waitFor(() => pod.output().includes('did not reopen'), 'the rotator to give up', 15000);
    await waitFor(() => pod.output().includes('writer: done'), 'the writer to finish', 20000);
    const log = path.join(pod.logs, 'app.log');
    expect(pod.output()).toContain(`rotator: the process "${dir}/bin/log-writer ${dir}/bin/writer.pl --serve" did not reopen ${log} within 1 seconds, `
      + 'rotation undone and stopped for this file');
    expect(fs.existsSync(`${log}.1`)).toBe(false);
    expect(numbersIn(log)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  }, 30000);
});

function findPerl(): string {
  const found = (process.env.PATH ?? '').split(path.delimiter).map(d => path.join(d, 'perl')).find(p => fs.existsSync(p));
  if (!found) throw new Error('perl is not on the PATH');
  return found;
}
