import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { Cpu, ContainerResources } from 'cdk8s-plus-28';
import { DNS_1035_LABEL, DNS_1123_LABEL, DNS_1123_SUBDOMAIN, NameFormat } from './checks/names';
import { parseQuantity } from './checks/quantity';
import { show } from './checks/show';
import { parseImageReference } from './image-reference';
import { describeMisreading, describeReading, unreadableCharacters, writtenMisreading } from './yaml-reading';

// Input checks shared by the constructs. Each throws a plain Error whose
// message names the prop, shows the value received and says what is expected.
// The name formats and `show` are the manifest validation's too (checks/).

export { show };

// Plain file names only: no directories, nothing a shell or a glob would read specially.
const LOG_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** A container or volume name: a DNS-1123 label, as the API server requires. */
export function validateDnsLabel(prop: string, value: string): void {
  validateName(prop, DNS_1123_LABEL, value);
  validateReadBackAsWritten(prop, value);
}

/** A Service's name: a DNS-1035 label, which starts with a letter. */
export function validateDns1035Label(prop: string, value: string): void {
  validateName(prop, DNS_1035_LABEL, value);
  validateReadBackAsWritten(prop, value);
}

/** An object name such as a Pod's: a DNS-1123 subdomain. */
export function validateDnsSubdomain(prop: string, value: string): void {
  validateName(prop, DNS_1123_SUBDOMAIN, value);
  validateReadBackAsWritten(prop, value);
}

function validateName(prop: string, format: NameFormat, value: string): void {
  if (typeof value !== 'string' || !format.matches(value)) {
    throw new Error(`${prop} must be ${format.description}, got ${show(value)}`);
  }
}

/** An image reference a container runtime can parse, such as `nginx:1.27` or `registry:5000/team/app@sha256:...`. */
export function validateImageReference(prop: string, value: string): void {
  const parsed = parseImageReference(value);
  if (typeof parsed === 'string') {
    throw new Error(`${prop} must be an image reference such as "nginx:1.27" or `
      + `"registry.example.com/team/app@sha256:<64 hex digits>" (${parsed}), got ${show(value)}`);
  }
  validateReadBackAsWritten(prop, value);
}

/**
 * A string that kubectl reads back from the manifest as the same string.
 * cdk8s writes some strings unquoted that kubectl's YAML reader takes for
 * numbers (`0o17` is the integer 15): the manifest would then be refused
 * (`cannot unmarshal number into Go struct field`) or mean another name.
 * Characters YAML refuses or reads as line breaks are caught here too.
 */
export function validateReadBackAsWritten(prop: string, value: string): void {
  const misreading = writtenMisreading(value);
  if (misreading?.kind === 'type') {
    throw new Error(`${prop} must not be a string that kubectl reads as another type: cdk8s writes it unquoted `
      + `and kubectl reads it as ${describeReading(misreading.reading)}, got ${show(value)}`);
  }
  if (misreading) {
    throw new Error(`${prop} must be a string that kubectl reads back as written, but it ${describeMisreading(misreading)}, got ${show(value)}`);
  }
}

/**
 * A directory that is mounted into containers and read by a shell: absolute,
 * normalized (so two spellings of one directory cannot disagree), not `/`.
 */
export function validateAbsoluteDirectory(prop: string, value: string): void {
  const unreadable = typeof value === 'string' ? unreadableCharacters(value) : undefined;
  const problem = typeof value !== 'string' ? 'must be a string'
    : !value.startsWith('/') ? 'must be an absolute path'
      : value === '/' ? 'must not be the root directory'
        : value.endsWith('/') ? 'must not end with "/"'
          : unreadable ? `must not contain ${unreadable}`
            : value.split('/').slice(1).some(s => s === '' || s === '.' || s === '..')
              ? 'must be normalized (no empty, "." or ".." segments)'
              : undefined;
  if (problem) {
    throw new Error(`${prop} ${problem}, got ${show(value)}`);
  }
}

/** A list of plain file names inside one directory: non-empty, no paths, no shell metacharacters, no repeats. */
export function validateFileNames(prop: string, values: readonly string[]): void {
  if (!Array.isArray(values) || values.length === 0) {
    throw new Error(`${prop} must list at least one file name, got ${show(values)}`);
  }
  const seen = new Set<string>();
  values.forEach((value, i) => {
    if (typeof value !== 'string' || value.length > 255 || !LOG_FILE_NAME.test(value)) {
      throw new Error(`${prop}[${i}] must be a plain file name of letters, digits, '.', '_' and '-' `
        + `(no '/', spaces or shell metacharacters, not starting with '.' or '-'), got ${show(value)}`);
    }
    if (seen.has(value)) {
      throw new Error(`${prop}[${i}] repeats ${show(value)}, each file must be listed once`);
    }
    seen.add(value);
  });
}

/** A positive interval of whole seconds, as `sleep` in a POSIX shell takes it; returns the seconds. */
export function validateWholeSeconds(prop: string, value: Duration, maxSeconds = Number.MAX_SAFE_INTEGER, minSeconds = 1): number {
  let seconds: number;
  try {
    seconds = value.toSeconds();
  } catch {
    throw new Error(`${prop} must be a whole number of seconds, got ${showDuration(value)}`);
  }
  if (seconds < minSeconds) {
    throw new Error(`${prop} must be at least ${minSeconds} ${minSeconds === 1 ? 'second' : 'seconds'}, got ${showDuration(value)}`);
  }
  // Beyond MAX_SAFE_INTEGER, the number is printed as "1e+21", which `sleep` may not take.
  if (!Number.isSafeInteger(seconds) || seconds > maxSeconds) {
    throw new Error(`${prop} must be at most ${maxSeconds} seconds, got ${seconds} seconds`);
  }
  return seconds;
}

/** A Duration as `toHumanString()` shows it, which is empty for NaN. */
export function showDuration(value: Duration): string {
  const millis = value.toMilliseconds({ integral: false });
  return Number.isFinite(millis) ? value.toHumanString() : `${millis} ${value.unitLabel()}`;
}

/**
 * Kubernetes caps a quantity at 2^63-1 bytes and silently replaces a larger one
 * (API reference, "Quantity"): the largest whole mebibytes and gibibytes below it.
 */
export const MAX_QUANTITY_MEBIBYTES = 2 ** 43 - 1;
export const MAX_QUANTITY_GIBIBYTES = 2 ** 33 - 1;

const KIBIBYTES_IN = { kibibytes: 1, mebibytes: 1024, gibibytes: 1024 * 1024 } as const;

/**
 * A size its consumer takes as a whole number of `unit`, such as cdk8s-plus's
 * `${size.toMebibytes()}Mi`, which throws at synth, naming no prop, on a
 * fraction; returns that number.
 */
export function validateWholeSize(prop: string, size: Size, unit: keyof typeof KIBIBYTES_IN, min: number, max: number): number {
  const kibibytes = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isFinite(kibibytes)) {
    throw new Error(`${prop} must be a finite size, got ${mebibytes(size)}Mi`);
  }
  const count = kibibytes / KIBIBYTES_IN[unit];
  if (!Number.isInteger(count) || count < min || count > max) {
    // In kibibytes, the smallest unit cdk8s has; one too large to be exact is shown in mebibytes, as 1e+21Mi.
    const shown = kibibytes <= Number.MAX_SAFE_INTEGER ? `${kibibytes}Ki` : `${mebibytes(size)}Mi`;
    throw new Error(`${prop} must be a whole number of ${unit} from ${min} to ${max}, got ${shown}`);
  }
  return count;
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const CONFIG_WORD = /^[A-Za-z0-9_.:\/@+-]{1,256}$/;

/** A host name (RFC 1123) or an IPv4 address, as a network output is given it. */
export function validateHost(prop: string, value: string): void {
  if (typeof value !== 'string' || !(HOST_NAME.test(value) || IPV4.test(value))) {
    throw new Error(`${prop} must be a host name or an IPv4 address, such as "loki.monitoring.svc", got ${show(value)}`);
  }
}

/**
 * A value written into a line-based configuration file: one word of a safe
 * alphabet, so it can neither end the line nor change the line's meaning.
 */
export function validateConfigWord(prop: string, value: string): void {
  if (typeof value !== 'string' || !CONFIG_WORD.test(value)) {
    throw new Error(`${prop} must be 1 to 256 letters, digits or '_', '.', ':', '/', '@', '+', '-', got ${show(value)}`);
  }
}

/**
 * A path Fluent Bit's tail input reads: its `path` is a glob and a
 * comma-separated list, and `${NAME}` in any value is an environment variable.
 */
export function validateFluentBitPath(prop: string, value: string): void {
  if (/[*?[\]{}\\,$]/.test(value)) {
    throw new Error(`${prop} must not contain '*', '?', '[', ']', '{', '}', '\\', ',' or '$', which Fluent Bit's tail input `
      + `reads as a pattern, a list or a variable, got ${show(value)}`);
  }
}

/** A TCP port number. */
export function validatePort(prop: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${prop} must be a whole number from 1 to 65535, got ${show(port)}`);
  }
}

/**
 * Amounts as the API server keeps them (whole millicores, mebibytes and, for
 * ephemeral storage, gibibytes as cdk8s-plus writes them), and requests not
 * above limits: either mistake makes the API server reject or change the whole
 * Pod, so it is caught here, where the prop can still be named.
 */
export function validateResources(prop: string, resources: ContainerResources): void {
  const cpu = resources.cpu;
  // Each amount on its own first: a negative or NaN request with no limit is rejected by the API server too.
  const request = cpu?.request && cpuMillis(prop, 'cpu.request', cpu.request);
  const limit = cpu?.limit && cpuMillis(prop, 'cpu.limit', cpu.limit);
  if (request && limit && request > limit) {
    throw new Error(`${prop}.cpu.request must not exceed ${prop}.cpu.limit, got ${show(cpu.request!.amount)} > ${show(cpu.limit!.amount)}`);
  }
  const sizes = [
    ['memory', resources.memory, 'mebibytes', MAX_QUANTITY_MEBIBYTES, 'Mi'],
    ['ephemeralStorage', resources.ephemeralStorage, 'gibibytes', MAX_QUANTITY_GIBIBYTES, 'Gi'],
  ] as const;
  for (const [name, amounts, unit, max, suffix] of sizes) {
    const [requested, limited] = (['request', 'limit'] as const)
      .map(field => amounts?.[field] && validateWholeSize(`${prop}.${name}.${field}`, amounts[field]!, unit, 1, max));
    if (requested && limited && requested > limited) {
      throw new Error(`${prop}.${name}.request must not exceed ${prop}.${name}.limit, got ${requested}${suffix} > ${limited}${suffix}`);
    }
  }
}

function mebibytes(size: Size): number {
  return size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
}

/** Beyond this, a number of millicores is no longer exact, and past 10^21 it would print as 1e+21m. */
export const MAX_CPU_MILLIS = Number.MAX_SAFE_INTEGER;

function cpuMillis(prop: string, field: string, cpu: Cpu): number {
  // Whole cores or millicores, in decimals: no sign, exponent or other suffix.
  const parts = parseQuantity(cpu.amount);
  if (!parts || parts.sign !== '' || parts.whole === '' || parts.fraction === '' || parts.exponent !== undefined
    || (parts.suffix !== '' && parts.suffix !== 'm')) {
    throw new Error(`${prop}.${field} must be a CPU quantity such as "250m" or "0.5", got ${show(cpu.amount)}`);
  }
  const { whole, fraction = '' } = parts;
  const milli = parts.suffix === 'm';
  const decimals = fraction.replace(/0+$/, '');
  // The API server rounds a fraction of a millicore up (API reference, "Quantity"): 1.5m would become 2m.
  const millis = milli ? (decimals ? NaN : Number(whole))
    : decimals.length > 3 ? NaN : Number(whole) * 1000 + Number(decimals.padEnd(3, '0'));
  if (!Number.isSafeInteger(millis) || millis < 1 || millis > MAX_CPU_MILLIS) {
    throw new Error(`${prop}.${field} must be a whole number of millicores from 1m to ${MAX_CPU_MILLIS}m `
      + `(at most 3 decimals in cores), got ${show(cpu.amount)}`);
  }
  return millis;
}
