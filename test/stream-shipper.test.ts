import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Duration, Size } from 'cdk8s';
import { append, FAKE_NGINX, numbered, POLL_SLACK_MS, scratch, Shipper, sleep, startShipper, streamCommand, waitFor } from './stream-process';

// Runs the stream shipper's real command (perl, as in ubuntu:latest) against
// files this test writes, grows, truncates and rotates, and checks that every
// line comes out exactly once and in order.

test.concurrent('prints existing lines from the first, then new lines within a second, each once', scratch(async (dir, started) => {
  const access = path.join(dir, 'access.log');
  append(access, numbered('old', 1, 3));
  const shipper = started(startShipper(streamCommand(dir, ['access.log'])));
  await waitFor(() => shipper.lines().length === 3, 'the existing lines');

  const before = Date.now();
  append(access, ['new 1']);
  await waitFor(() => shipper.lines().length === 4, 'the new line');
  expect(Date.now() - before).toBeLessThan(1000);

  await sleep(POLL_SLACK_MS);
  expect(shipper.lines()).toEqual([...numbered('old', 1, 3), 'new 1']);
}));

test.concurrent('waits for a file that does not exist yet', scratch(async (dir, started) => {
  const shipper = started(startShipper(streamCommand(dir, ['access.log', 'error.log'])));
  await sleep(400);
  append(path.join(dir, 'error.log'), ['late error']);
  await waitFor(() => shipper.lines().length === 1, 'the late file');
  await sleep(POLL_SLACK_MS);
  expect(shipper.lines()).toEqual(['late error']);
}));

test.concurrent('starts over after truncation and prints the new content once', scratch(async (dir, started) => {
  const access = path.join(dir, 'access.log');
  append(access, numbered('before', 1, 5));
  const shipper = started(startShipper(streamCommand(dir, ['access.log'])));
  await waitFor(() => shipper.lines().length === 5, 'the first lines');

  fs.truncateSync(access, 0);
  await sleep(400);
  append(access, ['after 1']);
  await waitFor(() => shipper.lines().length === 6, 'the line after truncation');
  await sleep(POLL_SLACK_MS);
  expect(shipper.lines()).toEqual([...numbered('before', 1, 5), 'after 1']);
}));

test.concurrent('reads a renamed file to its end, including lines written to it after the rename, then the new file', scratch(async (dir, started) => {
  const access = path.join(dir, 'access.log');
  append(access, numbered('gen1', 1, 3));
  const shipper = started(startShipper(streamCommand(dir, ['access.log'])));
  await waitFor(() => shipper.lines().length === 3, 'the first generation');

  // What logrotate does with nginx: rename, nginx keeps writing the old file until it reopens.
  fs.renameSync(access, `${access}.1`);
  append(`${access}.1`, numbered('gen1', 4, 5));
  append(access, numbered('gen2', 1, 2));
  append(`${access}.1`, ['gen1 6']);
  await waitFor(() => shipper.lines().length === 8, 'both generations');
  await sleep(POLL_SLACK_MS);
  expect(shipper.lines().filter(l => l.startsWith('gen1'))).toEqual(numbered('gen1', 1, 6));
  expect(shipper.lines().filter(l => l.startsWith('gen2'))).toEqual(numbered('gen2', 1, 2));
}));

test.concurrent('tags each line with its file when asked', scratch(async (dir, started) => {
  append(path.join(dir, 'access.log'), ['GET /']);
  append(path.join(dir, 'error.log'), ['oops']);
  const shipper = started(startShipper(streamCommand(dir, ['access.log', 'error.log'], { tagWithFileName: true })));
  await waitFor(() => shipper.lines().length === 2, 'both lines');
  expect(shipper.lines()).toEqual(['[access.log] GET /', '[error.log] oops']);
}));

test.concurrent('on SIGTERM, prints a last line that has no newline yet, then exits 0', scratch(async (dir, started) => {
  const access = path.join(dir, 'access.log');
  append(access, ['complete']);
  const shipper = started(startShipper(streamCommand(dir, ['access.log'])));
  await waitFor(() => shipper.lines().length === 1, 'the first line');
  fs.appendFileSync(access, 'partial');
  const code = new Promise(resolve => shipper.child.on('exit', resolve));
  await shipper.stop();
  expect(await code).toBe(0);
  expect(shipper.lines()).toEqual(['complete', 'partial']);
}));

describe('a restarted shipper goes on where the last one stopped', () => {
  test.concurrent('after SIGTERM: prints only the lines written since', scratch(async (dir, started) => {
    const access = path.join(dir, 'access.log');
    append(access, numbered('first', 1, 3));
    const first = startShipper(streamCommand(dir, ['access.log']));
    await waitFor(() => first.lines().length === 3, 'the first run');
    await first.stop();

    append(access, numbered('second', 1, 2));
    const second = started(startShipper(streamCommand(dir, ['access.log'])));
    await waitFor(() => second.lines().length === 2, 'the second run');
    await sleep(POLL_SLACK_MS);
    expect(second.lines()).toEqual(numbered('second', 1, 2));
  }));

  test.concurrent('after SIGKILL: loses nothing and does not start over', scratch(async (dir, started) => {
    const access = path.join(dir, 'access.log');
    append(access, numbered('first', 1, 1000));
    const first = startShipper(streamCommand(dir, ['access.log']));
    await waitFor(() => first.lines().length === 1000, 'the first run');
    await sleep(POLL_SLACK_MS); // a poll with nothing new has saved the positions
    first.child.kill('SIGKILL');
    await first.stop();

    append(access, numbered('second', 1, 10));
    const second = started(startShipper(streamCommand(dir, ['access.log'])));
    await waitFor(() => second.lines().length >= 10, 'the second run');
    await sleep(POLL_SLACK_MS);
    expect(second.lines()).toEqual(numbered('second', 1, 10));
  }));

  test.concurrent('a file rotated while it was down: the rest of the old file, then the new one', scratch(async (dir, started) => {
    const access = path.join(dir, 'access.log');
    append(access, numbered('old', 1, 3));
    const first = startShipper(streamCommand(dir, ['access.log']));
    await waitFor(() => first.lines().length === 3, 'the first run');
    await first.stop();

    fs.renameSync(access, `${access}.1`);
    append(`${access}.1`, ['old 4']);
    append(access, ['new 1']);
    const second = started(startShipper(streamCommand(dir, ['access.log'])));
    await waitFor(() => second.lines().length === 2, 'the second run');
    await sleep(POLL_SLACK_MS);
    expect(second.lines()).toEqual(['old 4', 'new 1']);
  }));
});

describe('rotation by the shipper', () => {

  /**
   * The shipper and the fake nginx in a new PID namespace, as containers of a pod with
   * shareProcessNamespace share one, so the shipper sees this writer and no other nginx.
   */
  function startWithFakeNginx(dir: string, lines: number, reopens: boolean): Shipper {
    const command = [
      // --kill-child: when unshare is killed, the shipper gets SIGTERM, as in a pod that stops.
      'unshare', '--pid', '--fork', '--mount-proc', '--kill-child=TERM',
      'sh', '-c', 'perl -e "$FAKE_NGINX" "$LOG" "$COUNT" "$REOPEN" & exec "$@"', 'sh',
      // rotateWait 1 s: the writer adds less than 1 MiB per rotateWait, the rate rotation keeps up with.
      ...streamCommand(dir, ['access.log'], { rotateWait: Duration.seconds(1) }, Size.mebibytes(1)),
    ];
    const env = { ...process.env, FAKE_NGINX, LOG: path.join(dir, 'access.log'), COUNT: String(lines), REOPEN: reopens ? 'yes' : 'no' };
    // SIGKILL to unshare, which --kill-child turns into SIGTERM for the shipper.
    return startShipper(command, { env, stopSignal: 'SIGKILL' });
  }

  test.concurrent('rotates at the size given, keeps the volume small and loses no line', scratch(async (dir, started) => {
    const total = 24000; // about 5 MiB in all at about 0.8 MiB/s, rotated every 1 MiB
    const shipper = started(startWithFakeNginx(dir, total, true));
    let largest = 0;
    let rotatedCopies = 0;
    const watch = setInterval(() => {
      const files = fs.readdirSync(dir);
      const bytes = files.reduce((sum, f) => sum + (fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
      largest = Math.max(largest, bytes);
      rotatedCopies += files.includes('access.log.1') ? 1 : 0;
    }, 20);
    await waitFor(() => shipper.lines().length >= total, 'every line', 20000);
    clearInterval(watch);
    await sleep(POLL_SLACK_MS);

    const numbers = shipper.lines().map(line => Number(line.split(' ')[1]));
    expect(numbers).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(rotatedCopies).toBeGreaterThan(0);
    // Never more than the live file and one rotated copy, each 1 MiB plus what the
    // writer adds between two polls.
    expect(largest).toBeLessThan(3 * 1024 * 1024);
  }), 40000);

  test.concurrent('signals the writer named by --reopen-process with --reopen-signal: any writer, not only nginx', scratch(async (dir, started) => {
    const writer = FAKE_NGINX.replace("$0 = 'nginx: master process nginx -g daemon off;';", "$0 = 'log-writer --serve';").replace(/USR1/g, 'HUP');
    const command = [
      'unshare', '--pid', '--fork', '--mount-proc', '--kill-child=TERM',
      'sh', '-c', 'perl -e "$WRITER" "$LOG" "$COUNT" yes & exec "$@"', 'sh',
      ...streamCommand(dir, ['access.log'], { rotateWait: Duration.seconds(1) }, Size.mebibytes(1),
        ['--reopen-process', 'log-writer --serve', '--reopen-signal', 'HUP']),
    ];
    const total = 12000; // about 2.4 MiB: rotated twice
    const env = { ...process.env, WRITER: writer, LOG: path.join(dir, 'access.log'), COUNT: String(total) };
    const shipper = started(startShipper(command, { env, stopSignal: 'SIGKILL' }));
    await waitFor(() => shipper.lines().length >= total, 'every line', 20000);
    await sleep(POLL_SLACK_MS);
    expect(shipper.lines().map(line => Number(line.split(' ')[1]))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Renamed and reopened: the file under the name holds only the lines since the last rotation.
    expect(fs.statSync(path.join(dir, 'access.log')).size).toBeLessThan(2 * 1024 * 1024);
    expect(shipper.stderr()).toBe('');
  }), 40000);

  test.concurrent('gives the file its name back when nginx does not reopen, and loses no line', scratch(async (dir, started) => {
    const total = 6000; // about 1.2 MiB: past the rotation size once
    const shipper = started(startWithFakeNginx(dir, total, false));
    await waitFor(() => shipper.lines().length >= total, 'every line', 20000);
    // rotateWait (1 s) after the rename, the shipper renames the file back.
    await waitFor(() => fs.existsSync(path.join(dir, 'access.log')) && !fs.existsSync(path.join(dir, 'access.log.1')),
      'access.log to have its name back', 5000);
    await sleep(POLL_SLACK_MS);
    const numbers = shipper.lines().map(line => Number(line.split(' ')[1]));
    expect(numbers).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  }), 40000);
});

describe('the program', () => {
  const program = path.join(__dirname, '..', 'lib', 'shippers', 'stream.pl');

  test('is lib/shippers/stream.pl, which perl compiles with strict and warnings', () => {
    const check = spawnSync('perl', ['-c', program], { encoding: 'utf8' });
    expect({ status: check.status, stderr: check.stderr.trim() }).toEqual({ status: 0, stderr: `${program} syntax OK` });
    expect(fs.readFileSync(program, 'utf8')).toMatch(/^use strict;\nuse warnings;\n/);
  });

  test('is what the sidecar runs, byte for byte', () => {
    const command = streamCommand('/var/log/nginx', ['access.log']);
    expect(command.slice(0, 2)).toEqual(['perl', '-e']);
    expect(command[2]).toBe(fs.readFileSync(program, 'utf8'));
  });
});
