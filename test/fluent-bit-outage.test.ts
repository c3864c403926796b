import { deliveryPipelines, expectEveryLineOnce, LOG_FILES } from './delivery-pipeline';
import { sleep, waitFor } from './fluent-bit-process';

// Delivery guarantees of the Fluent Bit shipper while its backend is down:
// the real Fluent Bit runs the construct's configuration between numbered
// log lines and a receiving Fluent Bit that is stopped and started again.
// Each test counts every line: lost, and received more than once. The
// sidecar's own failures are in test/fluent-bit-delivery.test.ts.

const RATE = 50; // lines per second per file, about what 50 requests/s give nginx

const pipelines = deliveryPipelines('fluent-bit-outage');
const pipeline = pipelines.start;

test.concurrent('the backend down for 20 s while traffic goes on: no line lost, none twice, caught up within the retry cap', async () => {
  const p = await pipeline();
  const cap = Number(p.config.service['scheduler.cap']);
  const traffic = p.writeSteadily(RATE);
  await sleep(2000);
  await p.receiver!.stop('SIGTERM');
  await sleep(20000);
  const writtenBeforeReturn = p.written('access.log');
  await p.startReceiver();
  await sleep(1000);
  traffic.stop();
  const caughtUpMs = await p.waitForEverything((cap + 10) * 1000);
  expect(writtenBeforeReturn).toBeGreaterThan(RATE * 21);
  await sleep(1500);
  expectEveryLineOnce(p);
  // Counted from 1 s after the receiver is back: a retry wait (cap + 1 s at most), the receiver's 1 s
  // flush, and 2 s for a machine busy with the rest of the suite (13.04 s was seen with 4 jest workers).
  expect(caughtUpMs).toBeLessThan((cap + 4) * 1000);
  // Retried, never given up on, and the waits grew to the cap (Fluent Bit may add a second), not beyond.
  expect(p.shipper!.output()).not.toMatch(/cannot be retried/);
  expect(Math.max(...p.retryWaits())).toBeLessThanOrEqual(cap + 1);
  expect(Math.max(...p.retryWaits())).toBeGreaterThanOrEqual(cap - 3);
}, 60000);

test.concurrent('the buffer full with the backend down: tail pauses, memory and disk stay bounded, and nothing is lost once it is back', async () => {
  const p = await pipeline({ padding: 900 }); // about 1 KiB a line
  await p.receiver!.stop('SIGTERM');
  let peakStateBytes = 0;
  // 40 MiB per file, more than the 8 chunks of about 2 MiB the buffer holds.
  for (let i = 0; i < 40; i++) {
    for (const file of LOG_FILES) p.write(file, 1000);
    peakStateBytes = Math.max(peakStateBytes, p.stateBytes());
    await sleep(50);
  }
  await waitFor(() => /paused \(storage buf overlimit/.test(p.shipper!.output()), 'tail to pause', 10000);
  for (let i = 0; i < 20; i++) {
    peakStateBytes = Math.max(peakStateBytes, p.stateBytes());
    await sleep(100);
  }
  // The sidecar's memory limit is 64Mi + 16Mi per file; its state volume's size limit 64Mi.
  expect(p.shipperPeakMiB()).toBeLessThan(96);
  expect(peakStateBytes).toBeLessThan(64 * 2 ** 20);
  await p.startReceiver();
  await p.waitForEverything(40000);
  await sleep(1000);
  expectEveryLineOnce(p);
}, 70000);

describe('why the buffer is bounded by pausing tail, not by storage.total_limit_size', () => {
  /** Ships a 16 MiB backlog per file to a healthy receiver; returns the lines lost. */
  async function backlogLost(totalLimitSize?: string): Promise<number> {
    const p = await pipelines.create({ padding: 900 });
    if (totalLimitSize) p.config.pipeline.outputs[0]['storage.total_limit_size'] = totalLimitSize;
    for (let i = 0; i < 16; i++) for (const file of LOG_FILES) p.write(file, 1000);
    await p.startReceiver();
    await p.startShipper();
    // Delivered in about 3 s here; what is not there after 10 s was dropped.
    await p.waitForEverything(10000).catch(() => undefined);
    return Object.values(p.count()).reduce((lost, c) => lost + c.lost.length, 0);
  }

  test.concurrent('the construct\'s configuration delivers the whole backlog; with a 4M limit, Fluent Bit 3.2.10 drops part of it while delivering', async () => {
    const [without, withLimit] = await Promise.all([backlogLost(), backlogLost('4M')]);
    expect(without).toBe(0);
    expect(withLimit).toBeGreaterThan(0);
  }, 40000);
});
