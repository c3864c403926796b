import { createHash } from 'crypto';
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';

// What LoggingSidecar sets in a workload's pod template beyond cdk8s-plus's
// props, as JSON patches to its manifest, and what it needs to know of the
// workload kinds to do so.

/** Lets the sidecar see and signal nginx; cdk8s-plus has no prop for it, so it is patched in. */
export function shareProcessNamespace(workload: kplus.AbstractPod): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.add(`${podSpecPath(workload)}/shareProcessNamespace`, true));
}

/** Puts `object` into the workload's namespace when it is not there already (a workload given a namespace of its own). */
export function placeInNamespaceOf(object: IConstruct, workload: kplus.AbstractPod): void {
  const namespace = ApiObject.of(workload).metadata.namespace;
  const apiObject = ApiObject.of(object);
  if (namespace !== undefined && apiObject.metadata.namespace !== namespace) {
    apiObject.addJsonPatch(JsonPatch.add('/metadata/namespace', namespace));
  }
}

/** `nodeSelector`, which cdk8s-plus has no prop for (its `scheduling` writes node affinity instead). */
export function addNodeSelector(workload: kplus.AbstractPod, nodeSelector: { [label: string]: string }): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.add(`${podSpecPath(workload)}/nodeSelector`, { ...nodeSelector }));
}

/**
 * Declares `ports` on `container` in the manifest only, by index (containers are only ever appended): as cdk8s-plus
 * ports, Deployment.exposeViaService() would expose them beside the workload's own and throw when one of those is
 * unnamed, and connections.allowFrom() would open them to every peer. The liveness probe and Prometheus discovery
 * (by annotation or by port name) need no more.
 */
export function declarePortsInManifest(workload: kplus.AbstractPod, container: kplus.Container, ports: kplus.ContainerPort[]): void {
  const initIndex = workload.initContainers.indexOf(container);
  const [list, index] = initIndex >= 0
    ? ['initContainers', initIndex]
    : ['containers', workload.containers.indexOf(container)];
  ApiObject.of(workload).addJsonPatch(JsonPatch.add(`${podSpecPath(workload)}/${list}/${index}/ports`, ports.map(kubeContainerPort)));
  // The patch sets the whole list: a port added to the container through cdk8s-plus later would be lost.
  workload.node.addValidation({
    validate: () => container.ports.length === 0 ? [] : [`the sidecar container ${JSON.stringify(container.name)} declares the shipper's ports `
      + `${JSON.stringify(ports.map(p => p.number))} itself; a port added to it (${JSON.stringify(container.ports.map(p => p.number))}) would be dropped: `
      + 'add it to another container'],
  });
}

/**
 * Whether a changed pod template replaces the running pods. A bare Pod is not
 * replaced when its annotations change, a Job's template is immutable (a
 * changed annotation would make the update fail), and a CronJob's next Job
 * mounts the ConfigMap as it is then, so only these three get the hash.
 */
export function rollsOnTemplateChange(workload: kplus.AbstractPod): boolean {
  return workload instanceof kplus.Deployment || workload instanceof kplus.StatefulSet || workload instanceof kplus.DaemonSet;
}

/** SHA-256 of the ConfigMap's `data` (and `binaryData`, if any) as synthesized, as JSON with sorted keys. */
export function configHash(configMap: kplus.ConfigMap): string {
  const { data, binaryData } = ApiObject.of(configMap).toJson();
  return createHash('sha256').update(JSON.stringify({ binaryData: sortedKeys(binaryData), data: sortedKeys(data) })).digest('hex');
}

/** Where the pod spec is in the workload's manifest, for JSON patches. */
function podSpecPath(workload: kplus.AbstractPod): string {
  return workload instanceof kplus.Pod ? '/spec'
    : workload instanceof kplus.CronJob ? '/spec/jobTemplate/spec/template/spec'
      : '/spec/template/spec';
}

/** A port as cdk8s-plus renders it; JSON patches apply before the generated k8s mapping (which spells `hostIP`). */
function kubeContainerPort(port: kplus.ContainerPort): { [key: string]: unknown } {
  const rendered = { containerPort: port.number, protocol: port.protocol, name: port.name, hostPort: port.hostPort, hostIp: port.hostIp };
  return Object.fromEntries(Object.entries(rendered).filter(([, value]) => value !== undefined));
}

/** Keys in order, so that the hash changes with the content only, not with the order entries were added in. */
function sortedKeys(map?: { [key: string]: string }): { [key: string]: string } | undefined {
  return map && Object.fromEntries(Object.keys(map).sort().map(key => [key, map[key]]));
}
