import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Duration, Size } from 'cdk8s';
import { append, FAKE_NGINX, numbered, numbersOf, READ_BYTES, ROUND_BYTES, POLL_SLACK_MS, scratch, sleep, startShipper, streamCommand, tally, waitFor } from './stream-process';

// The stream shipper under what an adversarial operator does to it: SIGKILL at
// any point of a rotation or a burst, a busy file beside a quiet one, SIGTERM
// while the writer keeps writing, files that are not regular, positions that
// no longer fit the file, rotations under other names while it was stopped,
// endless lines, and files it may not read. Each case runs the sidecar's real
// command (perl) against files and writers of this test.


describe('rotation survives a SIGKILL at any point of it', () => {

  /** Delays between kills, from 0.05 s to 1.5 s, the same in every run. */
  const KILL_DELAYS = Array.from({ length: 14 }, (_, i) => (0.05 + ((i * 7919) % 29) * 0.05).toFixed(2));

  /**
   * The writer and a supervisor in a new PID namespace, as containers of a pod
   * with shareProcessNamespace share one: the supervisor starts the shipper,
   * kills it with SIGKILL after each delay and starts it again, as a kubelet
   * restarts a crashed container, then leaves the last one running.
   */
  function startCrashingShipper(dir: string, lines: number, reopens: boolean) {
    const supervisor = 'perl -e "$FAKE_NGINX" "$LOG" "$COUNT" "$REOPEN" & '
      + 'for delay in $DELAYS; do "$@" & pid=$!; sleep "$delay"; kill -KILL "$pid"; wait "$pid"; done; exec "$@"';
    const command = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child=TERM', 'sh', '-c', supervisor, 'sh',
      ...streamCommand(dir, ['access.log'], { rotateWait: Duration.seconds(1) }, Size.mebibytes(1))];
    const env = {
      ...process.env, FAKE_NGINX, LOG: path.join(dir, 'access.log'), COUNT: String(lines),
      REOPEN: reopens ? 'yes' : 'no', DELAYS: KILL_DELAYS.join(' '),
    };
    return startShipper(command, { env, stopSignal: 'SIGKILL' });
  }

  test.concurrent.each([
    ['reopens its log', true],
    ['never reopens its log', false],
  ])('the writer %s: no line lost, each repeat within one round of a kill, the volume bounded', (_, reopens) => scratch(async (dir, started) => {
    const total = 36000; // about 7.3 MiB over about 9 s: kills at every step of several rotations
    const shipper = started(startCrashingShipper(dir, total, reopens as boolean));
    let largest = 0;
    const watch = setInterval(() => {
      const bytes = fs.readdirSync(dir).reduce((sum, f) => sum + (fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
      largest = Math.max(largest, bytes);
    }, 20);
    try {
      await waitFor(() => new Set(numbersOf(shipper.lines())).size >= total, 'every line', 30000);
    } finally {
      clearInterval(watch);
    }
    await sleep(POLL_SLACK_MS);
    const counts = tally(numbersOf(shipper.lines()), total);
    expect(counts).toMatchObject({ missing: 0, firstSeenInOrder: true });
    // Each of the 14 kills prints again at most what was printed since the last save: one round, at most ROUND_BYTES.
    expect(counts.repeats).toBeLessThanOrEqual(KILL_DELAYS.length * Math.ceil((ROUND_BYTES + READ_BYTES) / 211));
    if (reopens) {
      // Rotated at 1 MiB, however the kills fell: the live file and one copy, each 1 MiB plus what the
      // writer adds (0.85 MiB/s) while the copy is read for rotateWait (1 s) and a poll.
      expect(largest).toBeLessThan(2 * 1024 * 1024 + 1.2 * 0.85 * 1024 * 1024 + 256 * 1024);
    } else {
      // The name is given back (within rotateWait of the last restart) and the file the writer writes to is never deleted.
      await waitFor(() => !fs.existsSync(path.join(dir, 'access.log.1')), 'access.log to have its name back', 5000);
      expect(fs.statSync(path.join(dir, 'access.log')).size).toBe(total * 211);
    }
  })(), 60000);
});

test.concurrent('a FIFO, a link to /dev/stdout and a directory among the log files are reported and skipped; the others are read, SIGTERM works', scratch(async (dir, started) => {
  spawn('mkfifo', [path.join(dir, 'fifo.log')]);
  await waitFor(() => fs.existsSync(path.join(dir, 'fifo.log')), 'the FIFO');
  fs.symlinkSync('/dev/stdout', path.join(dir, 'stdout.log'));
  fs.mkdirSync(path.join(dir, 'dir.log'));
  append(path.join(dir, 'error.log'), numbered('line', 1, 3));
  const shipper = started(startShipper(streamCommand(dir, ['fifo.log', 'stdout.log', 'dir.log', 'error.log'])));
  await waitFor(() => shipper.lines().length >= 3, 'the regular file\'s lines');
  append(path.join(dir, 'error.log'), numbered('line', 4, 5));
  await waitFor(() => shipper.lines().length >= 5, 'its new lines');
  const signalled = Date.now();
  await shipper.stop();
  expect(Date.now() - signalled).toBeLessThan(1000);
  expect(shipper.lines()).toEqual(numbered('line', 1, 5));
  expect(await shipper.exited).toBe(0);
  // What /dev/stdout is depends on who reads the output: a pipe under a container runtime, a socket under Node.
  expect(shipper.stderr().split('\n').filter(Boolean).sort()).toEqual([
    `stream: ${dir}/dir.log is a directory, not a regular file: not read`,
    `stream: ${dir}/fifo.log is a FIFO, not a regular file: not read`,
    expect.stringMatching(new RegExp(`^stream: ${dir}/stdout.log is a symbolic link to /dev/stdout, which is a (FIFO|socket), not a regular file: not read$`)),
  ]);
}));

describe('a restarted shipper uses a saved position only for the content it was saved for', () => {
  /** Runs a shipper over `access.log` until it has printed `count` lines, then stops it with SIGTERM. */
  async function readAndStop(dir: string, count: number): Promise<void> {
    const first = startShipper(streamCommand(dir, ['access.log']));
    await waitFor(() => first.lines().length === count, 'the first run');
    await first.stop();
  }

  test.concurrent('a file rewritten past its old length while it was stopped (or recreated with the same inode) is read from its first line', scratch(async (dir, started) => {
    const access = path.join(dir, 'access.log');
    append(access, numbered('old', 1, 100));
    await readAndStop(dir, 100);
    fs.truncateSync(access, 0);
    append(access, numbered('new', 1, 300));
    const second = started(startShipper(streamCommand(dir, ['access.log'])));
    await waitFor(() => second.lines().length >= 300, 'the new content');
    await sleep(POLL_SLACK_MS);
    expect(second.lines()).toEqual(numbered('new', 1, 300));
    expect(second.stderr()).toContain(`stream: ${access} no longer holds what was read up to its saved position`);
  }));

  test.concurrent.each([
    ['a position changed', (text: string) => text.replace(/\t(\d+)\t0\t0\t/, (_, pos) => `\t${Number(pos) - 7}\t0\t0\t`), 'does not match its checksum'],
    ['cut short', (text: string) => text.slice(0, text.length - 20), 'is cut short'],
    ['garbage', () => 'garbage\u0000\n', 'has an entry it cannot read'],
  ])('a damaged state file (%s) is reported and every file read from its first line: no line skipped, none cut', (_, damage, problem) => scratch(async (dir, started) => {
    const access = path.join(dir, 'access.log');
    append(access, numbered('line', 1, 50));
    await readAndStop(dir, 50);
    const state = path.join(dir, '.state', 'stream-positions');
    fs.writeFileSync(state, (damage as (t: string) => string)(fs.readFileSync(state, 'utf8')));
    append(access, numbered('line', 51, 60));
    const second = started(startShipper(streamCommand(dir, ['access.log'])));
    await waitFor(() => second.lines().length >= 60, 'every line');
    await sleep(POLL_SLACK_MS);
    expect(second.lines()).toEqual(numbered('line', 1, 60));
    expect(second.stderr()).toContain(`stream: ${state} ${problem}: not used, every file is read from its first line`);
  })());
});

describe('a file rotated while the shipper was stopped is found under the usual names', () => {
  test.concurrent.each([
    ['logrotate dateext', 'access.log-20261122'],
    ['kubelet', 'access.log.20261122-101500'],
    ['a numbered copy', 'access.log.0'],
  ])('%s (%s): the rest of the old file, then the new one', (_, rotatedName) => scratch(async (dir, started) => {
    const access = path.join(dir, 'access.log');
    append(access, numbered('old', 1, 3));
    const first = startShipper(streamCommand(dir, ['access.log']));
    await waitFor(() => first.lines().length === 3, 'the first run');
    await first.stop();
    fs.renameSync(access, path.join(dir, rotatedName as string));
    append(path.join(dir, rotatedName as string), ['old 4']);
    append(access, ['new 1']);
    const second = started(startShipper(streamCommand(dir, ['access.log'])));
    await waitFor(() => second.lines().length >= 2, 'the second run');
    await sleep(POLL_SLACK_MS);
    expect(second.lines()).toEqual(['old 4', 'new 1']);
  })());

  test.concurrent('rotated twice (access.log.1 moved on to .2): the rest of the first, all of the second, then the third, in order', scratch(async (dir, started) => {
    const access = path.join(dir, 'access.log');
    append(access, numbered('first', 1, 3));
    const first = startShipper(streamCommand(dir, ['access.log']));
    await waitFor(() => first.lines().length === 3, 'the first run');
    await first.stop();
    // What logrotate does on each run, with nginx reopening in between.
    append(access, ['first 4']);
    fs.renameSync(access, `${access}.1`);
    append(access, numbered('second', 1, 2));
    await sleep(20); // the generations differ in their modification times, as they do over a rotation period
    fs.renameSync(`${access}.1`, `${access}.2`);
    fs.renameSync(access, `${access}.1`);
    append(access, ['third 1']);
    const second = started(startShipper(streamCommand(dir, ['access.log'])));
    await waitFor(() => second.lines().length >= 4, 'the second run');
    await sleep(POLL_SLACK_MS);
    expect(second.lines()).toEqual(['first 4', 'second 1', 'second 2', 'third 1']);
  }));
});

test.concurrent('a file that exists but cannot be read is reported once, the others shipped, and read once it can be', scratch(async (dir, started) => {
  const secret = path.join(dir, 'access.log');
  append(secret, ['hidden 1']);
  append(path.join(dir, 'error.log'), ['visible 1']);
  fs.chmodSync(secret, 0o000);
  fs.chmodSync(dir, 0o777);
  const command = streamCommand(dir, ['access.log', 'error.log']);
  fs.chmodSync(path.join(dir, '.state'), 0o777);
  // As root every file can be read: run it as nobody, as the hardened sidecar runs as uid 101.
  const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...command] : command;
  const shipper = started(startShipper(asNobody));
  await waitFor(() => shipper.lines().length >= 1, 'the readable file');
  await sleep(3 * POLL_SLACK_MS);
  expect(shipper.lines()).toEqual(['visible 1']);
  expect(shipper.stderr()).toBe(`stream: ${secret} cannot be read: Permission denied\n`);
  fs.chmodSync(secret, 0o644);
  await waitFor(() => shipper.lines().length >= 2, 'the file once it can be read');
  expect(shipper.lines()).toEqual(['visible 1', 'hidden 1']);
  expect(shipper.stderr()).toBe(`stream: ${secret} cannot be read: Permission denied\nstream: ${secret} can be read now\n`);
}));
