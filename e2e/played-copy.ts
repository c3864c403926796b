import * as fs from 'fs';
import * as os from 'os';
import { Yaml } from 'cdk8s';
import { unfilledFieldRefs } from './manifest';
import { objectId, ObjectValues } from './secrets';

/**
 * The copy of a manifest the e2e plays when podman needs something the
 * manifest leaves to the cluster. Each change stands in for a cluster service
 * or works around a limit of podman 4.3, never for the manifest's sake; the
 * output lists them.
 */
export interface PlayedCopyChanges {
  /** `spec.hostAliases`: the receivers' pods, the stand-in for cluster DNS. */
  readonly aliases: readonly { readonly ip: string; readonly hostnames: readonly string[] }[];
  /** Literal values for the downward API fields podman cannot fill, by fieldPath. */
  readonly fieldValues: FieldValues;
  /** ConfigMaps the pod names and the file does not define (the cluster's), with the e2e's values. */
  readonly configMaps: readonly any[];
}

export interface FieldValues {
  readonly [fieldPath: string]: string;
}

/** The namespace a manifest that names none is applied to. */
export const DEFAULT_NAMESPACE = 'default';

/** A documentation address (RFC 5737) for status.podIP when podman cannot be told which IP to give the pod. */
const NO_POD_IP = '192.0.2.1';

/**
 * What the played copy says instead of the fields podman 4.3 cannot fill:
 * the manifest's namespace (or `default`, where kubectl would apply it), this
 * host's name (the pods run here), and the IP the e2e asks podman to give the
 * pod (`kube play --ip`).
 */
export function fieldValues(pod: any, podIp: string | undefined): FieldValues {
  return {
    'metadata.namespace': pod.metadata?.namespace ?? DEFAULT_NAMESPACE,
    'spec.nodeName': os.hostname(),
    'status.podIP': podIp ?? NO_POD_IP,
  };
}

/** Writes the played copy; returns its objects and one line per change, for the output. */
export function writePlayedCopy(objects: readonly any[], target: string, changes: PlayedCopyChanges): { objects: any[]; notes: string[] } {
  const copy: any[] = JSON.parse(JSON.stringify(objects));
  const pod = copy.find(o => o.kind === 'Pod');
  const notes: string[] = [];
  if (changes.aliases.length) {
    pod.spec.hostAliases = [...(pod.spec.hostAliases ?? []), ...changes.aliases.map(a => ({ ip: a.ip, hostnames: [...a.hostnames] }))];
    notes.push(`spec.hostAliases ${changes.aliases.map(a => `${a.hostnames.join(', ')} -> ${a.ip}`).join('; ')} (the receiver pod), the stand-in for cluster DNS`);
  }
  const unfilled = unfilledFieldRefs(pod);
  for (const f of unfilled) {
    const env = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c: any) => c.name === f.container).env.find((e: any) => e.name === f.name);
    delete env.valueFrom;
    env.value = changes.fieldValues[f.fieldPath];
  }
  if (unfilled.length) {
    notes.push(`env ${unfilled.map(f => `${f.name}=${changes.fieldValues[f.fieldPath]} (fieldRef ${f.fieldPath})`).join(', ')} as literal values, `
      + 'which podman 4.3 cannot fill (metadata.name it fills: left as a fieldRef)');
  }
  for (const m of changes.configMaps) {
    copy.push(m);
    notes.push(`ConfigMap ${m.metadata.name} (${Object.keys(m.data).join(', ')}), which the pod names and the cluster would hold, with the e2e's values`);
  }
  fs.writeFileSync(target, Yaml.stringify(...copy));
  return { objects: copy, notes };
}

/**
 * A container's environment as the played copy gives it: plain values, the
 * pod's name for metadata.name, the literal values, and what the e2e put in
 * the Secrets and ConfigMaps; what it cannot know is left out.
 */
export function playedEnvironment(container: any, podName: string, fields: FieldValues, values: ObjectValues): Map<string, string> {
  const env = new Map<string, string>();
  for (const e of container.env ?? []) {
    const fieldPath = e.valueFrom?.fieldRef?.fieldPath;
    const keyRef = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    const kind = e.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap';
    const value = e.value !== undefined ? String(e.value)
      : fieldPath === 'metadata.name' ? podName
        : fieldPath !== undefined ? fields[fieldPath]
          : keyRef ? values.get(objectId({ kind, name: keyRef.name }))?.get(keyRef.key) : undefined;
    if (value !== undefined) env.set(String(e.name), value);
  }
  return env;
}
