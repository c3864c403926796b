import { KubeObject } from './manifest';
import { DestinationNode, PodGraph } from './model';
import { readPodSpec } from './pod-spec';
import { shippingOf } from './shipping';
import { podSpecOf, runsPods } from './workloads';

/**
 * A graph for each Pod and workload in a manifest's objects, in manifest
 * order; `source` names the manifest in the graphs and in error messages.
 */
export function podGraphs(objects: readonly KubeObject[], source: string): PodGraph[] {
  return objects.filter(runsPods).map(object => podGraph(object, objects, source));
}

function podGraph(object: KubeObject, objects: readonly KubeObject[], source: string): PodGraph {
  const name = object.metadata.name;
  const where = `${source}: ${object.kind} ${JSON.stringify(name)}`;
  if (typeof name !== 'string' || name === '') {
    throw new Error(`${where} must have a metadata.name, got none`);
  }
  const { containers, volumes } = readPodSpec(podSpecOf(object, where), where);
  const mounts = containers.flatMap(container => container.mounts);
  // Only what links containers is drawn: a volume one container keeps to itself says nothing about the logs.
  const shared = volumes.filter(volume => new Set(mounts.filter(mount => mount.volume === volume.name).map(mount => mount.container)).size > 1);

  const pod = { volumes, objects, namespace: object.metadata.namespace, logsTarget: logsTarget(object.kind, name), where };
  const shipping = containers.map(container => ({ container, ...shippingOf(container, pod) }));
  return {
    source,
    kind: object.kind,
    name,
    containers: shipping.map(({ container, does, ships }) => ({ name: container.name, image: container.image, role: container.role, does, ships })),
    volumes: shared,
    mounts: mounts.filter(mount => shared.some(volume => volume.name === mount.volume)),
    destinations: shipping.flatMap(({ container, destinations }) => destinations.map((destination, index): DestinationNode =>
      ({ id: `${container.name}/${index}`, from: container.name, ...destination }))),
  };
}

/** What `kubectl logs` is given to show a container of this object's pods. */
function logsTarget(kind: string, name: string): string {
  // kubectl logs takes a Pod by name and most workloads as kind/name, but not a CronJob: one of its Jobs.
  return kind === 'Pod' ? name : kind === 'CronJob' ? `job/${name}-<time>` : `${kind.toLowerCase()}/${name}`;
}
