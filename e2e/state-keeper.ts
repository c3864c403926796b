import * as fs from 'fs';
import * as path from 'path';
import { E2eCase, StateKeeperExpectation } from './cases';
import { CheckFailure } from './errors';
import { exec, lastLines, sleep } from './exec';
import { Channel, checkShipped, indent, matching } from './expectations';
import { checkFluentBitState, fluentBitConfigOf } from './fluent-bit';
import { findContainer, PlayableManifest } from './manifest';
import { containerLogs, ContainerState, inspectContainer } from './podman';
import { ExpectedLine, sendProbeRequests, waitForHttp } from './traffic';

/** What the state keeper check needs of the played case. */
export interface StateKeeperRun {
  readonly c: E2eCase;
  readonly keeper: StateKeeperExpectation;
  readonly manifest: PlayableManifest;
  /** The played sidecar and keeper containers (podman's names). */
  readonly sidecar: string;
  readonly keeperContainer: string;
  /** The web server's URL on the pod IP, for new requests. */
  readonly base: string;
  readonly runId: string;
  /** Where shipped lines can be seen (the sidecar's output, the receivers), and the lines the case shipped before. */
  readonly channels: readonly Channel[];
  readonly earlier: readonly ExpectedLine[];
}

/** A SQLite database's first 16 bytes. */
const SQLITE_HEADER = 'SQLite format 3\0';
/** How long podman may take to restart a killed container under restartPolicy Always (seen: about 0.3 s). */
const RESTART_WAIT_MS = 5000;

/**
 * Damages one position database, as a crash mid-write or a bug could, and
 * holds the keeper and Fluent Bit to what the construct promises: the keeper
 * moves it aside within its interval, Fluent Bit, killed and restarted by the
 * pod's restartPolicy, starts (instead of exiting at start on the damaged
 * file), answers its health check, makes a new database and ships new lines
 * as the case promises; the file whose database was moved aside is read again
 * from its first line (lines shipped twice, none lost), the others keep their
 * positions. Returns the lines to print under the check.
 */
export async function checkStateKeeper(run: StateKeeperRun): Promise<string[]> {
  const { c, keeper, manifest, sidecar, keeperContainer } = run;
  const sidecarSpec = findContainer(manifest, c.sidecarContainer);
  const fb = fluentBitConfigOf(manifest, sidecarSpec);
  if (!fb) throw new CheckFailure(`${c.sidecarContainer} does not run Fluent Bit with a YAML configuration from a ConfigMap, so it has no position database to damage`);
  const target = fb.positionDbs.find(d => path.basename(d.path) === keeper.damagedDatabaseOf);
  if (!target) throw new CheckFailure(`${fb.file} has no tail input with a position database (db) for ${keeper.damagedDatabaseOf}`);
  const db = target.db;
  const directory = path.posix.dirname(db);

  // The keeper looks at the directory Fluent Bit keeps the database in: the same volume, at the same path.
  const sidecarBefore = await running(sidecar);
  const keeperState = await running(keeperContainer);
  const sidecarMount = sidecarBefore.mounts.find(m => m.destination === directory);
  if (!sidecarMount) throw new CheckFailure(`${c.sidecarContainer} has no mount at ${directory}, where ${db} is`);
  const keeperMount = keeperState.mounts.find(m => m.source === sidecarMount.source);
  if (!keeperMount || keeperMount.destination !== directory) {
    throw new CheckFailure(`${keeper.container} does not see ${c.sidecarContainer}'s ${directory} at the same path (${keeperMount ? `it mounts that volume at ${keeperMount.destination}` : 'it does not mount that volume'}): `
      + 'it cannot find the databases Fluent Bit writes');
  }
  // It has said nothing so far: it says once when it cannot read or write the directory.
  const said = (await containerLogs(keeperContainer)).map(l => l.text).filter(t => t.trim());
  if (said.length) throw new CheckFailure(`${keeper.container} complained before anything was damaged:\n${indent(lastLines(said.join('\n'), 5))}`);

  // Damaged in place (same file, same owner), through the volume's directory on the host: the image has no shell.
  const hostDb = path.join(sidecarMount.source, path.basename(db));
  if (!fs.existsSync(hostDb)) throw new CheckFailure(`${db} does not exist in ${sidecarMount.name || sidecarMount.source} after the case's traffic was shipped`);
  const header = readHeader(hostDb);
  if (header !== SQLITE_HEADER) throw new CheckFailure(`${db} is not a SQLite database before the e2e damaged it (it starts ${JSON.stringify(header)})`);
  fs.writeFileSync(hostDb, Buffer.alloc(8192, 0x5a));
  const damagedAt = Date.now();

  const needle = `${db} is not a usable SQLite database`;
  let moved: string | undefined;
  while (!moved && Date.now() < damagedAt + keeper.movedAsideWithinSeconds * 1000) {
    await sleep(200);
    moved = (await containerLogs(keeperContainer)).map(l => l.text).find(t => t.includes(needle));
  }
  if (!moved) {
    throw new CheckFailure(`${keeper.container} did not say it moved ${db} aside within ${keeper.movedAsideWithinSeconds} s of the e2e overwriting it with garbage; `
      + `its output:\n${indent(lastLines((await containerLogs(keeperContainer)).map(l => l.text).join('\n'), 5) || '(nothing)')}`);
  }
  const movedMs = Date.now() - damagedAt;
  const aside = /moved it to (\S+?), /.exec(moved)?.[1];
  if (!aside || path.posix.dirname(aside) !== directory || !fs.existsSync(path.join(sidecarMount.source, path.basename(aside)))) {
    throw new CheckFailure(`${keeper.container} said "${moved}", but ${aside ?? 'the file it names'} is not in ${directory}`);
  }
  if (fs.existsSync(hostDb)) throw new CheckFailure(`${keeper.container} said "${moved}", but ${db} is still there`);

  // Killed from the host, as a crash or the OOM killer would: `podman kill` marks the container stopped by the user, and podman then does not restart it.
  // Asked again: the PID must be the running process's, not one from before.
  const victim = await running(sidecar);
  if (victim.startedAt !== sidecarBefore.startedAt) throw new CheckFailure(`${c.sidecarContainer} restarted by itself after its database was damaged, before the e2e killed it`);
  process.kill(victim.pid, 'SIGKILL');
  const killedAt = Date.now();
  let after: ContainerState | undefined;
  while (Date.now() < killedAt + RESTART_WAIT_MS) {
    await sleep(100);
    after = await inspectContainer(sidecar);
    if (after?.running && after.startedAt !== victim.startedAt) break;
  }
  const lines: string[] = [];
  let how: string;
  if (after?.running && after.startedAt !== victim.startedAt) {
    how = `podman restarted it after ${((Date.parse(after.startedAt) - killedAt) / 1000).toFixed(1)} s (restartPolicy ${manifest.pod.spec?.restartPolicy ?? 'Always'})`;
  } else {
    const start = await exec('podman', ['start', sidecar], { timeoutMs: 60_000 });
    if (start.code !== 0) throw new CheckFailure(`${c.sidecarContainer} was not restarted within ${RESTART_WAIT_MS / 1000} s of its SIGKILL, and podman start failed: ${lastLines(start.stderr, 5)}`);
    how = 'started again by the e2e';
    lines.push(`NOTE podman did not restart ${c.sidecarContainer} within ${RESTART_WAIT_MS / 1000} s of its SIGKILL (restartPolicy ${manifest.pod.spec?.restartPolicy} not honoured here): the e2e ran podman start`);
  }

  // Healthy again: its liveness endpoint answers, so it did not exit at start on the damaged file.
  const health = sidecarSpec.livenessProbe?.httpGet;
  const ip = new URL(run.base).hostname;
  let healthText = 'no HTTP liveness probe to ask';
  if (health) {
    const port = typeof health.port === 'number' ? health.port : sidecarSpec.ports?.find((p: any) => p.name === health.port)?.containerPort ?? Number(health.port);
    if (!await waitForHttp(`http://${ip}:${port}`, keeper.healthyWithinSeconds * 1000, health.path ?? '/')) {
      throw new CheckFailure(`${c.sidecarContainer} did not answer GET :${port}${health.path} with 200 within ${keeper.healthyWithinSeconds} s of its restart; `
        + `last output:\n${indent(lastLines((await containerLogs(sidecar)).map(l => l.text).join('\n'), 8))}`);
    }
    healthText = `GET :${port}${health.path ?? '/'} 200 after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`;
  }
  const state = await checkFluentBitState(fb, manifest, sidecarSpec, sidecar);

  // New requests, shipped as the case promises, on every channel.
  const fresh = await sendProbeRequests(run.base, `${run.runId}-after-restart`, 1);
  const outcomes = await Promise.all(run.channels.map(ch => checkShipped(c, ch, fresh).then(() => undefined, (e: Error) => `${ch.name}: ${e.message}`)));
  const failures = outcomes.filter((o): o is string => !!o);
  if (failures.length) throw new CheckFailure(`after the restart, ${failures.join('\n')}`);

  // The cost the keeper states: the file whose database went is read again from its first line; the others are not.
  const arrivals = await run.channels[0].read();
  const counts = (file: string) => run.earlier.filter(l => l.file === file).map(l => matching(arrivals, l, run.channels[0]).length);
  const again = counts(keeper.damagedDatabaseOf);
  const others = run.earlier.filter(l => l.file !== keeper.damagedDatabaseOf);
  const othersCounts = others.map(l => matching(arrivals, l, run.channels[0]).length);
  if (again.some(n => n < 2)) {
    throw new CheckFailure(`${run.channels[0].name} did not ship the earlier ${keeper.damagedDatabaseOf} lines again after the restart `
      + `(counts ${again.join(', ')}): Fluent Bit did not start that file from a new database`);
  }
  if (othersCounts.some(n => n !== 1)) {
    throw new CheckFailure(`${run.channels[0].name} ${run.channels[0].verb} the earlier lines of the other files ${othersCounts.join(', ')} times: their positions were not kept`);
  }

  const end = await inspectContainer(sidecar);
  const restarts = (end?.restartCount ?? 0) - sidecarBefore.restartCount;
  if (!end?.running || restarts > 1) {
    throw new CheckFailure(`${c.sidecarContainer} ${end?.running ? `restarted ${restarts} times after one kill: a crash loop` : `is ${end?.status ?? 'gone'}`}; `
      + `last output:\n${indent(lastLines((await containerLogs(sidecar)).map(l => l.text).join('\n'), 8))}`);
  }
  return [
    `overwrote ${db} with 8 KiB of garbage; ${keeper.container} moved it aside after ${(movedMs / 1000).toFixed(1)} s: "${moved.replace(/^state-keeper: /, '')}"`,
    `SIGKILLed ${c.sidecarContainer}'s process from the host; ${how}; ${healthText}; ${state.split('; ')[0]} (a new database)`,
    `then ${fresh.length} new lines shipped exactly once on ${run.channels.length} channel(s); the earlier ${keeper.damagedDatabaseOf} lines ${run.channels[0].verb} again `
      + `(${Math.min(...again)}-${Math.max(...again)} times each now, as the keeper says), `
      + `${[...new Set(others.map(l => l.file))].join(', ') || 'no other file'}'s ${others.length} not again (${othersCounts.join(', ')} times); `
      + `${((Date.now() - damagedAt) / 1000).toFixed(1)} s from the damage to the end`,
    ...lines,
  ];
}

async function running(container: string): Promise<ContainerState> {
  const state = await inspectContainer(container);
  if (!state?.running) throw new CheckFailure(`${container} is not running (status ${state?.status ?? 'gone'})`);
  return state;
}

function readHeader(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(16);
    const n = fs.readSync(fd, header, 0, 16, 0);
    return header.subarray(0, n).toString('latin1');
  } finally {
    fs.closeSync(fd);
  }
}
