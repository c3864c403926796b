// Resource requests and limits, as the API server checks them beyond the
// quantity format the schema knows: no negative amounts, and no request above
// its limit (the Pod is rejected as a whole otherwise).

import { quantityAmount } from '../../lib/checks/quantity';
import { showBrief as show } from '../../lib/checks/show';
import type { KubernetesObject, ObjectRule, Report } from '../rule';
import { containersOf, isPlainObject, podSpecOf } from '../walk';

export const rule: ObjectRule = {
  id: 'resources',
  description: 'no negative requests or limits, no request above its limit',
  input: 'object',
  check,
};

function check(object: KubernetesObject, report: Report): void {
  const pod = podSpecOf(object);
  if (!pod) return;
  for (const { container, path } of containersOf(pod.spec, pod.path)) {
    const resources = container.resources;
    if (!isPlainObject(resources)) continue;
    const requests: Record<string, unknown> = isPlainObject(resources.requests) ? resources.requests : {};
    const limits: Record<string, unknown> = isPlainObject(resources.limits) ? resources.limits : {};
    for (const [field, amounts] of [['requests', requests], ['limits', limits]] as const) {
      for (const [resource, value] of Object.entries(amounts)) {
        // A value that is not a quantity is the schema rule's to report.
        const amount = quantityAmount(value);
        if (amount !== undefined && amount < 0) {
          report([...path, 'resources', field, resource], `must not be negative, got ${show(value)}`);
        }
      }
    }
    for (const [resource, value] of Object.entries(requests)) {
      const request = quantityAmount(value);
      const limit = quantityAmount(limits[resource]);
      if (request !== undefined && limit !== undefined && request > limit) {
        report([...path, 'resources', 'requests', resource],
          `must not exceed limits.${resource}, got ${show(value)} > ${show(limits[resource])}`);
      }
    }
  }
}
