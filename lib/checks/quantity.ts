// The quantity grammar of Kubernetes (k8s.io/apimachinery/pkg/api/resource):
// a signed decimal number, then a binary suffix (Ki to Ei), a decimal one
// (n, u, m, k to E) or a decimal exponent (e3).

const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

const MULTIPLIERS: Readonly<Record<string, number>> = {
  '': 1, 'n': 1e-9, 'u': 1e-6, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** A quantity as written, in its parts: `-1.5Gi` is sign '-', whole '1', fraction '5', suffix 'Gi'. */
export interface QuantityParts {
  /** '+', '-' or ''. */
  readonly sign: string;
  /** The digits before the decimal point, '' for `.5`. */
  readonly whole: string;
  /** The digits after the decimal point, '' for `1.`; undefined without a point. */
  readonly fraction?: string;
  /** The binary or decimal suffix, '' for none. */
  readonly suffix: string;
  /** The decimal exponent, as in `1e3`; undefined without one. */
  readonly exponent?: number;
}

/** The parts of a quantity, or undefined when `text` is not one. */
export function parseQuantity(text: string): QuantityParts | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, sign, number, exponent, suffix = ''] = match;
  const point = number.indexOf('.');
  return {
    sign,
    whole: point < 0 ? number : number.slice(0, point),
    fraction: point < 0 ? undefined : number.slice(point + 1),
    suffix,
    exponent: exponent === undefined ? undefined : Number(exponent),
  };
}

/**
 * The amount a quantity stands for (a number stands for itself), or
 * undefined when `value` is not a quantity or its amount is not finite.
 */
export function quantityAmount(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const parts = parseQuantity(value);
  if (!parts) return undefined;
  const number = Number(`${parts.sign}${parts.whole}.${parts.fraction ?? ''}`);
  const amount = number * (parts.exponent !== undefined ? Number(`1e${parts.exponent}`) : MULTIPLIERS[parts.suffix]);
  return Number.isFinite(amount) ? amount : undefined;
}
