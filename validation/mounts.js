// @ts-check
'use strict';

// Volumes and the mounts that name them, as the API server checks them
// (ValidateVolumeMounts): every mount or device names a volume of the pod,
// volume names are unique, a container mounts each path once, and subPath
// stays inside its volume. The schema cannot say any of this: it is about two
// fields agreeing, not about one field's shape.

const { containersOf, formatPath, isPlainObject, podSpecOf, show } = require('./walk');

/** @typedef {import('./walk').Report} Report */
/** @typedef {import('./types').PathSegment} PathSegment */

/**
 * @param {Record<string, any>} object
 * @param {Report} report
 */
function check(object, report) {
  const pod = podSpecOf(object);
  if (!pod) return;
  const { spec, path: specPath } = pod;
  const volumesPath = formatPath([...specPath, 'volumes']);

  /** @type {Map<string, number>} */
  const volumes = new Map();
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((/** @type {unknown} */ volume, /** @type {number} */ i) => {
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
    /** @type {Map<string, number>} */
    const mountPaths = new Map();
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

/**
 * @param {unknown} list
 * @param {(entry: Record<string, any>, index: number) => void} visit
 */
function forEachEntry(list, visit) {
  if (!Array.isArray(list)) return;
  list.forEach((entry, i) => {
    if (isPlainObject(entry)) visit(entry, i);
  });
}

module.exports = { check, forEachEntry };
