import { closest } from './checks/closest-name';
import { show } from './validation';

// Checks that a value has the type the TypeScript signature promises, for the
// callers no compiler checked: plain JavaScript, and the other languages jsii
// serves, whose values arrive as they are. A wrong type gets the same kind of
// message as a wrong value: the prop, what is expected, the value received.
//
// An optional prop is absent when it is `undefined`, as jsii passes an absent
// one. `null` is refused, naming the prop: TypeScript does not allow it, and
// reading it as "absent" would quietly put a default where the caller meant a
// value (one a lookup failed to find, say).
//
// cdk8s and cdk8s-plus objects are recognised by what this library calls on
// them, not by `instanceof`: with two copies of a package in node_modules (a
// second cdk8s-plus under another dependency), the same class is two classes.

/** A type a prop is checked against at run time. */
export interface RuntimeType {
  /** Throws when `value` is not of this type, naming it `prop`. */
  check(prop: string, value: unknown): void;
  /** Whether `undefined` is refused, when the type is a field's. @default false */
  readonly required?: boolean;
}

/** The runtime type of every field of `T`, optional ones included, so that a field added to `T` cannot be forgotten here. */
export type FieldTypes<T> = { readonly [K in keyof Required<T>]: RuntimeType };

/** A type whose values pass `test`; `expected` completes "<prop> must ...", such as `be a string`. */
export function typeOf(expected: string, test: (value: unknown) => boolean): RuntimeType {
  return {
    check(prop, value) {
      if (!test(value)) {
        throw new Error(`${prop} must ${expected}, got ${show(value)}`);
      }
    },
  };
}

/** The same type, with `undefined` refused too. */
export function required(type: RuntimeType): RuntimeType {
  return { check: (prop, value) => type.check(prop, value), required: true };
}

/** Instances of one of this library's own classes, which exist once, so `instanceof` is safe. */
// eslint-disable-next-line @typescript-eslint/ban-types -- any class, private constructors included
export function instanceOf(cls: Function, expected: string): RuntimeType {
  return typeOf(expected, value => value instanceof cls);
}

/** A real array, without holes, whose every item is of type `item`, named `<prop>[<index>]`. */
export function arrayOf(expected: string, item: RuntimeType): RuntimeType {
  return {
    check(prop, value) {
      if (!Array.isArray(value)) {
        throw new Error(`${prop} must ${expected}, got ${show(value)}`);
      }
      for (let i = 0; i < value.length; i++) {
        // forEach, map and every skip a hole; a spread turns it into undefined.
        if (!(i in value)) {
          throw new Error(`${prop} must ${expected}, without holes, got a sparse array with nothing at index ${i}: ${show(value)}`);
        }
        item.check(`${prop}[${i}]`, value[i]);
      }
    },
  };
}

/**
 * A plain object used as a map, such as `{ 'access.log': parser }`. Each value is
 * checked against `value`, named `<prop>["<key>"]`; without `value`, the code that
 * reads the map checks each value itself.
 */
export function mapOf(expected: string, value?: RuntimeType): RuntimeType {
  return {
    check(prop, map) {
      if (!isPlainObject(map)) {
        throw new Error(`${prop} must ${expected}, got ${show(map)}`);
      }
      for (const [key, item] of Object.entries(map)) {
        value?.check(`${prop}[${show(key)}]`, item);
      }
    },
  };
}

/**
 * An object with the fields `fields`, each named `<prop>.<field>`. One with
 * fields but none of these is refused: it is some other object, such as a
 * `Cpu` given where `{ request, limit }` is expected, and would be ignored.
 */
export function shape<T>(expected: string, fields: FieldTypes<T>): RuntimeType {
  return {
    check(prop, value) {
      const keys = isPlainObject(value) ? Object.keys(value) : [];
      const literal = isPlainObject(value) && Object.getPrototypeOf(value) === Object.prototype;
      if (!isPlainObject(value) || (keys.length > 0 && !keys.some(key => key in fields) && !literal)) {
        throw new Error(`${prop} must ${expected}, got ${show(value)}`);
      }
      refuseUnknownFields(prop, value, fields, 'field');
      checkFields(value, fields, field => `${prop}.${field}`);
    },
  };
}

/**
 * Checks the props or options object of a constructor or a factory method
 * (`what`, such as `LoggingSidecarPod props`) and each of its fields, named
 * `<prefix><field>` as the value checks name them.
 */
export function checkProps<T>(what: string, props: T, fields: FieldTypes<T>, prefix = ''): void {
  if (!isPlainObject(props)) {
    throw new Error(`${what} must be an object, got ${show(props)}`);
  }
  refuseUnknownFields(what, props, fields, what.endsWith('options') ? 'option' : 'prop');
  checkFields(props, fields, field => `${prefix}${field}`);
}

/**
 * A misspelt field would otherwise be ignored without a word (TypeScript only
 * catches it in an object literal, and not at all in plain JavaScript), leaving
 * a default where a value was meant: refused, with the nearest field named.
 */
function refuseUnknownFields(what: string, value: { [field: string]: unknown }, fields: { readonly [field: string]: RuntimeType }, known: string): void {
  const unknown = Object.keys(value).find(key => !(key in fields) && value[key] !== undefined);
  if (unknown !== undefined) {
    const near = closest(unknown, Object.keys(fields));
    throw new Error(`${what} must not include ${show(unknown)}: there is no such ${known}${near ? ` (did you mean ${show(near)}?)` : ''}; `
      + `the ${known}s are ${Object.keys(fields).join(', ')}`);
  }
}


export const STRING = typeOf('be a string', value => typeof value === 'string');
export const NUMBER = typeOf('be a number', value => typeof value === 'number');
export const BOOLEAN = typeOf('be true or false', value => typeof value === 'boolean');
export const STRINGS = arrayOf('be an array of strings', STRING);

/** cdk8s's Duration, by the methods the checks call. */
export const DURATION = typeOf('be a Duration (such as Duration.seconds(30))',
  value => hasMethods(value, 'toSeconds', 'toMilliseconds', 'toHumanString', 'unitLabel'));

/** cdk8s's Size, by the methods the checks and cdk8s-plus call. */
export const SIZE = typeOf('be a Size (such as Size.mebibytes(64))',
  value => hasMethods(value, 'toKibibytes', 'toMebibytes', 'toGibibytes'));

/** cdk8s-plus's Cpu, whose `amount` cdk8s-plus writes into the manifest. */
export const CPU = typeOf('be a Cpu (such as Cpu.millis(250))',
  value => isObject(value) && typeof value.amount === 'string');

const requestAndLimit = (amount: RuntimeType, example: string) =>
  shape<{ request?: unknown; limit?: unknown }>(`be an object such as { request: ${example}, limit: ${example} }`, { request: amount, limit: amount });

/** cdk8s-plus's ContainerResources. */
export const RESOURCES = shape<{ cpu?: unknown; memory?: unknown; ephemeralStorage?: unknown }>(
  'be an object such as { cpu: { limit: Cpu.millis(500) }, memory: { limit: Size.mebibytes(128) } }', {
    cpu: requestAndLimit(CPU, 'Cpu.millis(250)'),
    memory: requestAndLimit(SIZE, 'Size.mebibytes(64)'),
    ephemeralStorage: requestAndLimit(SIZE, 'Size.gibibytes(1)'),
  });

/**
 * An object made by a class's factory method, such as cdk8s-plus's
 * `NodeTaintQuery.is()`, rather than an object literal: what can be told of
 * classes whose contents are internal.
 */
export function madeBy(expected: string): RuntimeType {
  return typeOf(expected, value => isObject(value) && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype);
}

/** A cdk8s-plus object referred to by name (a service account, a secret, a volume), with these methods too. */
export function named(expected: string, ...methods: string[]): RuntimeType {
  return typeOf(expected, value => isObject(value) && typeof value.name === 'string' && methods.every(m => typeof value[m] === 'function'));
}

/** A cdk8s-plus workload, by what the sidecar reads and calls on it. */
export const WORKLOAD = typeOf('be a cdk8s-plus workload (a Pod, Deployment, StatefulSet, DaemonSet, Job or CronJob)',
  value => isObject(value)
    && ['containers', 'initContainers', 'volumes'].every(list => Array.isArray(value[list]))
    && hasMethods(value, 'addContainer', 'addInitContainer', 'addVolume')
    && hasMethods(value.podMetadata, 'addAnnotation', 'toJson')
    && isObject(value.node));

/** A cdk8s-plus Container, by what the sidecar reads and calls on it. */
export const CONTAINER = typeOf('be a cdk8s-plus Container (such as deployment.containers[0])',
  value => isObject(value) && typeof value.name === 'string'
    && Array.isArray(value.mounts) && Array.isArray(value.ports) && hasMethods(value, 'mount'));

function checkFields(value: { [field: string]: unknown }, fields: { readonly [field: string]: RuntimeType }, name: (field: string) => string): void {
  for (const [field, type] of Object.entries(fields)) {
    if (value[field] !== undefined || type.required) {
      type.check(name(field), value[field]);
    }
  }
}

function isObject(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null;
}

/** An object of fields: not null, not an array. */
function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  return isObject(value) && !Array.isArray(value);
}

function hasMethods(value: unknown, ...methods: string[]): boolean {
  return isObject(value) && methods.every(method => typeof value[method] === 'function');
}
