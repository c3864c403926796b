// Whether kubectl read a synthesized object back as it was written: every
// value written is in kubectl's printout at the same path, identical, and
// kubectl added nothing. What its Go types print differently is listed
// below, field by field: defaults they add, zero values they leave out, and
// quantities, which they print in canonical form ("0.5" as "500m", "1024Mi"
// as "1Gi") and are compared by value. Its YAML-only printout must be the
// object exactly.
import { DECODE_CHECK_LABEL, DECODE_CHECK_VARIABLE } from './kubectl-decode';

/** Fields kubectl's Go types print when they are absent, with the value they print: `path` with `[]` for any index. */
const ADDED_BY_GO_TYPES: Array<[RegExp, unknown]> = [
  [/(^|\.)metadata\.creationTimestamp$/, null],
  [/^spec\.jobTemplate\.metadata$/, { creationTimestamp: null }],
  [/^status$/, {}],
  [/^status$/, { replicas: 0, availableReplicas: 0 }], // a StatefulSet's, whose counts have no omitempty
  [/\.(containers|initContainers)\[\]\.resources$/, {}],
];

/**
 * Fields written with the Go type's zero value, which it does not print
 * (`omitempty`): read as written all the same.
 */
const DROPPED_AS_ZERO: Array<[RegExp, unknown]> = [
  [/(^|\.)spec\.hostNetwork$/, false],
  [/^spec\.minReadySeconds$/, 0],
];

/** Quantities, which the Go type prints canonically; compared by value. */
const QUANTITY = /\.resources\.(requests|limits)\.[^.]+$|\.emptyDir\.sizeLimit$/;

/** Where each kind keeps its pod spec. */
const POD_SPEC_PATHS: { [kind: string]: string[] } = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** Whether `kubectl set env` prints this kind back: only kinds with a pod template. */
export function hasPodTemplate(object: { kind?: unknown }): boolean {
  return typeof object.kind === 'string' && Object.hasOwn(POD_SPEC_PATHS, object.kind);
}

/**
 * How kubectl's typed printout of `written` (from `kubectl set env`) differs
 * from it, as `path: problem` lines, after taking out the variable it added.
 */
export function typedReadBackDifferences(written: any, printed: any): string[] {
  const problems: string[] = [];
  const copy = structuredClone(printed);
  const spec = (hasPodTemplate(written) ? POD_SPEC_PATHS[written.kind] : []).reduce((o: any, key) => o?.[key], copy);
  for (const list of ['containers', 'initContainers']) {
    (spec?.[list] ?? []).forEach((container: any, i: number) => {
      const last = container.env?.pop();
      if (JSON.stringify(last) !== JSON.stringify(DECODE_CHECK_VARIABLE)) {
        problems.push(`${list}[${i}].env: kubectl did not add ${DECODE_CHECK_VARIABLE.name} last, its last entry is ${JSON.stringify(last)}`);
      }
      if (container.env?.length === 0) delete container.env;
    });
  }
  return [...problems, ...differences(written, copy, '', true)];
}

/** How kubectl's YAML-only printout of `written` (from `kubectl label`) differs from it, after taking out the label it added. */
export function unstructuredReadBackDifferences(written: any, printed: any): string[] {
  const copy = structuredClone(printed);
  const labels = copy.metadata?.labels;
  if (labels?.[DECODE_CHECK_LABEL.key] !== DECODE_CHECK_LABEL.value) {
    return [`metadata.labels: kubectl did not add ${DECODE_CHECK_LABEL.key}`];
  }
  delete labels[DECODE_CHECK_LABEL.key];
  if (Object.keys(labels).length === 0 && written.metadata?.labels === undefined) delete copy.metadata.labels;
  return differences(written, copy, '', false);
}

function differences(written: unknown, read: unknown, at: string, typed: boolean): string[] {
  const shown = at || '(the object)';
  if (Array.isArray(written)) {
    if (!Array.isArray(read) || read.length !== written.length) {
      return [`${shown}: wrote ${brief(written)}, kubectl read ${brief(read)}`];
    }
    return written.flatMap((item, i) => differences(item, read[i], `${at}[${i}]`, typed));
  }
  if (isObject(written)) {
    if (!isObject(read)) {
      return [`${shown}: wrote ${brief(written)}, kubectl read ${brief(read)}`];
    }
    const problems = Object.entries(written).flatMap(([key, value]) => key in read
      ? differences(value, read[key], join(at, key), typed)
      : typed && matches(DROPPED_AS_ZERO, join(at, key), value) ? []
        : [`${join(at, key)}: wrote ${brief(value)}, kubectl dropped it`]);
    for (const key of Object.keys(read).filter(k => !(k in written))) {
      if (!(typed && matches(ADDED_BY_GO_TYPES, join(at, key), read[key]))) problems.push(`${join(at, key)}: kubectl added ${brief(read[key])}`);
    }
    return problems;
  }
  if (typed && QUANTITY.test(at) && typeof written === 'string' && typeof read === 'string') {
    return sameQuantity(written, read) ? [] : [`${shown}: wrote the quantity ${brief(written)}, kubectl read ${brief(read)}`];
  }
  return written === read ? [] : [`${shown}: wrote ${brief(written)}, kubectl read ${brief(read)}`];
}

/** A Kubernetes quantity as an exact number: `digits` x 10^`exponent` x 1024^`binary`. */
function parseQuantity(text: string): { digits: bigint; exponent: number; binary: number } | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE]))?$/.exec(text);
  if (!match || `${match[2]}${match[3] ?? ''}` === '') return undefined;
  const [, sign, whole, fraction = '', exponent, binary, decimal] = match;
  const decimalExponents: { [suffix: string]: number } = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
  return {
    digits: BigInt(`${sign}${whole}${fraction}` || '0'),
    exponent: -fraction.length + (exponent ? Number(exponent.slice(1)) : 0) + (decimal ? decimalExponents[decimal] : 0),
    binary: binary ? ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'].indexOf(binary) + 1 : 0,
  };
}

function sameQuantity(a: string, b: string): boolean {
  const [x, y] = [parseQuantity(a), parseQuantity(b)];
  if (!x || !y) return a === b;
  const exact = (q: typeof x, exponent: number) => q.digits * 1024n ** BigInt(q.binary) * 10n ** BigInt(q.exponent - exponent);
  const lowest = Math.min(x.exponent, y.exponent);
  return exact(x, lowest) === exact(y, lowest);
}

/** Whether the field at `at` (indices as `[]`) with `value` is one of `fields`. */
function matches(fields: Array<[RegExp, unknown]>, at: string, value: unknown): boolean {
  const pattern = at.replace(/\[\d+\]/g, '[]');
  return fields.some(([path, expected]) => path.test(pattern) && JSON.stringify(expected) === JSON.stringify(value));
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(at: string, key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? (at ? `${at}.${key}` : key) : `${at}[${JSON.stringify(key)}]`;
}

function brief(value: unknown): string {
  const json = visible(value);
  return json.length > 200 ? `${json.slice(0, 200)}...` : json;
}

/** JSON with every character beyond printable ASCII escaped, so that a failure shows invisible and look-alike characters. */
export function visible(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.replace(/[^\x20-\x7e]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
