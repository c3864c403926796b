// Volumes and the mounts that name them, as the API server checks them
// (ValidateVolumeMounts): every mount or device names a volume of the pod,
// volume names are unique, a container mounts each path once, and subPath
// stays inside its volume. The schema cannot say any of this: it is about two
// fields agreeing, not about one field's shape.

import { showBrief as show } from '../../lib/checks/show';
import type { KubernetesObject, ObjectRule, Report } from '../rule';
import { containersOf, forEachEntry, formatPath, isPlainObject, podSpecOf } from '../walk';

export const rule: ObjectRule = {
  id: 'mount',
  description: 'volume mounts naming a volume of the pod, unique volume names and mount paths',
  input: 'object',
  check,
};

function check(object: KubernetesObject, report: Report): void {
  const pod = podSpecOf(object);
  if (!pod) return;
  const { spec, path: specPath } = pod;
  const volumesPath = formatPath([...specPath, 'volumes']);

  const volumes = new Map<string, number>();
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((volume: unknown, i: number) => {
      const name = isPlainObject(volume) ? volume.name : undefined;
      if (typeof name !== 'string') return;
      const first = volumes.get(name);
      if (first !== undefined) {
        report([...specPath, 'volumes', i, 'name'], `duplicate volume name ${show(name)}, already used by ${volumesPath}[${first}]`);
      } else {
        volumes.set(name, i);
      }
    });
  }

  for (const { container, path } of containersOf(spec, specPath)) {
    const mountPaths = new Map<string, number>();
    forEachEntry(container.volumeMounts, (mount, i) => {
      const at = [...path, 'volumeMounts', i];
      if (typeof mount.name === 'string' && !volumes.has(mount.name)) {
        report([...at, 'name'], `no volume named ${show(mount.name)} in ${volumesPath}`);
      }
      if (typeof mount.mountPath === 'string') {
        const first = mountPaths.get(mount.mountPath);
        if (mount.mountPath === '') {
          report([...at, 'mountPath'], 'must not be empty');
        } else if (first !== undefined) {
          report([...at, 'mountPath'], `${show(mount.mountPath)} is already mounted by volumeMounts[${first}], `
            + 'a container mounts each path once');
        } else {
          mountPaths.set(mount.mountPath, i);
        }
      }
      for (const field of ['subPath', 'subPathExpr']) {
        const subPath = mount[field];
        if (typeof subPath === 'string' && (subPath.startsWith('/') || subPath.split('/').includes('..'))) {
          report([...at, field], `must be a relative path inside the volume (not absolute, no '..'), got ${show(subPath)}`);
        }
      }
    });
    forEachEntry(container.volumeDevices, (device, i) => {
      if (typeof device.name === 'string' && !volumes.has(device.name)) {
        report([...path, 'volumeDevices', i, 'name'], `no volume named ${show(device.name)} in ${volumesPath}`);
      }
    });
  }
}
