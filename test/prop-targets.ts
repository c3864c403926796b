// What the kubectl property test fills with generated values: one prop at a
// time, on a baseline that is otherwise valid, so that a refusal must name
// that prop. A number prop is given through each public way of making it
// (Size.mebibytes(n), Duration.millis(n), Cpu.units(n) ...).
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { showDuration } from '../lib/validation';
import { numbersLike, stringsLike } from './edge-value-arbitraries';
import { visible } from './manifest-read-back';

/** One prop, with the values it is given and the baseline it is given in. */
export interface PropTarget {
  /** The prop as the construct names it at the start of its messages, such as `FluentBitOutput.loki() host`. */
  readonly prop: string;
  readonly values: fc.Arbitrary<unknown>;
  /** Makes what the prop takes from a generated value; a value that cannot be made (a negative Size) throws here. */
  readonly make: (value: any) => unknown;
  /** Creates the baseline in `chart`, with `made` in the prop. */
  readonly build: (chart: Chart, made: any) => void;
  /** The value as a case's name shows it: JSON (all but printable ASCII escaped) for a string, the call for a Size, Duration or Cpu. */
  readonly describe: (value: any) => string;
  /** How a refusal should show the value, as a failure's message says it. */
  readonly showing: (value: any) => string;
  /** Whether a refusal's message shows the value. */
  readonly isShownIn: (message: string, value: any) => boolean;
}

/** The props of one construct or factory method, one test in the property test. */
export interface PropGroup {
  readonly name: string;
  readonly targets: PropTarget[];
}

/** A string prop: any string, or one shaped to pass its first check. */
export function stringProp(prop: string, shaped: fc.Arbitrary<string>, build: (chart: Chart, value: string) => void): PropTarget {
  return {
    prop,
    values: stringsLike(shaped),
    make: value => value,
    build,
    describe: value => visible(value),
    showing: value => visible(value),
    isShownIn: (message, value) => message.includes(JSON.stringify(value)),
  };
}

/**
 * A way of making a number prop's value from a number, the amounts a message
 * may show for it (the number in another unit, as the construct converts it),
 * and its human form, for durations.
 */
export interface NumberForm {
  readonly call: string;
  readonly make: (n: number) => unknown;
  readonly amounts: (n: number) => number[];
  readonly human?: (n: number) => string;
}

export const AS_IS: NumberForm = { call: '', make: n => n, amounts: n => [n] };
export const MEBIBYTES: NumberForm = { call: 'Size.mebibytes', make: n => Size.mebibytes(n), amounts: n => [n, n * 1024] };
export const KIBIBYTES: NumberForm = { call: 'Size.kibibytes', make: n => Size.kibibytes(n), amounts: n => [n, n / 1024] };
export const GIBIBYTES: NumberForm = { call: 'Size.gibibytes', make: n => Size.gibibytes(n), amounts: n => [n, n * 1024, n * 1024 * 1024] };
export const SECONDS: NumberForm = { call: 'Duration.seconds', make: n => Duration.seconds(n), amounts: n => [n], human: n => humanDuration(Duration.seconds(n)) };
export const MILLIS: NumberForm = { call: 'Duration.millis', make: n => Duration.millis(n), amounts: n => [n, n / 1000], human: n => humanDuration(Duration.millis(n)) };
export const CPU_MILLIS: NumberForm = { call: 'Cpu.millis', make: n => kplus.Cpu.millis(n), amounts: n => [n] };
export const CPU_UNITS: NumberForm = { call: 'Cpu.units', make: n => kplus.Cpu.units(n), amounts: n => [n] };

export const SIZES = [MEBIBYTES, KIBIBYTES];
export const DURATIONS = [SECONDS, MILLIS];
export const CPUS = [CPU_MILLIS, CPU_UNITS];

/**
 * A number prop, given through each of `forms`; `shaped` adds numbers that
 * pass its check, in the form's unit.
 */
export function numberProp(prop: string, forms: NumberForm[], build: (chart: Chart, made: any) => void,
  shaped?: (form: NumberForm) => fc.Arbitrary<number>): PropTarget {
  const shows = ([form, n]: [NumberForm, number]) => [...form.amounts(n).map(String), form.human?.(n) ?? ''].filter(shown => shown !== '');
  return {
    prop,
    values: fc.constantFrom(...forms).chain(form => numbersLike(shaped?.(form)).map(n => [form, n] as const)),
    make: ([form, n]: [NumberForm, number]) => form.make(n),
    build,
    describe: ([form, n]: [NumberForm, number]) => (form.call ? `${form.call}(${numberText(n)})` : numberText(n)),
    showing: value => shows(value).join(', '),
    // As written, or as a number equal to one of the amounts but for the last digits of a conversion (1e+213 seconds from millis).
    isShownIn: (message, value) => shows(value).some(shown => message.includes(shown))
      || [...message.matchAll(/-?(\d+(\.\d+)?(e[-+]\d+)?|Infinity)/g)].map(m => Number(m[0]))
        .some(found => value[0].amounts(value[1]).some((amount: number) => Math.abs(found - amount) <= Math.abs(amount) * 1e-12)),
  };
}

/** Port numbers, as the checks of ports accept them. */
export const ports = () => fc.integer({ min: 1, max: 65535 });

/** Whole numbers of `unit`, in the form's unit: what the checks of sizes and durations accept. */
export function whole(unit: NumberForm, max: number): (form: NumberForm) => fc.Arbitrary<number> {
  return form => fc.integer({ min: 1, max }).map(n => n * UNIT_SCALE.get(unit)! / UNIT_SCALE.get(form)!);
}

/** Each form's unit, in the smallest one of its kind (kibibytes, milliseconds), for `whole()`. */
const UNIT_SCALE = new Map<NumberForm, number>([
  [KIBIBYTES, 1], [MEBIBYTES, 1024], [GIBIBYTES, 1024 * 1024], [MILLIS, 1], [SECONDS, 1000], [AS_IS, 1], [CPU_MILLIS, 1], [CPU_UNITS, 1000],
]);

function numberText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

function humanDuration(duration: Duration): string {
  try {
    return showDuration(duration);
  } catch {
    return '';
  }
}
