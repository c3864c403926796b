import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { append, MAX_LINE, numbersOf, READ_BYTES, ROUND_BYTES, POLL_SLACK_MS, scratch, sleep, startShipper, streamCommand, tally, waitFor } from './stream-process';

// The stream shipper under load, one case at a time (they measure time and
// memory, so they do not share the machine with each other): a SIGKILL in a
// burst, a busy file beside a quiet one, SIGTERM while the writer keeps
// writing or with more left than it can print, and a line of 40 MiB. Each runs
// the sidecar's real command (perl) against files and writers of this test.


/** Starts a Perl program with arguments; resolves `done` when it exits. */
function perl(program: string, args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; done: Promise<void> } {
  const child = spawn('perl', ['-e', program, '--', ...args], { stdio: 'ignore', env });
  return { child, done: new Promise(resolve => child.on('close', () => resolve())) };
}

/** Writes `count` numbered lines of exactly `width` bytes, as fast as the disk takes them. */
const BURST_WRITER = String.raw`
  my ($path, $count, $width) = @ARGV;
  open(my $log, '>>', $path) or die $!;
  for my $i (1 .. $count) { printf $log "%-*s\n", $width - 1, "line $i" }
  close $log or die $!;`;

/** Appends `mib` MiB every 10 ms for `seconds` seconds (about 100 MiB/s for 1 MiB). */
const STEADY_WRITER = String.raw`
  my ($path, $mib, $seconds) = @ARGV;
  open(my $log, '>>', $path) or die $!;
  $log->autoflush(1);
  my $block = ("x" x 99 . "\n") x (10486 * $mib);
  for (1 .. $seconds * 100) { print $log $block; select(undef, undef, undef, 0.01) }`;

test('a SIGKILL during a burst prints again at most one round: 1 MiB of each file', scratch(async (dir, started) => {
  const access = path.join(dir, 'access.log');
  const total = 400000; // 40 MB of 100-byte lines
  fs.writeFileSync(access, '');
  const first = startShipper(streamCommand(dir, ['access.log']), { stopSignal: 'SIGKILL' });
  let printed = 0;
  first.child.stdout!.on('data', (chunk: Buffer) => {
    printed += chunk.length;
    if (printed > 10 * 1024 * 1024) first.child.kill('SIGKILL');
  });
  await sleep(POLL_SLACK_MS);
  await perl(BURST_WRITER, [access, String(total), '100']).done;
  await first.exited;
  const second = started(startShipper(streamCommand(dir, ['access.log'])));
  await waitFor(() => new Set([...numbersOf(first.lines()), ...numbersOf(second.lines())]).size >= total, 'every line', 20000);
  await sleep(POLL_SLACK_MS);
  const counts = tally([...numbersOf(first.lines()), ...numbersOf(second.lines())], total);
  expect(counts).toMatchObject({ missing: 0, firstSeenInOrder: true });
  expect(counts.repeats * 100).toBeLessThanOrEqual(ROUND_BYTES + READ_BYTES);
}), 30000);

test('a busy file does not hold a quiet one back: each quiet line within a second while the busy one gets 100 MiB/s', scratch(async (dir, started) => {
  const busy = path.join(dir, 'busy.log');
  const quiet = path.join(dir, 'quiet.log');
  fs.writeFileSync(busy, '');
  fs.writeFileSync(quiet, '');
  const arrived = new Map<number, number>();
  let carry = '';
  const shipper = started(startShipper(streamCommand(dir, ['busy.log', 'quiet.log'], { tagWithFileName: true }), {
    keepOutput: false,
    onOutput: chunk => {
      const text = carry + chunk.toString('latin1');
      for (const match of text.matchAll(/\[quiet\.log\] quiet (\d+)\n/g)) {
        if (!arrived.has(Number(match[1]))) arrived.set(Number(match[1]), Date.now());
      }
      carry = text.slice(-64);
    },
  }));
  await sleep(POLL_SLACK_MS);
  const writer = perl(STEADY_WRITER, [busy, '1', '3']);
  const written = new Map<number, number>();
  await sleep(500);
  for (let i = 1; i <= 20; i++) {
    append(quiet, [`quiet ${i}`]);
    written.set(i, Date.now());
    await sleep(100);
  }
  await waitFor(() => arrived.size === 20, 'every quiet line', 20000);
  const delays = [...written].map(([i, at]) => arrived.get(i)! - at);
  expect(Math.max(...delays)).toBeLessThan(1000);
  await writer.done;
  expect(shipper.stderr()).toBe('');
}), 30000);

describe('SIGTERM', () => {
  test('exits 0 within 2 s while the writer keeps writing 100 MiB/s, having printed what the file held', scratch(async (dir, started) => {
    const access = path.join(dir, 'access.log');
    fs.writeFileSync(access, '');
    let printed = 0;
    const shipper = started(startShipper(streamCommand(dir, ['access.log']), { keepOutput: false, onOutput: c => { printed += c.length; } }));
    const writer = perl(STEADY_WRITER, [access, '1', '4']);
    await sleep(1500);
    const sizeAtSignal = fs.statSync(access).size;
    const signalled = Date.now();
    shipper.child.kill('SIGTERM');
    const code = await shipper.exited;
    expect({ code, seconds: (Date.now() - signalled) / 1000 < 2 }).toEqual({ code: 0, seconds: true });
    expect(printed).toBeGreaterThanOrEqual(sizeAtSignal);
    writer.child.kill();
    await writer.done;
  }), 30000);

  test('with more left than it can print, stops at --stop-within, exits 0, and a restart goes on from there', scratch(async (dir, started) => {
    const access = path.join(dir, 'access.log');
    const total = 300000; // 30 MB: more than 2 s at 2 % of a core can print
    await perl(BURST_WRITER, [access, String(total), '100']).done;
    const first = startShipper(streamCommand(dir, ['access.log'], { tagWithFileName: true }, undefined, ['--stop-within', '2']));
    // Runs 10 ms in every 500: 2 % of a core, as a CPU limit of 20m would.
    const throttle = perl(String.raw`
      my ($pid) = @ARGV;
      while (kill(0, $pid)) { kill('CONT', $pid); select(undef, undef, undef, 0.01); kill('STOP', $pid); select(undef, undef, undef, 0.49) }`,
    [String(first.child.pid)]);
    await waitFor(() => first.lines().length > 0, 'the first lines', 10000);
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    const code = await first.exited;
    const seconds = (Date.now() - signalled) / 1000;
    await throttle.done;
    expect({ code, stopped: seconds >= 1.5 && seconds < 3.5 }).toEqual({ code: 0, stopped: true });
    expect(first.stderr()).toContain('stream: stopping after 2 seconds with lines not yet printed');
    const before = numbersOf(first.lines());
    expect(before.length).toBeLessThan(total);

    const second = started(startShipper(streamCommand(dir, ['access.log'], { tagWithFileName: true })));
    await waitFor(() => new Set([...before, ...numbersOf(second.lines())]).size >= total, 'the rest', 20000);
    const counts = tally([...before, ...numbersOf(second.lines())], total);
    expect(counts).toEqual({ missing: 0, repeats: 0, firstSeenInOrder: true });
  }), 40000);
});

test('a 40 MiB line is printed as 40 lines of 1 MiB, in bounded memory and time', scratch(async (dir, started) => {
  const access = path.join(dir, 'access.log');
  const long = 'y'.repeat(40 * MAX_LINE);
  const shipper = started(startShipper(streamCommand(dir, ['access.log'])));
  await sleep(POLL_SLACK_MS);
  const began = Date.now();
  fs.writeFileSync(access, `${long}\nshort\n`);
  await waitFor(() => shipper.lines().at(-1) === 'short', 'the line after it', 10000);
  const seconds = (Date.now() - began) / 1000;
  const lines = shipper.lines();
  expect(lines.map(line => line.length)).toEqual([...Array(40).fill(MAX_LINE), 5]);
  expect(lines.slice(0, 40).every(line => /^y+$/.test(line))).toBe(true);
  // A few MiB of Perl and its buffers, far from the sidecar's 64Mi limit; a 40 MiB buffer would be past it.
  expect(shipper.peakRssKib()).toBeLessThan(24 * 1024);
  expect(seconds).toBeLessThan(5);
}), 20000);

