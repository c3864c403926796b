import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { Cpu, ContainerResources } from 'cdk8s-plus-28';
import { parseImageReference } from './image-reference';

// Input checks shared by the constructs. Each throws a plain Error whose
// message names the prop, shows the value received and says what is expected.

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;


// A UTF-16 surrogate half that is not part of a pair.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Plain file names only: no directories, nothing a shell or a glob would read specially.
const LOG_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Shows a received value unambiguously, escapes and all; an object with a
 * `toString()` of its own (such as a FluentBitFile) as that, and one JSON
 * cannot show (a construct, with its cycles) by its type.
 */
export function show(value: unknown): string {
  if (value && typeof value === 'object' && value.toString !== Object.prototype.toString && !Array.isArray(value)) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return `a ${(value as object).constructor?.name ?? 'value'} that cannot be shown as JSON`;
  }
}

/**
 * What in a string YAML 1.1 (libyaml, as Fluent Bit reads its configuration)
 * would not read back as written: C0 and C1 control characters and the
 * Unicode line separators end or fold a line, and a lone surrogate half
 * becomes U+FFFD. Undefined when there is nothing.
 */
export function unreadableCharacters(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(value) ? 'control characters or line breaks'
    : LONE_SURROGATE.test(value) ? 'lone surrogate halves'
      : undefined;
}

/** A container or volume name: a DNS-1123 label, as the API server requires. */
export function validateDnsLabel(prop: string, value: string): void {
  if (typeof value !== 'string' || value.length > 63 || !DNS_1123_LABEL.test(value)) {
    throw new Error(`${prop} must be a DNS-1123 label (at most 63 lowercase letters, digits and '-', `
      + `starting and ending with a letter or digit), got ${show(value)}`);
  }
}

/** An object name such as a Pod's: a DNS-1123 subdomain. */
export function validateDnsSubdomain(prop: string, value: string): void {
  if (typeof value !== 'string' || value.length > 253 || !DNS_1123_SUBDOMAIN.test(value)) {
    throw new Error(`${prop} must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, '-' and '.', `
      + `starting and ending with a letter or digit), got ${show(value)}`);
  }
}

/** An image reference a container runtime can parse, such as `nginx:1.27` or `registry:5000/team/app@sha256:...`. */
export function validateImageReference(prop: string, value: string): void {
  const parsed = parseImageReference(value);
  if (typeof parsed === 'string') {
    throw new Error(`${prop} must be an image reference such as "nginx:1.27" or `
      + `"registry.example.com/team/app@sha256:<64 hex digits>" (${parsed}), got ${show(value)}`);
  }
}

/**
 * A directory that is mounted into containers and read by a shell: absolute,
 * normalized (so two spellings of one directory cannot disagree), not `/`.
 */
export function validateAbsoluteDirectory(prop: string, value: string): void {
  const problem = typeof value !== 'string' ? 'must be a string'
    : !value.startsWith('/') ? 'must be an absolute path'
      : value === '/' ? 'must not be the root directory'
        : value.endsWith('/') ? 'must not end with "/"'
          // eslint-disable-next-line no-control-regex
          : /[\x00-\x1f\x7f]/.test(value) ? 'must not contain control characters'
            // A lone UTF-16 surrogate cannot be encoded: the kubelet and sh would get U+FFFD instead.
            : LONE_SURROGATE.test(value) ? 'must be valid Unicode (no lone surrogate halves)'
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
export function validateWholeSeconds(prop: string, value: Duration, maxSeconds = Number.MAX_SAFE_INTEGER): number {
  let seconds: number;
  try {
    seconds = value.toSeconds();
  } catch {
    throw new Error(`${prop} must be a whole number of seconds, got ${value.toHumanString()}`);
  }
  if (seconds < 1) {
    throw new Error(`${prop} must be at least 1 second, got ${value.toHumanString()}`);
  }
  // Beyond MAX_SAFE_INTEGER, the number is printed as "1e+21", which `sleep` may not take.
  if (!Number.isSafeInteger(seconds) || seconds > maxSeconds) {
    throw new Error(`${prop} must be at most ${maxSeconds} seconds, got ${seconds} seconds`);
  }
  return seconds;
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
 * Requests above limits make the API server reject the whole Pod, so the
 * mistake is caught here, where the prop can still be named.
 */
export function validateResources(prop: string, resources: ContainerResources): void {
  const cpu = resources.cpu;
  // Each amount on its own first: a negative or NaN request with no limit is rejected by the API server too.
  if (cpu?.request) cpuMillis(prop, 'cpu.request', cpu.request);
  if (cpu?.limit) cpuMillis(prop, 'cpu.limit', cpu.limit);
  for (const field of ['request', 'limit'] as const) {
    const size = resources.memory?.[field];
    if (size && !Number.isFinite(mebibytes(size))) {
      throw new Error(`${prop}.memory.${field} must be a finite size, got ${mebibytes(size)}Mi`);
    }
  }
  if (cpu?.request && cpu.limit && cpuMillis(prop, 'cpu.request', cpu.request) > cpuMillis(prop, 'cpu.limit', cpu.limit)) {
    throw new Error(`${prop}.cpu.request must not exceed ${prop}.cpu.limit, got ${show(cpu.request.amount)} > ${show(cpu.limit.amount)}`);
  }
  const memory = resources.memory;
  if (memory?.request && memory.limit && memory.request.toKibibytes() > memory.limit.toKibibytes()) {
    throw new Error(`${prop}.memory.request must not exceed ${prop}.memory.limit, `
      + `got ${mebibytes(memory.request)}Mi > ${mebibytes(memory.limit)}Mi`);
  }
}

function mebibytes(size: Size): number {
  return size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
}

function cpuMillis(prop: string, field: string, cpu: Cpu): number {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(cpu.amount);
  if (!match) {
    throw new Error(`${prop}.${field} must be a CPU quantity such as "250m" or "0.5", got ${show(cpu.amount)}`);
  }
  return match[2] === 'm' ? Number(match[1]) : Number(match[1]) * 1000;
}
