import * as fs from 'fs';
import * as path from 'path';
import { deliveryPipelines, expectEveryLineOnce, LOG_FILES } from './delivery-pipeline';
import { sleep } from './fluent-bit-process';

// Delivery guarantees of the Fluent Bit shipper when the sidecar fails or
// its files are truncated: the real Fluent Bit runs the construct's
// configuration between numbered log lines and a receiving Fluent Bit. Each
// test counts every line: lost, and received more than once. The backend's
// outages are in test/fluent-bit-outage.test.ts; `npm run bench:delivery`
// runs longer versions and prints the figures docs/performance.md states.

const RATE = 50; // lines per second per file, about what 50 requests/s give nginx

const pipelines = deliveryPipelines('fluent-bit-delivery');
const pipeline = pipelines.start;

test.concurrent('the sidecar SIGKILLed three times mid-traffic and restarted: no line lost; what was being sent at a kill may come twice', async () => {
  const p = await pipeline();
  const traffic = p.writeSteadily(RATE);
  for (let kill = 0; kill < 3; kill++) {
    await sleep(1500);
    await p.shipper!.stop('SIGKILL');
    await sleep(500);
    await p.startShipper();
  }
  await sleep(1000);
  traffic.stop();
  await p.waitForEverything(15000);
  await sleep(1500); // a chunk delivered twice would arrive by now
  for (const [file, count] of Object.entries(p.count())) {
    expect({ file, lost: count.lost, fragments: count.fragments }).toEqual({ file, lost: [], fragments: 0 });
    // A chunk the receiver took but whose delivery the killed sidecar never recorded is sent again:
    // at most the lines of the last few seconds before each kill.
    expect(count.duplicates).toBeLessThanOrEqual(3 * RATE * 3);
  }
}, 40000);

test.concurrent('SIGTERM right after the last write (a native sidecar stops after nginx): every line arrives, exit 0 within a second', async () => {
  const p = await pipeline();
  const traffic = p.writeSteadily(RATE);
  await sleep(2500);
  traffic.stop();
  for (const file of LOG_FILES) p.write(file, 25); // a last burst, and no time to read it before the signal
  const stopping = Date.now();
  expect(await p.shipper!.stop('SIGTERM')).toBe(0);
  expect(Date.now() - stopping).toBeLessThan(2000);
  await p.waitForEverything(3000);
  expectEveryLineOnce(p);
}, 30000);

test.concurrent('SIGTERM with the backend down: exits after grace (10 s), within 15 s, and the restarted sidecar delivers the buffer once', async () => {
  const p = await pipeline();
  await p.receiver!.stop('SIGTERM');
  const traffic = p.writeSteadily(RATE);
  await sleep(2000);
  traffic.stop();
  await sleep(1500); // read and buffered on disk
  const stopping = Date.now();
  expect(await p.shipper!.stop('SIGTERM')).toBe(0);
  // grace is 10 s; Fluent Bit's own shutdown adds a little, more on a busy machine.
  expect(Date.now() - stopping).toBeLessThan(15000);
  expect(fs.readdirSync(path.join(p.stateDirectory, 'buffer'), { recursive: true }).some(f => String(f).endsWith('.flb'))).toBe(true);
  await p.startReceiver();
  await p.startShipper();
  await p.waitForEverything(15000);
  await sleep(1500);
  expectEveryLineOnce(p);
}, 45000);

test.concurrent('copytruncate: the lines after the truncation are read from the start of the file, none lost or twice', async () => {
  const p = await pipeline();
  const access = path.join(p.logDirectory, 'access.log');
  for (let round = 0; round < 2; round++) {
    for (const file of LOG_FILES) p.write(file, 200);
    await p.waitForEverything(5000);
    fs.copyFileSync(access, `${access}.1`);
    fs.truncateSync(access, 0);
    // Written at once, but less than was truncated: a file that grows back past its old
    // size before Fluent Bit sees the truncation is read on from the old offset, as with tail -F.
    for (const file of LOG_FILES) p.write(file, 40);
    await p.waitForEverything(5000);
  }
  await p.waitForEverything(5000);
  await sleep(1500);
  expectEveryLineOnce(p);
}, 30000);

test.concurrent('restarted, it reads no file again: each file has its own position database (one shared database lost the other file\'s)', async () => {
  /** Ships 20 lines per file, restarts the shipper twice with 10 more each time; the records received twice. */
  async function duplicatesAfterRestarts(sharedDatabase: boolean): Promise<{ [file: string]: number }> {
    const p = await pipelines.create();
    if (sharedDatabase) {
      for (const input of p.config.pipeline.inputs) input.db = path.join(p.stateDirectory, 'tail.db');
    }
    await p.startReceiver();
    for (const lines of [20, 10, 10]) {
      await p.startShipper();
      for (const file of LOG_FILES) p.write(file, lines);
      await p.waitForEverything(10000);
      await sleep(1200);
      expect(await p.shipper!.stop('SIGTERM')).toBe(0);
    }
    return Object.fromEntries(Object.entries(p.count()).map(([file, count]) => [file, count.duplicates]));
  }
  const [own, shared] = await Promise.all([duplicatesAfterRestarts(false), duplicatesAfterRestarts(true)]);
  expect(own).toEqual({ 'access.log': 0, 'error.log': 0 });
  expect(shared['access.log'] + shared['error.log']).toBeGreaterThan(0);
}, 40000);
