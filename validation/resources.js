// @ts-check
'use strict';

// Resource requests and limits, as the API server checks them beyond the
// quantity format the schema knows: no negative amounts, and no request above
// its limit (the Pod is rejected as a whole otherwise).

const { containersOf, isPlainObject, podSpecOf, show } = require('./walk');

/** @typedef {import('./walk').Report} Report */

const SUFFIXES = /** @type {Record<string, number>} */ ({
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
});
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/**
 * The amount a quantity stands for, or undefined when it is not one (the schema check reports those).
 * @param {unknown} value
 * @returns {number | undefined}
 */
function parseQuantity(value) {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = QUANTITY.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]) * (match[2] ? Number(`1${match[2]}`) : SUFFIXES[match[3] ?? '']);
  return Number.isFinite(amount) ? amount : undefined;
}

/**
 * @param {Record<string, any>} object
 * @param {Report} report
 */
function check(object, report) {
  const pod = podSpecOf(object);
  if (!pod) return;
  for (const { container, path } of containersOf(pod.spec, pod.path)) {
    const resources = container.resources;
    if (!isPlainObject(resources)) continue;
    const requests = isPlainObject(resources.requests) ? resources.requests : {};
    const limits = isPlainObject(resources.limits) ? resources.limits : {};
    for (const [field, amounts] of /** @type {const} */ ([['requests', requests], ['limits', limits]])) {
      for (const [resource, value] of Object.entries(amounts)) {
        const amount = parseQuantity(value);
        if (amount !== undefined && amount < 0) {
          report([...path, 'resources', field, resource], `must not be negative, got ${show(value)}`);
        }
      }
    }
    for (const [resource, value] of Object.entries(requests)) {
      const request = parseQuantity(value);
      const limit = parseQuantity(limits[resource]);
      if (request !== undefined && limit !== undefined && request > limit) {
        report([...path, 'resources', 'requests', resource],
          `must not exceed limits.${resource}, got ${show(value)} > ${show(limits[resource])}`);
      }
    }
  }
}

module.exports = { check, parseQuantity };
