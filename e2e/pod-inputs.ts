import * as fs from 'fs';
import { ReceiverExpectation } from './cases';
import { CheckFailure } from './errors';
import { FluentBitConfig, OUTPUT_PLUGINS, outputTo } from './fluent-bit';
import { FieldValues, playedEnvironment } from './played-copy';
import { pathIn } from './podman';
import { objectId, ObjectValues } from './secrets';

/**
 * What reached the played containers from outside their images, read from
 * their processes on the host (/proc): env from the downward API and from
 * Secrets, files from Secret and ConfigMap volumes. The Fluent Bit image has
 * no shell to ask.
 */

/** A played container: its spec in the manifest and its main process on the host. */
interface Process {
  readonly spec: any;
  readonly pid: number;
}

/** Where a container's env comes from outside its spec: `the downward API`, `Secrets`, `ConfigMaps`. */
export function envSources(spec: any): string[] {
  const from = (spec.env ?? []).map((e: any) => e.valueFrom ?? {});
  return [
    ...from.some((v: any) => v.fieldRef) ? ['the downward API'] : [],
    ...from.some((v: any) => v.secretKeyRef) ? ['Secrets'] : [],
    ...from.some((v: any) => v.configMapKeyRef) ? ['ConfigMaps'] : [],
  ];
}

/**
 * Each env var from `valueFrom` is in the process's environment with the
 * value it must have: the pod's name (metadata.name, filled by podman), the
 * played copy's literal values, what the e2e put in the Secrets. Returns a
 * line for the output, with the Secrets' values left out.
 */
export function checkEnvironment(processes: readonly Process[], podName: string, fields: FieldValues, values: ObjectValues): string {
  const found: string[] = [];
  for (const { spec, pid } of processes) {
    const expected = playedEnvironment(spec, podName, fields, values);
    const from = (spec.env ?? []).filter((e: any) => e.valueFrom);
    if (from.length === 0) continue;
    const actual = environ(pid);
    for (const e of from) {
      const source = e.valueFrom.fieldRef ? `fieldRef ${e.valueFrom.fieldRef.fieldPath}`
        : e.valueFrom.secretKeyRef ? `Secret ${e.valueFrom.secretKeyRef.name} key ${e.valueFrom.secretKeyRef.key}`
          : e.valueFrom.configMapKeyRef ? `ConfigMap ${e.valueFrom.configMapKeyRef.name} key ${e.valueFrom.configMapKeyRef.key}` : 'valueFrom';
      const want = expected.get(e.name);
      if (want === undefined) continue;
      const secret = e.valueFrom.secretKeyRef !== undefined;
      if (!actual.has(e.name)) throw new CheckFailure(`${spec.name} has no ${e.name} in its environment (${source})`);
      if (actual.get(e.name) !== want) {
        throw new CheckFailure(`${spec.name} has ${e.name}=${secret ? '(hidden)' : JSON.stringify(actual.get(e.name))} (${source}), expected ${secret ? 'the value the e2e put there' : JSON.stringify(want)}`);
      }
      found.push(`${spec.name} ${e.name}=${secret ? '(the run\'s value)' : want} (${source}${e.valueFrom.fieldRef?.fieldPath === 'metadata.name' ? ', filled by podman' : ''})`);
    }
  }
  return found.join(', ');
}

/**
 * The CA file each TLS receiver's output verifies against (`tls.ca_file`) is
 * in the sidecar, holds the CA the e2e put in the Secret or ConfigMap, and is
 * on a read-only mount. Returns a line for the output.
 */
export function checkCaFiles(receivers: readonly ReceiverExpectation[], fb: FluentBitConfig, spec: any, pid: number, values: ObjectValues): string {
  const found: string[] = [];
  for (const r of receivers) {
    if (!r.tlsCa) continue;
    const output = outputTo(fb, OUTPUT_PLUGINS[r.protocol], r.host, r.port);
    const file = output?.['tls.ca_file'];
    if (!file) throw new CheckFailure(`${spec.name}'s ${OUTPUT_PLUGINS[r.protocol]} output to ${r.host}:${r.port} has no tls.ca_file`);
    const where = pathIn(pid, String(file));
    if (!where) throw new CheckFailure(`${file} (the ${OUTPUT_PLUGINS[r.protocol]} output's tls.ca_file) does not exist in ${spec.name}`);
    const want = values.get(objectId(r.tlsCa))?.get(r.tlsCa.key);
    if (fs.readFileSync(where, 'utf8') !== want) {
      throw new CheckFailure(`${file} in ${spec.name} is not the CA the e2e put in ${r.tlsCa.kind} ${r.tlsCa.name} key ${r.tlsCa.key}`);
    }
    const mount = mountOf(pid, String(file));
    if (!mount?.options.split(',').includes('ro')) {
      throw new CheckFailure(`${file} is on a mount that is not read-only in ${spec.name} (${mount ? `${mount.point}: ${mount.options}` : 'no mount found'})`);
    }
    found.push(`${file} is the CA from ${r.tlsCa.kind} ${r.tlsCa.name} key ${r.tlsCa.key}, on a read-only mount (${mount.point})`);
  }
  return found.join('; ');
}

function environ(pid: number): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) env.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return env;
}

/** The mount holding `file` as the process sees it: the longest mount point that contains it. */
function mountOf(pid: number, file: string): { point: string; options: string } | undefined {
  const mounts = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').map(l => l.split(' ')).filter(f => f.length > 5)
    .map(f => ({ point: f[4], options: f[5] }))
    .filter(m => file === m.point || file.startsWith(m.point.endsWith('/') ? m.point : `${m.point}/`));
  return mounts.sort((a, b) => b.point.length - a.point.length)[0];
}
