import { brief, isRecord } from './manifest';
import { ContainerRole, MountEdge, VolumeNode } from './model';

/** A container of a pod spec, with what the diagram needs of it. */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly role: ContainerRole;
  readonly command: string[];
  readonly args: string[];
  readonly mounts: MountEdge[];
}

export interface PodSpec {
  /** Init containers first, then containers, each in manifest order. */
  readonly containers: ContainerSpec[];
  /** Every volume, in manifest order. */
  readonly volumes: VolumeNode[];
}

/** The containers and volumes of a pod spec, checked; `where` names the pod in error messages. */
export function readPodSpec(spec: Record<string, unknown>, where: string): PodSpec {
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    throw new Error(`${where} must have a non-empty spec.containers list, got ${spec.containers === undefined ? 'none' : brief(spec.containers)}`);
  }
  const containers = [
    ...listAt(spec, 'initContainers', where).map(container => ({ container, init: true })),
    ...spec.containers.map(container => ({ container, init: false })),
  ].map(({ container, init }, index) => containerSpec(container, init, `${where} container ${index + 1}`));
  const volumes = listAt(spec, 'volumes', where).map((volume, index) => volumeNode(volume, `${where} spec.volumes[${index}]`));
  for (const mount of containers.flatMap(container => container.mounts)) {
    if (!volumes.some(volume => volume.name === mount.volume)) {
      throw new Error(`${where} container ${JSON.stringify(mount.container)} mounts volume ${JSON.stringify(mount.volume)}, `
        + `which must be in spec.volumes, got ${volumes.map(volume => JSON.stringify(volume.name)).join(', ') || 'none'}`);
    }
  }
  return { containers, volumes };
}

function containerSpec(container: unknown, init: boolean, where: string): ContainerSpec {
  if (!isRecord(container) || typeof container.name !== 'string') {
    throw new Error(`${where} must be a mapping with a name, got ${brief(container)}`);
  }
  const name = container.name;
  const mounts = listAt(container, 'volumeMounts', `${where} (${name})`).map((mount, index): MountEdge => {
    if (!isRecord(mount) || typeof mount.name !== 'string' || typeof mount.mountPath !== 'string') {
      throw new Error(`${where} (${name}) volumeMounts[${index}] must have a name and a mountPath, got ${brief(mount)}`);
    }
    return {
      volume: mount.name,
      container: name,
      mountPath: mount.mountPath,
      readOnly: mount.readOnly === true,
      subPath: text(mount.subPath),
    };
  });
  return {
    name,
    image: text(container.image) ?? '(no image)',
    // A native sidecar is an init container that keeps running beside the others.
    role: !init ? 'container' : container.restartPolicy === 'Always' ? 'native sidecar' : 'init container',
    command: strings(container.command),
    args: strings(container.args),
    mounts,
  };
}

function volumeNode(volume: unknown, where: string): VolumeNode {
  if (!isRecord(volume) || typeof volume.name !== 'string') {
    throw new Error(`${where} must be a mapping with a name, got ${brief(volume)}`);
  }
  // A volume has its name and one source, such as `emptyDir: {}`.
  const type = Object.keys(volume).find(key => key !== 'name') ?? 'emptyDir';
  const source = isRecord(volume[type]) ? volume[type] : {};
  return {
    name: volume.name,
    type,
    sizeLimit: text(source.sizeLimit),
    medium: text(source.medium),
    reference: text(source.name) ?? text(source.secretName) ?? text(source.claimName),
  };
}

function listAt(record: Record<string, unknown>, field: string, where: string): unknown[] {
  const value = record[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new Error(`${where} ${field} must be a list, got ${brief(value)}`);
  }
  return value;
}

/** A scalar as text, or undefined when it is missing or empty. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
