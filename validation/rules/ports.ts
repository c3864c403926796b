// Port numbers and names, as the API server checks them: numbers from 1 to
// 65535 (the schema only says "integer"), names in the IANA service-name
// format and unique per container and per Service, probes naming a port the
// container declares, and Service ports that can be told apart.

import { DNS_1123_LABEL } from '../../lib/checks/names';
import { showBrief as show } from '../../lib/checks/show';
import type { KubernetesObject, ObjectRule, PathSegment, Report } from '../rule';
import { containersOf, forEachEntry, isPlainObject, podSpecOf } from '../walk';

export const rule: ObjectRule = {
  id: 'port',
  description: 'port numbers from 1 to 65535, port names, probes naming a declared port',
  input: 'object',
  check,
};

const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const PORT_NAME = "an IANA service name (at most 15 lowercase letters, digits and '-', with at least one letter, no '--', "
  + "not starting or ending with '-')";
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];
const HANDLERS = ['httpGet', 'tcpSocket', 'grpc'];

/** A container port's name, which probes may name instead of its number. */
export function isPortName(name: string): boolean {
  return name.length <= 15 && IANA_SVC_NAME.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

function isPortNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function check(object: KubernetesObject, report: Report): void {
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

function checkContainer(container: Record<string, any>, path: PathSegment[], report: Report): void {
  const names = new Map<string, number>();
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

/** A probe or hook's port: a number, or the name of one of the container's ports (the kubelet fails the probe otherwise). */
function checkHandlerPorts(handlers: Record<string, any>, at: PathSegment[], containerPortNames: Map<string, number>, report: Report): void {
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

function checkService(spec: Record<string, any>, report: Report): void {
  if (!Array.isArray(spec.ports)) return;
  const many = spec.ports.length > 1;
  const names = new Map<string, number>();
  const numbers = new Map<string, number>();
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
      if (!DNS_1123_LABEL.matches(port.name)) {
        report([...at, 'name'], `must be ${DNS_1123_LABEL.description}, got ${show(port.name)}`);
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
