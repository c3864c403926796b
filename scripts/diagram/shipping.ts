import { Destination, fluentBitDestination, stdoutDestination } from './destinations';
import { FLUENT_BIT_CONFIG_KEY, FluentBitPipeline, readFluentBitConfig } from './fluent-bit-config';
import { isRecord, KubeObject } from './manifest';
import { VolumeNode } from './model';
import { ContainerSpec } from './pod-spec';
import { programOf } from './programs';

/** What a container does with the logs, as far as its manifest tells. */
export interface Shipping {
  readonly does?: string;
  readonly ships: boolean;
  readonly destinations: Destination[];
}

/** What the pod around a container offers to tell what it ships. */
export interface PodContext {
  readonly volumes: readonly VolumeNode[];
  /** The objects of the manifest, where the shipper's ConfigMap is. */
  readonly objects: readonly KubeObject[];
  readonly namespace?: string;
  /** What `kubectl logs` is given for the pod. */
  readonly logsTarget: string;
  readonly where: string;
}

/**
 * Fluent Bit, when the container mounts a ConfigMap with its configuration:
 * it ships to its outputs. Else the program it runs, when this project wrote
 * it: a shipper among them prints the logs to the container's stdout.
 */
export function shippingOf(container: ContainerSpec, pod: PodContext): Shipping {
  const fluentBit = fluentBitConfigOf(container, pod);
  if (fluentBit) {
    return {
      does: fluentBit.tails.length > 0 ? `Fluent Bit: tails ${fluentBit.tails.join(', ')}` : 'Fluent Bit',
      ships: true,
      destinations: fluentBit.outputs.map(output => fluentBitDestination(output, pod.logsTarget, container.name)),
    };
  }
  const program = programOf(container.command, container.args);
  return {
    does: program?.does,
    ships: program?.printsLogs ?? false,
    destinations: program?.printsLogs ? [stdoutDestination(pod.logsTarget, container.name)] : [],
  };
}

/** The `fluent-bit.yaml` of a ConfigMap of the same manifest and namespace that the container mounts. */
function fluentBitConfigOf(container: ContainerSpec, pod: PodContext): FluentBitPipeline | undefined {
  for (const mount of container.mounts) {
    const volume = pod.volumes.find(candidate => candidate.name === mount.volume);
    if (volume?.type !== 'configMap') continue;
    const configMap = pod.objects.find(object => object.apiVersion === 'v1' && object.kind === 'ConfigMap'
      && object.metadata.name === volume.reference && object.metadata.namespace === pod.namespace);
    const config = isRecord(configMap?.data) ? configMap.data[FLUENT_BIT_CONFIG_KEY] : undefined;
    if (typeof config === 'string') {
      return readFluentBitConfig(config, `${pod.where} ConfigMap ${JSON.stringify(volume.reference)} ${FLUENT_BIT_CONFIG_KEY}`);
    }
  }
  return undefined;
}
