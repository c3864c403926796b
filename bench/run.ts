/**
 * `npm run bench:shipping`: every shipper in bench/shippers.ts under the same
 * steady HTTP load, then bench/results/shipping.json and shipping.png.
 *
 *   npm run bench:shipping [-- --rate 50 --duration 60 --only NAME]
 *
 * Figures depend on run length for a shipper that re-prints whole files (its
 * duplication grows with every read interval), so rate and duration are in
 * the JSON with the figures.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../e2e/config';
import { execOk } from '../e2e/exec';
import { preflightOrReport } from '../e2e/preflight';
import { LocalRegistry } from '../e2e/registry';
import { PodTeardown } from '../e2e/teardown';
import { measure, ShipperResult } from './measure';
import { SHIPPERS } from './shippers';

const RESULTS = path.join(REPO_ROOT, 'bench', 'results');

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const num = (flag: string, def: number) => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? Number(argv[i + 1]) : def;
    if (!(v > 0) || v > 10_000) throw new Error(`${flag} must be a number in (0, 10000], got ${argv[i + 1]}`);
    return v;
  };
  const rate = num('--rate', 50);
  const duration = num('--duration', 60);
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  const shippers = SHIPPERS.filter(s => !only || s.name.startsWith(only));
  if (shippers.length === 0) throw new Error(`no shipper named ${only}`);

  const runId = randomBytes(4).toString('hex');
  const registry = new LocalRegistry();
  let active: PodTeardown | undefined;
  onSignal(async () => {
    if (active) await active.run();
    registry.stop();
  });

  if (!(await preflightOrReport(registry, runId, 'ENVIRONMENT FAILURE'))) {
    return 2;
  }

  const results: ShipperResult[] = [];
  try {
    for (const s of shippers) {
      console.log(`\n=== ${s.name}`);
      results.push(await measure(s, runId, rate, duration, t => { active = t; }));
    }
  } finally {
    registry.stop();
  }
  await write(results, rate, duration);
  return 0;
}

async function write(results: readonly ShipperResult[], rate: number, duration: number): Promise<void> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const json = {
    command: `npm run bench:shipping -- --rate ${rate} --duration ${duration}`,
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release() },
    load: { requestsPerSecond: rate, durationSeconds: duration, note: 'open loop, one GET per request, HTTP keep-alive, to the pod IP' },
    note: 'cpuMillicores, memoryPeakBytes and rssPeakBytes are of all the shipper\'s containers together (every container but the web server: '
      + 'the sidecar, and for Fluent Bit its state keeper), memory as the peak of their sum; containers[] has each one',
    shippers: results.map(({ delaysMs, ...row }) => row),
  };
  fs.writeFileSync(path.join(RESULTS, 'shipping.json'), `${JSON.stringify(json, null, 2)}\n`);

  // One block per shipper: its title, then (delay s, share of logged requests printed by then).
  // The x axis is logarithmic, so each curve starts at its first delay rather than at 0.
  const blocks = results.map(r => {
    const title = `"${r.name}: ${r.duplication.toFixed(2)}x printed, ${r.linesLost} lost"`;
    const rows = r.delaysMs.map((d, i) => `${(Math.max(d, 1) / 1000).toFixed(3)} ${((i + 1) / r.linesLogged).toFixed(5)}`);
    const start = r.delaysMs.length ? `${(Math.max(r.delaysMs[0], 1) / 1000).toFixed(3)} 0` : '1 0';
    return [`${title} share`, start, ...rows].join('\n');
  });
  fs.writeFileSync(path.join(RESULTS, 'delays.dat'), `${blocks.join('\n\n\n')}\n`);
  await execOk('gnuplot', [path.join('bench', 'chart.gp')], { cwd: REPO_ROOT, timeoutMs: 60_000 });

  console.log(`\n${markdownTable(results)}`);
  console.log(`\nwrote bench/results/shipping.json, bench/results/delays.dat, bench/results/shipping.png`);
}

/**
 * The results as a Markdown table. CPU and memory are the shipper's containers
 * together; where there is more than one, each one's share follows in brackets,
 * named by what the shipper adds to the sidecar's name (`state-keeper`).
 */
function markdownTable(results: readonly ShipperResult[]): string {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const parts = (r: ShipperResult, show: (c: ShipperResult['containers'][number]) => string) => r.containers.length < 2 ? ''
    : ` (${r.containers.map((c, i) => `${show(c)}${i === 0 ? '' : ` ${c.name.replace(`${r.containers[0].name}-`, '')}`}`).join(' + ')})`;
  return [
    '| shipper | requests logged | lines printed | duplication | lines lost | delay p50 (s) | delay p99 (s) | sidecar CPU (millicores) | sidecar memory peak / RSS peak (MiB) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(r => `| ${r.name} | ${r.linesLogged} | ${r.linesPrinted} | ${r.duplication.toFixed(2)}x | ${r.linesLost} | `
      + `${s(r.delayP50Ms)} | ${s(r.delayP99Ms)} | ${r.cpuMillicores.toFixed(1)}${parts(r, c => c.cpuMillicores.toFixed(1))} | `
      + `${mib(r.memoryPeakBytes)} / ${mib(r.rssPeakBytes)}${parts(r, c => `${mib(c.memoryPeakBytes)} / ${mib(c.rssPeakBytes)}`)} |`),
    '',
    'CPU is averaged over the load and the drain; memory is the cgroup charge (page cache included) and its resident part. For a shipper '
      + 'with a container beside its sidecar, both figures are the containers together (memory: the peak of their sum), then each one in brackets.',
  ].join('\n');
}

function onSignal(cleanup: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: tearing down before exiting`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

main().then(code => process.exit(code), e => {
  console.error(e);
  process.exit(1);
});
