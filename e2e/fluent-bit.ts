import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { CheckFailure } from './errors';
import { sleep } from './exec';
import { configMapNamed, PlayableManifest } from './manifest';
import { ContainerState, inspectContainer, pathIn } from './podman';

/**
 * What a Fluent Bit sidecar's configuration, as the manifest mounts it, says
 * it writes: each tail input's position database (`db`) and file (`path`), and
 * the filesystem buffer (`storage.path`). Derived from the manifest, as the
 * stream shipper's `--state` is, so that the checks follow the construct.
 */
export interface FluentBitConfig {
  /** The configuration file, as the container sees it. */
  readonly file: string;
  readonly config: any;
  readonly positionDbs: readonly { readonly db: string; readonly path: string }[];
  readonly storagePath?: string;
}

/**
 * The YAML configuration a container runs Fluent Bit with (`-c FILE`, FILE in
 * a ConfigMap mount); undefined for any other container.
 */
export function fluentBitConfigOf(manifest: PlayableManifest, container: any): FluentBitConfig | undefined {
  const argv: string[] = [...(container.command ?? []), ...(container.args ?? [])];
  const file = argv[argv.indexOf('-c') + 1];
  if (!argv.includes('-c') || !file || !/\.ya?ml$/.test(file)) return undefined;
  const mount = (container.volumeMounts ?? []).find((m: any) => file.startsWith(`${m.mountPath}/`));
  const volume = (manifest.pod.spec?.volumes ?? []).find((v: any) => v.name === mount?.name);
  const text = volume?.configMap ? configMapNamed(manifest, volume.configMap.name)?.data?.[file.slice(mount.mountPath.length + 1)] : undefined;
  if (typeof text !== 'string') return undefined;
  // Read as libyaml (YAML 1.1) reads it.
  const config = YAML.parse(text, { version: '1.1' });
  const inputs: any[] = config?.pipeline?.inputs ?? [];
  return {
    file,
    config,
    positionDbs: inputs.filter(i => i.name === 'tail' && i.db).map(i => ({ db: String(i.db), path: String(i.path) })),
    storagePath: config?.service?.['storage.path'],
  };
}

/** The output plugin that speaks each receiver's protocol. */
export const OUTPUT_PLUGINS: { readonly [protocol: string]: string } = { loki: 'loki', elasticsearch: 'es', splunk: 'splunk' };

/** Where the config's outputs of one plugin send to, as `host:port`. */
export function outputTargets(fb: FluentBitConfig, plugin: string): string[] {
  return (fb.config?.pipeline?.outputs ?? []).filter((o: any) => o.name === plugin).map((o: any) => `${o.host}:${o.port}`);
}

/** The output of a plugin sending to `host:port`, as configured. */
export function outputTo(fb: FluentBitConfig, plugin: string, host: string, port: number): any | undefined {
  return (fb.config?.pipeline?.outputs ?? []).find((o: any) => o.name === plugin && `${o.host}:${o.port}` === `${host}:${port}`);
}

/**
 * The fields the config's record_modifier filters add to every record
 * (`record: ["pod_name ${POD_NAME}", ...]`), with the environment's values
 * substituted as Fluent Bit does at start; a field whose value the
 * environment does not give is left out.
 */
export function addedRecordFields(fb: FluentBitConfig, env: ReadonlyMap<string, string>): { [field: string]: string } {
  const fields: { [field: string]: string } = {};
  for (const filter of fb.config?.pipeline?.filters ?? []) {
    if (filter.name !== 'record_modifier') continue;
    for (const entry of [filter.record ?? []].flat().map(String)) {
      const [, key, template] = /^(\S+)\s+(.*)$/.exec(entry) ?? [];
      if (!key) continue;
      const names = [...template.matchAll(/\$\{(\w+)\}/g)].map(m => m[1]);
      if (names.every(n => env.has(n))) fields[key] = template.replace(/\$\{(\w+)\}/g, (_, n) => env.get(n)!);
    }
  }
  return fields;
}

/**
 * Each position database exists where the config puts it, as a SQLite file
 * written by the sidecar's own user, on a volume (not the image's root), and
 * names the file it tracks; the filesystem buffer is there too. Read from the
 * host through the container's root: the image has no tools to ask.
 */
export async function checkFluentBitState(fb: FluentBitConfig, manifest: PlayableManifest, spec: any, container: string): Promise<string> {
  if (fb.positionDbs.length === 0) throw new CheckFailure(`${fb.file} gives no tail input a position database (db)`);
  // Now, not as it started: a restarted container has another process.
  const state = await inspectContainer(container);
  if (!state?.running) throw new CheckFailure(`${container} is not running (status ${state?.status ?? 'gone'}), so its files cannot be looked at`);
  const uid = processUid(state.pid);
  const found: string[] = [];
  for (const { db, path: tailed } of fb.positionDbs) {
    const where = await waitForPath(state.pid, db, 5000);
    if (!where) throw new CheckFailure(`${db} never appeared in ${spec.name} within 5 s: is its directory writable by uid ${uid}?`);
    const st = fs.statSync(where);
    const header = Buffer.alloc(16);
    const fd = fs.openSync(where, 'r');
    try {
      fs.readSync(fd, header, 0, 16, 0);
    } finally {
      fs.closeSync(fd);
    }
    if (header.toString('latin1') !== 'SQLite format 3\0') throw new CheckFailure(`${db} is not a SQLite database (it starts ${JSON.stringify(header.toString('latin1'))})`);
    if (st.uid !== uid) throw new CheckFailure(`${db} belongs to uid ${st.uid}, but ${spec.name} runs as uid ${uid}`);
    const volume = volumeHolding(manifest, spec, state, db);
    // With WAL journaling the rows are in db-wal until a checkpoint.
    const content = [db, `${db}-wal`].map(f => pathIn(state.pid, f)).filter((f): f is string => !!f).map(f => fs.readFileSync(f).toString('latin1')).join('');
    if (!content.includes(tailed)) throw new CheckFailure(`${db} does not name ${tailed}, the file its tail input reads`);
    found.push(`${path.basename(db)} (SQLite, uid ${uid}, on ${volume}) tracks ${tailed}`);
  }
  if (fb.storagePath) {
    const where = pathIn(state.pid, fb.storagePath);
    if (!where || !fs.statSync(where).isDirectory()) throw new CheckFailure(`the filesystem buffer ${fb.storagePath} does not exist in ${spec.name}`);
    found.push(`buffer ${fb.storagePath} on ${volumeHolding(manifest, spec, state, fb.storagePath)} (${fs.readdirSync(where).sort().join(', ') || 'empty'})`);
  }
  return found.join('; ');
}

/** The manifest volume mounted where `file` is, checked to be mounted so in the running container. */
function volumeHolding(manifest: PlayableManifest, spec: any, state: ContainerState, file: string): string {
  const mounts: any[] = (spec.volumeMounts ?? []).filter((m: any) => file.startsWith(`${m.mountPath}/`));
  const mount = mounts.sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) throw new CheckFailure(`${file} is on ${spec.name}'s root filesystem, not on a volume: it is lost with the container`);
  if (!state.mounts.some(m => m.destination === mount.mountPath)) {
    throw new CheckFailure(`${spec.name} has no mount at ${mount.mountPath} while it runs, though the manifest mounts ${mount.name} there`);
  }
  const volume = (manifest.pod.spec?.volumes ?? []).find((v: any) => v.name === mount.name);
  const kind = volume?.emptyDir ? 'emptyDir' : Object.keys(volume ?? {}).find(k => k !== 'name') ?? 'volume';
  return `${kind} ${mount.name}${mount.subPath ? ` (subPath ${mount.subPath})` : ''}`;
}

async function waitForPath(pid: number, file: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const where = pathIn(pid, file);
    if (where || Date.now() > deadline) return where;
    await sleep(200);
  }
}

function processUid(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(l => l.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}
