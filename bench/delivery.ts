/**
 * `npm run bench:delivery`: what the Fluent Bit shipper delivers when its
 * backend or the sidecar fails, measured with the real Fluent Bit 3.2.10 on
 * the construct's configuration, numbered log lines and a receiving Fluent Bit
 * (test/delivery-pipeline.ts). Longer and harder versions of the cases of
 * test/fluent-bit-outage.test.ts and test/fluent-bit-delivery.test.ts; prints
 * the table docs/performance.md states and writes bench/results/delivery.json.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DeliveryPipeline, deliveryPipeline, LOG_FILES } from '../test/delivery-pipeline';
import { sleep } from '../test/fluent-bit-process';

interface Row {
  readonly scenario: string;
  readonly written: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly fragments: number;
  readonly note: string;
}

const rows: Row[] = [];
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-delivery-'));

async function scenario(name: string, options: Parameters<typeof deliveryPipeline>[1], body: (p: DeliveryPipeline) => Promise<string>): Promise<void> {
  const p = await deliveryPipeline(fs.mkdtempSync(path.join(workDir, 'run-')), options);
  try {
    await p.startReceiver();
    await p.startShipper();
    const note = await body(p);
    await p.waitForEverything(120000).catch(() => undefined);
    await sleep(3000); // anything delivered twice arrives by now
    const counts = Object.values(p.count());
    const row = {
      scenario: name,
      written: sum(counts.map(c => c.written)),
      lost: sum(counts.map(c => c.lost.length)),
      duplicates: sum(counts.map(c => c.duplicates)),
      fragments: sum(counts.map(c => c.fragments)),
      note,
    };
    rows.push(row);
    console.log(`${name}: ${JSON.stringify(row)}`);
  } finally {
    await p.close();
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** Samples the shipper's memory and state directory while `ms` pass. */
async function watch(p: DeliveryPipeline, ms: number): Promise<{ peakMiB: number; peakStateBytes: number }> {
  let peakStateBytes = 0;
  for (const until = Date.now() + ms; Date.now() < until;) {
    peakStateBytes = Math.max(peakStateBytes, p.stateBytes());
    await sleep(200);
  }
  return { peakMiB: p.shipperPeakMiB(), peakStateBytes };
}

async function main(): Promise<void> {
  const outageSeconds = Number(process.env.OUTAGE_SECONDS ?? 60);

  await scenario(`backend down ${outageSeconds} s, 50 lines/s per file`, {}, async p => {
    const cap = Number(p.config.service['scheduler.cap']);
    const traffic = p.writeSteadily(50);
    await sleep(3000);
    await p.receiver!.stop('SIGTERM');
    const during = await watch(p, outageSeconds * 1000);
    await p.startReceiver();
    const back = Date.now();
    await sleep(2000);
    traffic.stop();
    await p.waitForEverything(60000);
    const longestWait = Math.max(...p.retryWaits());
    if (longestWait > cap + 1) throw new Error(`a retry waited ${longestWait} s, beyond scheduler.cap ${cap} s`);
    return `caught up ${((Date.now() - back) / 1000).toFixed(1)} s after the backend returned; longest retry wait ${longestWait} s `
      + `(scheduler.cap ${cap}); peak memory ${during.peakMiB.toFixed(1)} MiB, state ${mib(during.peakStateBytes)} MiB`;
  });

  await scenario('sidecar SIGKILLed 10 times, 1 to 3 s apart, 200 lines/s per file', {}, async p => {
    const traffic = p.writeSteadily(200);
    for (let i = 0; i < 10; i++) {
      await sleep(1000 + Math.random() * 2000);
      await p.shipper!.stop('SIGKILL');
      await sleep(300);
      await p.startShipper();
    }
    await sleep(1000);
    traffic.stop();
    return 'restarted 0.3 s after each kill';
  });

  await scenario('SIGTERM right after a last burst of 1000 lines per file, 5 times', {}, async p => {
    const exits: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (const file of LOG_FILES) p.write(file, 1000);
      const started = Date.now();
      const code = await p.shipper!.stop('SIGTERM');
      exits.push(Date.now() - started);
      if (code !== 0) throw new Error(`exit code ${code}`);
      await p.startShipper();
    }
    return `exited 0 in ${Math.min(...exits)}-${Math.max(...exits)} ms`;
  });

  await scenario('SIGTERM while behind: 100 MiB per file unread, restarted', { padding: 900 }, async p => {
    for (let i = 0; i < 100; i++) for (const file of LOG_FILES) p.write(file, 1000);
    await sleep(1000);
    await p.shipper!.stop('SIGTERM');
    await p.startShipper();
    return 'Fluent Bit stops reading at SIGTERM and saves a position that can fall inside a line';
  });

  await scenario(`buffer full: backend down ${outageSeconds} s, 1000 lines/s of 1 KiB per file`, { padding: 900 }, async p => {
    await p.receiver!.stop('SIGTERM');
    const traffic = p.writeSteadily(1000);
    const during = await watch(p, outageSeconds * 1000);
    traffic.stop();
    const paused = /paused \(storage buf overlimit/.test(p.shipper!.output());
    await p.startReceiver();
    return `tail paused: ${paused ? 'yes' : 'no'}; peak memory ${during.peakMiB.toFixed(1)} MiB (limit 96Mi), `
      + `peak state ${mib(during.peakStateBytes)} MiB (volume limit 64Mi)`;
  });

  await scenario('copytruncate every 2 s for 30 s under 200 lines/s per file', {}, async p => {
    const traffic = p.writeSteadily(200);
    const access = path.join(p.logDirectory, 'access.log');
    for (let i = 0; i < 15; i++) {
      await sleep(2000);
      fs.copyFileSync(access, `${access}.1`);
      fs.truncateSync(access, 0);
    }
    traffic.stop();
    return 'a line Fluent Bit has not read at the instant of a truncation would be only in the copy';
  });

  const table = [
    '| scenario | lines written | lost | received twice | cut lines | notes |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(r => `| ${r.scenario} | ${r.written} | ${r.lost} | ${r.duplicates} | ${r.fragments} | ${r.note} |`),
  ].join('\n');
  console.log(`\nnpm run bench:delivery (Fluent Bit 3.2.10, ${os.cpus().length} cores)\n\n${table}`);
  const results = path.join(__dirname, 'results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(path.join(results, 'delivery.json'), JSON.stringify({ outageSeconds, rows }, null, 2) + '\n');
}

main().then(
  () => { fs.rmSync(workDir, { recursive: true, force: true }); process.exit(0); },
  error => { console.error(error); fs.rmSync(workDir, { recursive: true, force: true }); process.exit(1); },
);
