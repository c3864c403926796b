// @ts-check
'use strict';

// Port numbers and names, as the API server checks them: numbers from 1 to
// 65535 (the schema only says "integer"), names in the IANA service-name
// format and unique per container and per Service, probes naming a port the
// container declares, and Service ports that can be told apart.

const { containersOf, isPlainObject, podSpecOf, show } = require('./walk');
const { forEachEntry } = require('./mounts');
const { isDnsLabel } = require('./names');

/** @typedef {import('./walk').Report} Report */
/** @typedef {import('./types').PathSegment} PathSegment */

const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const PORT_NAME = "an IANA service name (at most 15 lowercase letters, digits and '-', with at least one letter, no '--', "
  + "not starting or ending with '-')";
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];
const HANDLERS = ['httpGet', 'tcpSocket', 'grpc'];

/** @param {string} name */
function isPortName(name) {
  return name.length <= 15 && IANA_SVC_NAME.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

/**
 * @param {unknown} value
 * @param {number} min
 */
function isPortNumber(value, min = 1) {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= 65535;
}

/**
 * @param {Record<string, any>} object
 * @param {Report} report
 */
function check(object, report) {
  const pod = podSpecOf(object);
  if (pod) {
    for (const { container, path } of containersOf(pod.spec, pod.path)) {
      checkContainer(container, path, report);
    }
  }
  if (object.apiVersion === 'v1' && object.kind === 'Service' && isPlainObject(object.spec)) {
    checkService(object.spec, report);
  }
}

/**
 * @param {Record<string, any>} container
 * @param {PathSegment[]} path
 * @param {Report} report
 */
function checkContainer(container, path, report) {
  /** @type {Map<string, number>} */
  const names = new Map();
  forEachEntry(container.ports, (port, i) => {
    const at = [...path, 'ports', i];
    if (typeof port.containerPort === 'number' && !isPortNumber(port.containerPort)) {
      report([...at, 'containerPort'], `must be a port number from 1 to 65535, got ${show(port.containerPort)}`);
    }
    if (typeof port.hostPort === 'number' && port.hostPort !== 0 && !isPortNumber(port.hostPort)) {
      report([...at, 'hostPort'], `must be a port number from 1 to 65535 (or 0 for none), got ${show(port.hostPort)}`);
    }
    if (typeof port.name === 'string') {
      if (!isPortName(port.name)) {
        report([...at, 'name'], `must be ${PORT_NAME}, got ${show(port.name)}`);
      }
      const first = names.get(port.name);
      if (first !== undefined) {
        report([...at, 'name'], `duplicate port name ${show(port.name)}, already used by ports[${first}]`);
      } else {
        names.set(port.name, i);
      }
    }
  });

  for (const probe of PROBES) {
    const handlers = container[probe];
    if (isPlainObject(handlers)) checkHandlerPorts(handlers, [...path, probe], names, report);
  }
  const lifecycle = container.lifecycle;
  if (isPlainObject(lifecycle)) {
    for (const hook of ['postStart', 'preStop']) {
      if (isPlainObject(lifecycle[hook])) checkHandlerPorts(lifecycle[hook], [...path, 'lifecycle', hook], names, report);
    }
  }
}

/**
 * A probe or hook's port: a number, or the name of one of the container's ports (the kubelet fails the probe otherwise).
 * @param {Record<string, any>} handlers
 * @param {PathSegment[]} at
 * @param {Map<string, number>} containerPortNames
 * @param {Report} report
 */
function checkHandlerPorts(handlers, at, containerPortNames, report) {
  for (const kind of HANDLERS) {
    const handler = handlers[kind];
    if (!isPlainObject(handler)) continue;
    const port = handler.port;
    const portPath = [...at, kind, 'port'];
    if (typeof port === 'number' && !isPortNumber(port)) {
      report(portPath, `must be a port number from 1 to 65535, got ${show(port)}`);
    } else if (typeof port === 'string') {
      if (kind === 'grpc') {
        report(portPath, `must be a port number, grpc probes do not take port names, got ${show(port)}`);
      } else if (!isPortName(port)) {
        report(portPath, `must be a port number or ${PORT_NAME}, got ${show(port)}`);
      } else if (!containerPortNames.has(port)) {
        report(portPath, `names port ${show(port)}, which the container does not declare in its ports`);
      }
    }
  }
}

/**
 * @param {Record<string, any>} spec
 * @param {Report} report
 */
function checkService(spec, report) {
  if (!Array.isArray(spec.ports)) return;
  const many = spec.ports.length > 1;
  /** @type {Map<string, number>} */
  const names = new Map();
  /** @type {Map<string, number>} */
  const numbers = new Map();
  forEachEntry(spec.ports, (port, i) => {
    const at = ['spec', 'ports', i];
    if (typeof port.port === 'number' && !isPortNumber(port.port)) {
      report([...at, 'port'], `must be a port number from 1 to 65535, got ${show(port.port)}`);
    }
    if (typeof port.nodePort === 'number' && port.nodePort !== 0 && !isPortNumber(port.nodePort)) {
      report([...at, 'nodePort'], `must be a port number from 1 to 65535 (or 0 to let the cluster choose), got ${show(port.nodePort)}`);
    }
    const target = port.targetPort;
    if (typeof target === 'number' && !isPortNumber(target)) {
      report([...at, 'targetPort'], `must be a port number from 1 to 65535, got ${show(target)}`);
    } else if (typeof target === 'string' && !isPortName(target)) {
      report([...at, 'targetPort'], `must be a port number or ${PORT_NAME}, got ${show(target)}`);
    }
    if (typeof port.name === 'string' && port.name !== '') {
      if (!isDnsLabel(port.name)) {
        report([...at, 'name'], "must be a DNS-1123 label (at most 63 lowercase letters, digits and '-', "
          + `starting and ending with a letter or digit), got ${show(port.name)}`);
      }
      const first = names.get(port.name);
      if (first !== undefined) report([...at, 'name'], `duplicate port name ${show(port.name)}, already used by spec.ports[${first}]`);
      else names.set(port.name, i);
    } else if (many) {
      report([...at, 'name'], 'is required when a Service has more than one port');
    }
    const key = `${port.port}/${port.protocol ?? 'TCP'}`;
    const first = numbers.get(key);
    if (first !== undefined) report([...at, 'port'], `duplicate port ${key}, already used by spec.ports[${first}]`);
    else numbers.set(key, i);
  });
}

module.exports = { check, isPortName };
