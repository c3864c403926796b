import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { LoggingSidecarPod, LogShipper } from '../lib';
import { DeliveryPipeline, deliveryPipelines, LOG_FILES } from './delivery-pipeline';
import { fluentBitBinary, POD_ENVIRONMENT, sleep, waitFor } from './fluent-bit-process';

// Fluent Bit 3.2.10 exits at start when a position database is damaged, and
// a kubelet restarting it finds the same file on the same emptyDir: a crash
// loop. The state keeper beside it (state-keeper.pl, run by the real perl as
// the manifest says) moves a damaged database aside; these tests damage the
// state as a crash, a bug or a person could, and check that the real Fluent
// Bit then starts and ships every line.

const keeperProgram = path.join(__dirname, '..', 'lib', 'shippers', 'fluent-bit', 'state-keeper.pl');

/** The keeper's command as the manifest has it, pointed at `stateDirectory`. */
function keeperCommand(stateDirectory: string): string[] {
  const chart = Testing.chart();
  const web = new LoggingSidecarPod(chart, 'pod', { shipper: LogShipper.fluentBit() });
  const command = [...web.sidecar.companionContainers[0].command!];
  expect(command.slice(0, 2)).toEqual(['perl', '-e']);
  expect(command.slice(3)).toEqual(['--', '/var/lib/logging-sidecar']);
  return [...command.slice(0, 4), stateDirectory];
}

interface Keeper { readonly child: ChildProcess; readonly output: () => string; readonly stop: () => Promise<void> }

function startKeeper(stateDirectory: string, asUser?: number): Keeper {
  const command = keeperCommand(stateDirectory);
  const [file, args] = asUser === undefined ? [command[0], command.slice(1)]
    : ['setpriv', [`--reuid=${asUser}`, `--regid=${asUser}`, '--clear-groups', ...command]];
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', chunk => { output += chunk; });
  child.stderr!.on('data', chunk => { output += chunk; });
  const exited = new Promise<void>(resolve => child.on('exit', () => resolve()));
  return { child, output: () => output, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

const pipelines = deliveryPipelines('fluent-bit-state');
/** Programs a test started beside its pipeline. */
const started: Array<() => Promise<void>> = [];
afterAll(async () => { await Promise.all(started.map(stop => stop())); });

/** A pipeline that has shipped 30 lines per file and stopped, leaving its position databases. */
async function shippedAndStopped(): Promise<DeliveryPipeline> {
  const p = await pipelines.create();
  await p.startReceiver();
  await p.startShipper();
  for (const file of LOG_FILES) p.write(file, 30);
  await p.waitForEverything(10000);
  expect(await p.shipper!.stop('SIGTERM')).toBe(0);
  return p;
}

const database = (p: DeliveryPipeline, file = 'access.log') => path.join(p.stateDirectory, `tail-${file}.db`);

/** Fluent Bit, started on the pipeline's configuration by itself: its exit code within `ms`, or 'running'. */
async function exitWithin(p: DeliveryPipeline, ms: number): Promise<number | 'running'> {
  const file = path.join(p.dir, 'shipper-alone.yaml');
  fs.writeFileSync(file, YAML.stringify(p.config));
  const child = spawn(fluentBitBinary(), ['-c', file], { stdio: 'ignore', env: { ...process.env, ...POD_ENVIRONMENT } });
  const code = await Promise.race([
    new Promise<number>(resolve => child.on('exit', status => resolve(status ?? -1))),
    sleep(ms).then(() => 'running' as const),
  ]);
  child.kill('SIGKILL');
  return code;
}

test('the program is lib/shippers/fluent-bit/state-keeper.pl, which perl compiles with strict and warnings', () => {
  const check = spawnSync('perl', ['-c', keeperProgram], { encoding: 'utf8' });
  expect({ status: check.status, stderr: check.stderr.trim() }).toEqual({ status: 0, stderr: `${keeperProgram} syntax OK` });
  expect(keeperCommand('/x')[2]).toBe(fs.readFileSync(keeperProgram, 'utf8'));
});

const DAMAGE: Array<[string, (db: string) => void, string]> = [
  ['overwritten with garbage', db => fs.writeFileSync(db, Buffer.alloc(8192, 0x5a)), 'no SQLite header'],
  ['cut short', db => fs.truncateSync(db, 10), 'shorter than a SQLite header'],
  ['with a damaged first page', db => { const fd = fs.openSync(db, 'r+'); fs.writeSync(fd, Buffer.from([0x42]), 0, 1, 100); fs.closeSync(fd); }, 'first page of type 0x42'],
];

describe.each(DAMAGE)('a position database %s', (_, damage, why) => {
  test.concurrent('makes Fluent Bit exit at start (the crash loop a kubelet would see)', async () => {
    const p = await shippedAndStopped();
    damage(database(p));
    expect(await exitWithin(p, 5000)).toBe(255);
  }, 30000);

  test.concurrent('is moved aside by the keeper; Fluent Bit then starts and ships that file again from its first line, the other file not again', async () => {
    const p = await shippedAndStopped();
    damage(database(p));
    const keeper = startKeeper(p.stateDirectory);
    started.push(keeper.stop);
    await waitFor(() => keeper.output().includes('is not a usable SQLite database'), 'the keeper to move the database aside', 5000);
    expect(keeper.output()).toContain(why);
    expect(fs.existsSync(database(p))).toBe(false);
    expect(fs.readdirSync(p.stateDirectory).some(f => f.startsWith('tail-access.log.db.damaged-'))).toBe(true);

    await p.startShipper();
    for (const file of LOG_FILES) p.write(file, 10);
    await p.waitForEverything(10000);
    await sleep(1500);
    const count = p.count();
    // access.log's 30 earlier lines come again; error.log's position was kept.
    expect({ access: count['access.log'].duplicates, error: count['error.log'].duplicates }).toEqual({ access: 30, error: 0 });
    expect(count['access.log'].lost).toEqual([]);
    expect(count['error.log'].lost).toEqual([]);
  }, 30000);
});

test.concurrent('a healthy database is left alone, also while Fluent Bit holds its lock', async () => {
  const p = await shippedAndStopped();
  await p.startShipper();
  const keeper = startKeeper(p.stateDirectory);
  started.push(keeper.stop);
  await sleep(5000); // two rounds of the keeper
  await keeper.stop();
  expect(keeper.output()).toBe('');
  expect(fs.existsSync(database(p))).toBe(true);
  for (const file of LOG_FILES) p.write(file, 10);
  await p.waitForEverything(10000);
  await sleep(1000);
  for (const count of Object.values(p.count())) expect(count.duplicates).toBe(0);
}, 30000);

test.concurrent('a database damaged while Fluent Bit runs is moved aside before its next start', async () => {
  const p = await shippedAndStopped();
  await p.startShipper();
  const keeper = startKeeper(p.stateDirectory);
  started.push(keeper.stop);
  fs.writeFileSync(database(p, 'error.log'), 'not a database at all, and long enough to look at the header of it: '.repeat(3));
  await waitFor(() => keeper.output().includes('tail-error.log.db is not a usable SQLite database'), 'the keeper', 5000);
  expect(await p.shipper!.stop('SIGTERM')).toBe(0);
  await p.startShipper();
  expect(p.shipper!.output()).not.toMatch(/\[error\]/);
}, 30000);

test.concurrent('a state directory the sidecar cannot write is reported by the keeper (Fluent Bit exits at start on it)', async () => {
  const p = await shippedAndStopped();
  for (const dir of [path.dirname(p.dir), p.dir]) fs.chmodSync(dir, 0o755); // another user must reach it
  fs.chmodSync(p.stateDirectory, 0o555);
  const keeper = startKeeper(p.stateDirectory, 65534);
  started.push(keeper.stop);
  await waitFor(() => keeper.output().includes('cannot write to'), 'the keeper to report', 5000);
  expect(keeper.output()).toMatch(/cannot write to .*\(Permission denied\): Fluent Bit cannot save its positions or buffer there/);
  // Said once, not every round.
  await sleep(2500);
  expect(keeper.output().match(/cannot write/g)).toHaveLength(1);
}, 30000);
