// fast-check generators of the values most likely to be read back as
// something else: strings across the whole Unicode range, the characters and
// words YAML (1.1 in cdk8s, go-yaml v2 in kubectl) treats specially, and the
// numbers at the edges of what JavaScript, Go and Kubernetes hold. Besides
// the raw ones, values shaped to pass a prop's first check (a DNS label, an
// image reference, an absolute path), so that the odd ones reach the manifest.
import * as fc from 'fast-check';
import { HOSTILE_PIECES } from './props-arbitraries';

/** Characters YAML refuses, folds or reads as a line break, and the edges of Unicode. */
const CHARACTERS = [
  '\0', '\x01', '\x08', '\t', '\n', '\x0b', '\x0c', '\r', '\x1b', '\x1f', '\x7f', '\x80', '\x85', '\x9f', '\u00a0',
  '\u2028', '\u2029', '\ufeff', '\ufffe', '\uffff', '\ufdd0', '\ufdef', '\ufffd', '\u{1fffe}', '\u{10ffff}', '\u{10fffe}',
  '\ud800', '\udfff', '\udbff', '\u{1f600}', '\u{10000}', 'é', '日', '\u0301', '\u200b', '\u3000',
];

/** YAML indicators, at the start, the end or inside a scalar. */
const YAML_PIECES = [
  ': ', ':', ' #', '#', '- ', '-', '---', '...', '&a', '*a', '!', '!!str ', '!!int ', '|', '>', '%', '@', '`',
  '"', '\'', '{', '}', '[', ']', ',', '?', ' ', '  ', '<<', '=',
];

/** Words go-yaml v2 or YAML 1.1 read as another type, or as a timestamp, and their near misses. */
export const SPECIAL_SCALARS = [
  'yes', 'Yes', 'YES', 'no', 'on', 'On', 'off', 'OFF', 'y', 'Y', 'n', 'N', 'true', 'False', 'null', 'Null', 'NULL', '~', '',
  '0o17', '0O17', '0x1f', '0X1F', '0b101', '0_x1', '0x_1', '1e_3', '1e3', '1E3', '1e+3', '1e-3', '.5', '.5e3', '5.', '+.inf',
  '-.Inf', '.nan', '.NaN', '0777', '0888', '08', '1_000', '1__0', '_1', '1_', '2001-1-2', '2001-01-02', '2001-01-02T03:04:05Z',
  '12:30', '1:20:30', '+1', '-1', '-0', '0', '00', '1.0', '9223372036854775807', '9223372036854775808', '18446744073709551616',
  '1e400', '0.1e-400', '0e0', '0x', '0o', '0b', '1e', 'e1',
];

/** Pieces of the `$` syntaxes: the kubelet's `$(NAME)` and `$$`, Fluent Bit's and shells' `${NAME}`. */
const DOLLAR_PIECES = ['$', '$$', '$(X)', '$(POD_NAME)', '$$(X)', '${X}', '${POD_NAME}', '$X'];

const PIECES = [...new Set([...CHARACTERS, ...YAML_PIECES, ...SPECIAL_SCALARS, ...DOLLAR_PIECES, ...HOSTILE_PIECES])];

/** A few pieces of everything above, joined. */
export const pieces = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 5 }).map(p => p.join(''));

/** Any string: any code points (astral ones included; lone surrogate halves come with the pieces), grapheme clusters, special pieces and words. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  pieces,
  fc.constantFrom(...SPECIAL_SCALARS),
);

/** Characters that make a number of a word: digits, signs, `.`, `_` and the letters of 0o, 0x, 0b and exponents. */
const numeric = fc.string({ unit: fc.constantFrom(...'0123456789oxebOXEB._-+:'.split('')), minLength: 1, maxLength: 8 });

/** A lowercase word such as a DNS label would be, often one go-yaml reads as a number. */
export const dnsLike: fc.Arbitrary<string> = fc.oneof(
  numeric.map(s => s.toLowerCase().replace(/[+:]/g, '')).filter(s => s !== ''),
  fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,12}[a-z0-9])?$/),
  fc.constantFrom(...SPECIAL_SCALARS),
);

/** An image reference: a path, sometimes a registry, tag or digest, often numeric. */
export const imageLike: fc.Arbitrary<string> = fc.tuple(
  fc.option(fc.constantFrom('registry.example.com/', 'localhost:5000/', '0o17.io/', '1e3:5000/'), { nil: '' }),
  fc.oneof(dnsLike, fc.constantFrom('nginx', 'library/nginx', 'team/app')),
  fc.option(fc.oneof(numeric, fc.constantFrom(...SPECIAL_SCALARS)).map(t => `:${t}`), { nil: '' }),
  fc.option(fc.constantFrom(`@sha256:${'a'.repeat(64)}`, `@sha256:${'0'.repeat(64)}`), { nil: '' }),
).map(parts => parts.join(''));

/** An absolute path made of special pieces. */
export const pathLike: fc.Arbitrary<string> = fc.array(fc.oneof(pieces, dnsLike), { minLength: 1, maxLength: 3 })
  .map(segments => `/${segments.join('/')}`);

/** A word of letters, digits and `_.:/@+-`, such as a configuration value or a tenant id, often numeric. */
export const wordLike: fc.Arbitrary<string> = fc.oneof(
  numeric,
  fc.stringMatching(/^[A-Za-z0-9_.:\/@+-]{1,12}$/),
  fc.constantFrom(...SPECIAL_SCALARS),
);

/** Printable ASCII, with the YAML and `$` pieces that are ASCII. */
export const asciiLike: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map(c => String.fromCharCode(c)), minLength: 1, maxLength: 12 }),
  fc.array(fc.constantFrom(...PIECES.filter(p => /^[\x20-\x7e]+$/.test(p))), { minLength: 1, maxLength: 4 }).map(p => p.join('')),
);

/**
 * Any string, or one of `shaped`, as it is or with a special character or
 * piece put into it: the values a prop's first check lets through and its
 * later ones must catch.
 */
export function stringsLike(shaped: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const inserted = fc.tuple(shaped, fc.oneof(fc.constantFrom(...CHARACTERS), pieces), fc.nat())
    .map(([value, piece, at]) => `${value.slice(0, at % (value.length + 1))}${piece}${value.slice(at % (value.length + 1))}`);
  return fc.oneof(anyString, shaped, shaped, inserted);
}

/** Numbers at the edges: of integers and floats in JavaScript, Go's int32 and int64, and the exponent notation. */
export const EDGE_NUMBERS = [
  0, -0, -1, 0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64,
  Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE, 1e21, 1e-7, 0.1, 1 / 3, 1e300,
];

/** Any number, or one of `shaped`. */
export function numbersLike(shaped?: fc.Arbitrary<number>): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(...EDGE_NUMBERS),
    fc.double(),
    fc.integer(),
    fc.integer({ min: -2, max: 100_000 }),
    ...(shaped ? [{ arbitrary: shaped, weight: 3 }] : []),
  );
}
