import { brief, isRecord, KubeObject } from './manifest';

const TEMPLATE = ['spec', 'template', 'spec'];

/** Where each kind that runs pods keeps its pod spec, by API group (without version) and kind. */
const POD_SPEC_PATHS = new Map<string, readonly string[]>([
  ['/Pod', ['spec']],
  ['apps/Deployment', TEMPLATE],
  ['apps/StatefulSet', TEMPLATE],
  ['apps/DaemonSet', TEMPLATE],
  ['apps/ReplicaSet', TEMPLATE],
  ['batch/Job', TEMPLATE],
  ['batch/CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
]);

function keyOf(object: KubeObject): string {
  const slash = object.apiVersion.lastIndexOf('/');
  return `${slash < 0 ? '' : object.apiVersion.slice(0, slash)}/${object.kind}`;
}

/** Whether the object runs pods, so that `podSpecOf()` finds a pod spec in it. */
export function runsPods(object: KubeObject): boolean {
  return POD_SPEC_PATHS.has(keyOf(object));
}

/** The pod spec of a Pod or of a workload's pod template; `where` names the object in error messages. */
export function podSpecOf(object: KubeObject, where: string): Record<string, unknown> {
  const path = POD_SPEC_PATHS.get(keyOf(object));
  if (!path) {
    throw new Error(`${where} must be a Pod or a workload with a pod template, got ${object.apiVersion} ${object.kind}`);
  }
  let value: unknown = object;
  for (const field of path) {
    value = isRecord(value) ? value[field] : undefined;
  }
  if (!isRecord(value)) {
    throw new Error(`${where} must have a pod spec at ${path.join('.')}, got ${value === undefined ? 'none' : brief(value)}`);
  }
  return value;
}
