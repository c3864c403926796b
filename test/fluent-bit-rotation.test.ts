import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Duration, Size } from 'cdk8s';
import * as YAML from 'yaml';
import { DeliveryPipeline, deliveryPipelines, logLine } from './delivery-pipeline';
import { fluentBitBinary, POD_ENVIRONMENT, sleep, waitFor } from './fluent-bit-process';

// The Fluent Bit shipper rotates too: its rotator (rotator.pl, run by the real
// perl as the manifest says) renames a file past rotateLogsAt, signals nginx,
// and deletes the copy once the real Fluent Bit has read it to its end. The
// rotator, Fluent Bit and a stand-in for nginx share a new PID namespace, as
// the containers of a pod with shareProcessNamespace do, so the rotator finds
// this nginx and this Fluent Bit and no other.

const rotatorProgram = path.join(__dirname, '..', 'lib', 'shippers', 'fluent-bit', 'rotator.pl');

/**
 * A stand-in for nginx's master: named like it (the rotator finds it by that
 * name), it appends numbered access-log lines and reopens its log on SIGUSR1
 * a moment later, as nginx's workers do (or ignores the signal, as a hung nginx).
 */
const FAKE_NGINX = String.raw`
  $0 = 'nginx: master process nginx -g daemon off;';
  my ($path, $count, $reopens, $padding) = @ARGV;
  my $reopen = 0;
  $SIG{USR1} = $reopens eq 'yes' ? sub { $reopen = 1 } : 'IGNORE';
  our $log;
  open($log, '>>', $path) or die $!;
  $log->autoflush(1);
  sub reopen { close $log; open($log, '>>', $path) or die $!; $log->autoflush(1); $reopen = 0 }
  for my $i (1 .. $count) {
    reopen() if $reopen && ++$reopen > 20;
    print $log sprintf($ENV{LINE_FORMAT}, $i) . "\n";
    select(undef, undef, undef, 0.005) if $i % 10 == 0;
  }
  # Idle, it still reopens on the signal, as nginx does.
  while (1) { select(undef, undef, undef, 0.05); reopen() if $reopen }`;

interface Pod { readonly child: ChildProcess; readonly output: () => string; readonly stop: () => Promise<void> }

/** nginx, Fluent Bit and the rotator in one new PID namespace. */
function startPod(p: DeliveryPipeline, lines: number, reopens: boolean): Pod {
  const config = path.join(p.dir, 'shipper.yaml');
  fs.writeFileSync(config, YAML.stringify(p.config));
  const format = logLine('access.log', 999999, '-'.repeat(600)).replace('999999', '%d');
  const child = spawn('unshare', [
    '--pid', '--fork', '--mount-proc', '--kill-child=KILL',
    'sh', '-c', 'perl -e "$FAKE_NGINX" "$LOG" "$COUNT" "$REOPEN" & "$FLUENT_BIT" -c "$CONFIG" & exec "$@"', 'sh',
    ...p.rotatorCommand!,
  ], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, ...POD_ENVIRONMENT, FAKE_NGINX, LINE_FORMAT: format.replace(/%(?!d)/g, '%%'),
      LOG: path.join(p.logDirectory, 'access.log'), COUNT: String(lines), REOPEN: reopens ? 'yes' : 'no',
      FLUENT_BIT: fluentBitBinary(), CONFIG: config,
    },
  });
  let output = '';
  child.stdout!.on('data', chunk => { output += chunk; });
  child.stderr!.on('data', chunk => { output += chunk; });
  const exited = new Promise<void>(resolve => child.on('exit', () => resolve()));
  return { child, output: () => output, stop: async () => { child.kill('SIGKILL'); await exited; } };
}

/** The access-log line numbers the receiver got, in arrival order. */
const received = (p: DeliveryPipeline) => (p.receiver?.records().loki ?? [])
  .map(r => /\/seq\/(\d+)/.exec(r.path ?? '')).filter(m => m).map(m => Number(m![1]));

const pipelines = deliveryPipelines('fluent-bit-rotation');
/** The pods a test started beside its pipeline. */
const started: Array<() => Promise<void>> = [];
afterAll(async () => { await Promise.all(started.map(stop => stop())); });

async function pipeline(): Promise<DeliveryPipeline> {
  const p = await pipelines.create({
    // rotateWait 1 s: the writer adds less than 1 MiB per rotateWait, the rate rotation keeps up with.
    rotateLogsAt: Size.mebibytes(1), shipper: { rotateWait: Duration.seconds(1) },
  });
  await p.startReceiver();
  return p;
}

test('the program is lib/shippers/fluent-bit/rotator.pl, which perl compiles with strict and warnings', () => {
  const check = spawnSync('perl', ['-c', rotatorProgram], { encoding: 'utf8' });
  expect({ status: check.status, stderr: check.stderr.trim() }).toEqual({ status: 0, stderr: `${rotatorProgram} syntax OK` });
});

test.concurrent('rotates at rotateLogsAt, keeps the directory under twice that, and every line arrives once', async () => {
  const p = await pipeline();
  expect(p.rotatorCommand!.slice(3, 7)).toEqual(['--', '--rotate-bytes', String(2 ** 20), '--rotate-wait']);
  const total = 6000; // about 4 MiB of 700-byte lines, at about 1.5 MiB/s
  const pod = startPod(p, total, true);
  started.push(pod.stop);
  let largest = 0;
  let copies = 0;
  const watch = setInterval(() => {
    const files = fs.readdirSync(p.logDirectory);
    largest = Math.max(largest, files.reduce((sum, f) => sum + (fs.statSync(path.join(p.logDirectory, f), { throwIfNoEntry: false })?.size ?? 0), 0));
    copies += files.includes('access.log.1') ? 1 : 0;
  }, 20);
  try {
    await waitFor(() => received(p).length >= total, 'every line at the receiver', 30000);
    // The last copy is deleted once read.
    await waitFor(() => !fs.existsSync(path.join(p.logDirectory, 'access.log.1')), 'the last copy to go', 10000);
  } finally {
    clearInterval(watch);
  }
  await sleep(1500);
  const numbers = received(p);
  expect(new Set(numbers).size).toBe(total);
  expect(numbers.length).toBe(total);
  expect(copies).toBeGreaterThan(0);
  // The live file and one copy, each 1 MiB plus what is written while the copy waits to be read.
  expect(largest).toBeLessThan(3 * 2 ** 20);
  // The rotator said nothing: no rotation undone, no copy deleted unread.
  expect(pod.output()).not.toMatch(/^rotator:/m);
}, 60000);

test.concurrent('gives the file its name back when nginx does not reopen, and every line arrives once', async () => {
  const p = await pipeline();
  const total = 2000; // about 1.4 MiB: past the rotation size once
  const pod = startPod(p, total, false);
  started.push(pod.stop);
  await waitFor(() => pod.output().includes('nginx did not reopen'), 'the rotator to give up', 15000);
  expect(fs.existsSync(path.join(p.logDirectory, 'access.log'))).toBe(true);
  expect(fs.existsSync(path.join(p.logDirectory, 'access.log.1'))).toBe(false);
  await waitFor(() => received(p).length >= total, 'every line at the receiver', 20000);
  await sleep(1500);
  expect(new Set(received(p)).size).toBe(total);
  expect(received(p).length).toBe(total);
}, 60000);
