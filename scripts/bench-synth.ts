// npm run bench:synth: how fast `cdk8s synth` is, and how synthesis scales.
//
// Part 1 times whole commands, each run several times after a warm-up, and
// reports the median and its ratio to the floor (node loading cdk8s-plus-28,
// measured in the same run). Part 2 synthesizes 1 to 10,000 pods in one app,
// with validation off and on, and reports time, peak memory and the growth
// ratio between sizes. Options: --runs N (default 7), --max-pods N (10000),
// --json FILE (write the figures as JSON too).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
// Relative to the repository root, where every command runs.
const bin = (name: string) => path.join('node_modules', '.bin', name);

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const runs = Number(option('runs', '7'));
const maxPods = Number(option('max-pods', '10000'));
const jsonFile = option('json', '');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Wall time of one run of a shell command, in seconds; throws if it fails. */
function timeOnce(command: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync('sh', ['-c', command], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`"${command}" exited with ${result.status}: ${result.stderr}`);
  }
  return seconds;
}

interface CommandRow { readonly name: string; readonly command: string; readonly medianS: number; readonly ratio: number }

function benchCommands(): CommandRow[] {
  const commands: Array<[string, string]> = [
    ['floor: node loads cdk8s-plus-28', `node -e "require('cdk8s-plus-28')"`],
    ['README: npm run synth', 'npm run --silent synth'],
    ['cdk8s synth (full CLI, this app command)', `${bin('cdk8s')} synth`],
    ['cdk8s synth (full CLI, template app: npx ts-node main.ts)', `${bin('cdk8s')} synth -a "npx ts-node main.ts"`],
  ];
  // Interleave the commands run by run, so drift in machine load hits all alike.
  const samples = commands.map(() => [] as number[]);
  commands.forEach(([, command]) => timeOnce(command));
  for (let run = 0; run < runs; run++) {
    commands.forEach(([, command], i) => samples[i].push(timeOnce(command)));
  }
  const floor = median(samples[0]);
  return commands.map(([name, command], i) => ({ name, command, medianS: median(samples[i]), ratio: median(samples[i]) / floor }));
}

interface ScaleRow { readonly pods: number; readonly validate: boolean; readonly wallS: number; readonly synthS: number; readonly validateS: number; readonly peakRssMiB: number; readonly violations: number }

function benchScale(): ScaleRow[] {
  const sizes = [1, 10, 100, 1000, 10000].filter(n => n <= maxPods);
  const rows: ScaleRow[] = [];
  for (const validate of [false, true]) {
    for (const pods of sizes) {
      const start = process.hrtime.bigint();
      const out = execFileSync(process.execPath, [
        '--max-old-space-size=4096', '-r', path.join(root, 'scripts', 'ts-register.js'),
        path.join(root, 'scripts', 'bench-synth-app.ts'), String(pods), validate ? 'validate' : 'plain',
      ], { cwd: root, encoding: 'utf8' });
      const wallS = Number(process.hrtime.bigint() - start) / 1e9;
      const figures = JSON.parse(out.trim().split('\n').pop()!);
      rows.push({
        pods, validate, wallS,
        synthS: (figures.constructMs + figures.synthMs) / 1000,
        validateS: figures.validateMs / 1000,
        peakRssMiB: figures.peakRssMiB,
        violations: figures.violations,
      });
    }
  }
  return rows;
}

const fixed = (n: number, digits = 2) => n.toFixed(digits);

console.log(`# cdk8s synth, median of ${runs} runs after a warm-up (${new Date().toISOString()}, node ${process.version})\n`);
const commandRows = benchCommands();
console.log('| command | median (s) | x floor |\n| --- | --- | --- |');
for (const row of commandRows) {
  console.log(`| ${row.name} | ${fixed(row.medianS)} | ${fixed(row.ratio, 1)} |`);
}

console.log('\n# scale: N pods in one app, one process per row\n');
const scaleRows = benchScale();
console.log('| pods | validation | wall (s) | construct + synth (s) | validate (s) | peak RSS (MiB) | growth vs previous size | violations |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
scaleRows.forEach((row, i) => {
  const previous = scaleRows[i - 1];
  const work = row.synthS + row.validateS;
  const growth = previous && previous.validate === row.validate
    ? `${fixed(work / (previous.synthS + previous.validateS), 1)}x for ${row.pods / previous.pods}x pods` : '';
  console.log(`| ${row.pods} | ${row.validate ? 'on' : 'off'} | ${fixed(row.wallS)} | ${fixed(row.synthS, 3)} | ${fixed(row.validateS, 3)} | ${fixed(row.peakRssMiB, 0)} | ${growth} | ${row.violations} |`);
});
if (scaleRows.some(row => row.violations > 0)) {
  console.error('validation reported violations in the benchmark app');
  process.exitCode = 1;
}
if (jsonFile) {
  fs.mkdirSync(path.dirname(path.resolve(jsonFile)), { recursive: true });
  fs.writeFileSync(jsonFile, JSON.stringify({ runs, commands: commandRows, scale: scaleRows }, null, 2) + '\n');
}
