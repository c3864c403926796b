import * as kplus from 'cdk8s-plus-28';
import { LogShipper, LogShipperConfig } from './log-shipper';
import { show } from './validation';

// The checks that what a LoggingSidecar adds fits into the workload's pod:
// container and volume names, mount paths, ports and annotations must differ
// from what the pod already has, since Kubernetes would reject the pod or,
// for annotations and ports, silently keep one of the two.

/** The shared log volume's name unless `volumeName` says otherwise. */
export const DEFAULT_LOG_VOLUME_NAME = 'shared-logs';
/** The start of every volume name the shipper may add; no other volume of the pod may use it. */
export const SHIPPER_VOLUME_PREFIX = 'log-shipper-';
/** The volume of the shipper's configuration files, when it has any. */
export const CONFIG_VOLUME_NAME = `${SHIPPER_VOLUME_PREFIX}config`;
/** The shipper's own state volume, when it has one. */
export const STATE_VOLUME_NAME = `${SHIPPER_VOLUME_PREFIX}state`;

/** The sidecar's own names and paths, with defaults resolved. */
export interface SidecarPlacement {
  readonly containerName: string;
  readonly volumeName: string;
  readonly logDirectory: string;
}

/** What the workload's pod already has, which `checkShipperConfig()` checks the shipper's additions against. */
export interface PodContents {
  /** The workload's containers and init containers. */
  readonly containers: kplus.Container[];
  readonly containerNames: string[];
  /** The pod's volume names, those mounted in containers and those reserved for the shipper included. */
  readonly volumeNames: string[];
}

/** Checks that the sidecar's container, volume and mount fit into the workload, before the shipper is bound. */
export function checkAgainstWorkload(workload: kplus.AbstractPod, logWriter: kplus.Container, sidecar: SidecarPlacement): PodContents {
  if (!workload.containers.includes(logWriter)) {
    throw new Error(`logWriter must be a container of the workload, got container ${show(logWriter.name)}`);
  }
  const containers = [...workload.containers, ...workload.initContainers];
  const taken = containers.map(c => c.name);
  if (taken.includes(sidecar.containerName)) {
    throw new Error(`containerName must differ from the workload's container names ${show(taken)}, got ${show(sidecar.containerName)}`);
  }
  // Volumes mounted on containers join the pod only at synth, so they are collected here too.
  const volumesTaken = [...new Set([
    ...workload.volumes.map(v => v.name),
    ...containers.flatMap(c => c.mounts.map(m => (m.volume as kplus.Volume).name)),
    CONFIG_VOLUME_NAME,
    STATE_VOLUME_NAME,
  ])];
  if (volumesTaken.includes(sidecar.volumeName)) {
    throw new Error(`volumeName must differ from the pod's other volume names ${show(volumesTaken)}, got ${show(sidecar.volumeName)}`);
  }
  const reserved = workload.volumes.find(v => v.name === CONFIG_VOLUME_NAME || v.name === STATE_VOLUME_NAME);
  if (reserved) {
    throw new Error(`the workload already has a volume named ${show(reserved.name)}: add one LoggingSidecar per workload`);
  }
  const writerPaths = logWriter.mounts.map(m => m.path);
  if (writerPaths.includes(sidecar.logDirectory)) {
    throw new Error(`logDirectory must differ from the paths already mounted in logWriter ${show(writerPaths)}, got ${show(sidecar.logDirectory)}`);
  }
  return { containers, containerNames: taken, volumeNames: volumesTaken };
}

/** What the sidecar adds beside the shipper's config, which `checkShipperConfig()` needs. */
export interface SidecarAdditions extends SidecarPlacement {
  /** Where the shipper's state is mounted. */
  readonly stateDirectory: string;
  /** The names of the shipper's companion containers, in the order of `companions`. */
  readonly companionNames: string[];
  /** The annotation the sidecar sets to the hash of the shipper's configuration; undefined when it sets none. */
  readonly configHashAnnotation?: string;
}

/** Checks that what the shipper's `bind()` returned fits into the pod beside what is there and the sidecar. */
export function checkShipperConfig(
  workload: kplus.AbstractPod,
  pod: PodContents,
  shipper: LogShipper,
  spec: LogShipperConfig,
  sidecar: SidecarAdditions,
): void {
  const ownPaths = [
    ...(spec.needsState ? [sidecar.stateDirectory] : []),
    ...(spec.configDirectory ? [spec.configDirectory] : []),
    ...(spec.volumes ?? []).map(v => v.path),
  ];
  if (ownPaths.includes(sidecar.logDirectory)) {
    throw new Error(`logDirectory must differ from the paths the shipper mounts ${show(ownPaths)}, got ${show(sidecar.logDirectory)}`);
  }
  for (const { volume } of spec.volumes ?? []) {
    if (volume.name === sidecar.volumeName || pod.volumeNames.includes(volume.name)) {
      throw new Error(`${shipper.displayName} adds a volume named ${show(volume.name)}, which the pod already has `
        + `(${volume.name === sidecar.volumeName ? 'volumeName' : `its volumes ${show(pod.volumeNames)}`})`);
    }
  }
  for (const name of sidecar.companionNames) {
    if (name.length > 63) {
      throw new Error(`containerName (sidecarContainerName of a LoggingSidecarPod or LoggingSidecarDeployment) must be at most ${63 - (name.length - sidecar.containerName.length)} characters, so that `
        + `${shipper.displayName}'s companion container ${show(name)} is a DNS-1123 label, got ${show(sidecar.containerName)}`);
    }
    if (pod.containerNames.includes(name)) {
      throw new Error(`${shipper.displayName} adds a container named ${show(name)}, which the workload already has`);
    }
  }
  for (const port of spec.ports ?? []) {
    const user = pod.containers.find(c => c.ports.some(p => p.number === port.number));
    if (user) {
      throw new Error(`${shipper.displayName} listens on port ${port.number}, which container ${show(user.name)} `
        + 'already declares; the containers of a pod share one network namespace');
    }
  }
  const annotationsTaken: { [key: string]: string } = workload.podMetadata.toJson().annotations ?? {};
  for (const [key, value] of Object.entries(spec.podAnnotations ?? {})) {
    if (key in annotationsTaken) {
      throw new Error(`${shipper.displayName} adds the pod annotation ${show(key)}: ${show(value)}, `
        + `which the workload's pod template already has: ${show(annotationsTaken[key])}`);
    }
  }
  const hash = sidecar.configHashAnnotation;
  if (hash !== undefined && hash in annotationsTaken) {
    throw new Error(`the workload's pod template already has the annotation ${show(hash)}: `
      + `${show(annotationsTaken[hash])}, which LoggingSidecar sets to the hash of the shipper's configuration`);
  }
}

/**
 * At synth: no container of the workload mounts two volumes at one path. A
 * mount added later through an escape hatch (`webContainer.mount()` at the log
 * directory, say) would otherwise make the API server refuse the pod.
 */
export function mountPathConflicts(workload: kplus.AbstractPod): string[] {
  const problems: string[] = [];
  for (const container of [...workload.initContainers, ...workload.containers]) {
    const byPath = new Map<string, string[]>();
    for (const mount of container.mounts) {
      byPath.set(mount.path, [...(byPath.get(mount.path) ?? []), (mount.volume as kplus.Volume).name]);
    }
    for (const [path, volumes] of byPath) {
      if (volumes.length > 1) {
        problems.push(`container ${show(container.name)} mounts ${volumes.length} volumes at ${show(path)} (${volumes.map(v => show(v)).join(', ')}), `
          + 'which the API server refuses: mount each at a path of its own');
      }
    }
  }
  return problems;
}
