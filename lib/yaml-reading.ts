import { Yaml } from 'cdk8s';

// cdk8s writes manifests with the YAML 1.1 schema of the `yaml` package;
// kubectl (and the API server's YAML decoding) reads them with go-yaml v2, as
// sigs.k8s.io/yaml forks it. The two disagree on some plain (unquoted)
// scalars, and YAML itself refuses or folds some characters. This module says
// what kubectl makes of a value, so that a value it would read differently is
// refused where it is given.

/** What go-yaml v2 resolves a plain scalar to. */
export type YamlReading =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'null'; readonly value: null }
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'float'; readonly value: number };

const BOOLS = new Map<string, boolean>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map(word => [word, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(word => [word, false] as const),
]);
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS = new Map<string, number>([
  ...['.nan', '.NaN', '.NAN'].map(word => [word, NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map(word => [word, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map(word => [word, -Infinity] as const),
]);

// strconv.ParseInt/ParseUint with base 0 (prefixes 0x, 0o, 0b, and a lone leading 0 for octal).
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/;
// go-yaml's yamlStyleFloat, the only floats it tries on a value starting with a digit or sign.
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// strconv.ParseFloat on a value starting with '.': decimal, '_' allowed between digits as in Go literals.
const DOT_FLOAT = /^\.[0-9]+(_[0-9]+)*([eE][-+]?[0-9]+(_[0-9]+)*)?$/;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * What kubectl reads a plain scalar as: a port of go-yaml v2's `resolve()`
 * (sigs.k8s.io/yaml/goyaml.v2/resolve.go) for untagged plain scalars, with
 * what sigs.k8s.io/yaml then makes of the result: timestamps and integers
 * past uint64 come back as the string that was written, integers past int64
 * as floats.
 */
export function readPlainScalar(text: string): YamlReading {
  const first = text.charAt(0);
  const bool = BOOLS.get(text);
  if (bool !== undefined) return { type: 'bool', value: bool };
  if (NULLS.has(text)) return { type: 'null', value: null };
  const special = SPECIAL_FLOATS.get(text);
  if (special !== undefined) return { type: 'float', value: special };
  if (first === '.' && DOT_FLOAT.test(text)) {
    return { type: 'float', value: Number(text.replace(/_/g, '')) };
  }
  if (!/^[-+0-9]/.test(text)) {
    return { type: 'string', value: text };
  }
  const plain = text.replace(/_/g, '');
  const int = GO_INT.exec(plain);
  const integer = int ? goInteger(int[1], int[2]) : undefined;
  // ParseInt takes a sign, ParseUint does not; each fails past its range. sigs.k8s.io/yaml
  // turns what only fits a uint64 into a float64.
  if (integer !== undefined && integer >= INT64_MIN && integer <= INT64_MAX) return { type: 'int', value: integer };
  if (integer !== undefined && int![1] === '' && integer <= UINT64_MAX) return { type: 'float', value: Number(integer) };
  // ParseFloat fails on out-of-range values (Infinity here).
  if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return { type: 'float', value: Number(plain) };
  return { type: 'string', value: text };
}

function goInteger(sign: string, digits: string): bigint {
  const lower = digits.toLowerCase();
  const magnitude = /^0[0-7]+$/.test(lower) ? BigInt(`0o${lower.slice(1)}`) : BigInt(lower);
  return sign === '-' ? -magnitude : magnitude;
}

/** A reading as a message shows it, such as `the integer 15` or `the string "web"`. */
export function describeReading(reading: YamlReading): string {
  switch (reading.type) {
    case 'string': return `the string ${JSON.stringify(reading.value)}`;
    case 'int': return `the integer ${reading.value}`;
    case 'float': return `the number ${reading.value}`;
    case 'bool': return `the boolean ${reading.value}`;
    case 'null': return 'null';
  }
}

/** How a YAML scalar is written, as the `yaml` package names its styles. */
export type ScalarStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/** What kubectl makes of a scalar it does not read back as meant. */
export type ScalarMisreading =
  /** A plain scalar it resolves to another type or value. */
  | { readonly kind: 'type'; readonly written: string; readonly reading: YamlReading }
  /** A character it reads as a line break: other text, or a file it cannot read. */
  | { readonly kind: 'line-break'; readonly codePoint: string }
  /** A character or escape go-yaml refuses: it cannot read the whole file. */
  | { readonly kind: 'refused'; readonly codePoint: string };

// What go-yaml refuses in a stream: not printable (a tab, LF and CR are, and U+0085).
// eslint-disable-next-line no-control-regex
const REFUSED = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// What go-yaml reads as a line break. In a quoted scalar it folds U+0085 into a space, and keeps
// U+2028 and U+2029 but drops the spaces and tabs around them; a plain or block scalar ends at any of the three.
const QUOTED_LINE_BREAK = /\x85|[ \t][\u2028\u2029]|[\u2028\u2029][ \t]/;
const LINE_BREAK = /[\x85\u2028\u2029]/;
// A double-quoted escape; go-yaml refuses one that names a surrogate half.
const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|.)/g;

/**
 * How kubectl misreads a scalar written as `written` (its source text, quotes
 * included) in `style`, meant as `meant`; undefined when it reads it as meant.
 */
export function scalarMisreading(written: string, style: ScalarStyle, meant: unknown): ScalarMisreading | undefined {
  const refused = REFUSED.exec(written);
  if (refused) return { kind: 'refused', codePoint: codePoint(refused[0]) };
  const surrogate = style === 'QUOTE_DOUBLE'
    ? [...written.matchAll(ESCAPE)].find(escape => escape[1] && /^d[89a-f]/i.test(escape[1])) : undefined;
  if (surrogate) return { kind: 'refused', codePoint: `U+${surrogate[1].toUpperCase()} (written ${surrogate[0]})` };
  const quoted = style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE';
  const lineBreak = (quoted ? QUOTED_LINE_BREAK : LINE_BREAK).exec(written);
  if (lineBreak) return { kind: 'line-break', codePoint: codePoint(lineBreak[0].replace(/[ \t]/g, '')) };
  if (style !== 'PLAIN' || written.includes('\n')) return undefined;
  const reading = readPlainScalar(written);
  const same = typeof meant === 'string' ? reading.type === 'string' && reading.value === meant
    : typeof meant === 'number' ? (reading.type === 'int' || reading.type === 'float') && Number(reading.value) === meant
      : typeof meant === 'boolean' ? reading.type === 'bool' && reading.value === meant
        : meant === null ? reading.type === 'null'
          : true; // a type cdk8s does not write (such as a timestamp): nothing to compare
  return same ? undefined : { kind: 'type', written, reading };
}

/**
 * How kubectl misreads a string as cdk8s writes it into a manifest (as a
 * mapping's value), or undefined when it reads it back as the same string.
 * cdk8s quotes what its own YAML 1.1 schema would take for another type, but
 * go-yaml resolves a few more plain scalars (`0o17`, `0_x1`, `1e_3`).
 */
export function writtenMisreading(value: string): ScalarMisreading | undefined {
  const written = Yaml.stringify({ v: value }).replace(/^v: /, '').replace(/\n$/, '');
  const style: ScalarStyle = written.startsWith('"') ? 'QUOTE_DOUBLE' : written.startsWith("'") ? 'QUOTE_SINGLE'
    : written.startsWith('|') ? 'BLOCK_LITERAL' : written.startsWith('>') ? 'BLOCK_FOLDED' : 'PLAIN';
  return scalarMisreading(written, style, value);
}

/** A misreading as a message shows it, after "<prop> ..." or "the value ... ". */
export function describeMisreading(misreading: ScalarMisreading): string {
  switch (misreading.kind) {
    case 'type': return `is written unquoted as ${misreading.written}, which kubectl reads as ${describeReading(misreading.reading)}`;
    case 'line-break': return `is written with ${misreading.codePoint}, which kubectl's YAML reader takes for a line break: it reads other text or cannot read the file`;
    case 'refused': return `is written with ${misreading.codePoint}, which YAML does not allow in a file: kubectl cannot read the whole file`;
  }
}

// A UTF-16 surrogate half that is not part of a pair.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Unicode's 66 noncharacters: U+FDD0..U+FDEF and the last two code points of every plane.
const NONCHARACTER = /[\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]/;

/**
 * The first character of a string that would not reach its reader as written,
 * described, or undefined when there is none: C0 and C1 controls and DEL (YAML refuses C1 and DEL, and
 * reads U+0085 as a line break; a configuration file or a shell word would
 * end or change at a C0 control), the Unicode line and paragraph separators
 * (line breaks in YAML 1.1), lone surrogate halves (which cannot be encoded in
 * UTF-8) and noncharacters (not for interchange; YAML refuses U+FFFE and U+FFFF).
 */
export function unreadableCharacters(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const control = /[\x00-\x1f\x7f-\x9f]/.exec(value);
  if (control) return `a control character (U+${hex(control[0])})`;
  const separator = /[\u2028\u2029]/.exec(value);
  if (separator) return `a line or paragraph separator (U+${hex(separator[0])})`;
  if (LONE_SURROGATE.test(value)) return 'a lone surrogate half';
  const nonCharacter = NONCHARACTER.exec(value);
  if (nonCharacter) return `a noncharacter (U+${hex(nonCharacter[0])})`;
  return undefined;
}

function hex(character: string): string {
  return character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
}

function codePoint(character: string): string {
  return `U+${hex(character)}`;
}
