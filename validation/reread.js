// @ts-check
'use strict';

// Reads a manifest file again, the way kubectl reads YAML, and reports every
// value kubectl would read as another type or other text than the one cdk8s
// meant. cdk8s writes with the YAML 1.1 schema of the `yaml` package, which
// gives back what it meant; kubectl reads with go-yaml v2, which refuses C1
// controls, DEL and U+FFFE/U+FFFF anywhere in a file, reads U+0085, U+2028 and
// U+2029 as line breaks, and resolves some plain scalars that cdk8s leaves
// unquoted (`0o17`, `0_x1`, `1e_3`) as numbers.

const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { formatPath, isPlainObject, show } = require('./walk');

// The go-yaml port lives with the construct, which refuses such values where they are given.
require(path.join(__dirname, '..', 'scripts', 'ts-register.js'));
/** @type {typeof import('../lib/yaml-reading')} */
const { describeReading, readPlainScalar } = require('../lib/yaml-reading');

/** @typedef {import('./types').Violation} Violation */
/** @typedef {import('./types').PathSegment} PathSegment */

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
 * Every value of `file` that kubectl would not read back as written.
 * @param {string} file
 * @returns {Violation[]}
 */
function rereadManifestFile(file) {
  return rereadManifestText(fs.readFileSync(file, 'utf8'), file);
}

/**
 * @param {string} text the file's content
 * @param {string} [file] named in each violation
 * @returns {Violation[]}
 */
function rereadManifestText(text, file) {
  /** @type {Violation[]} */
  const violations = [];
  YAML.parseAllDocuments(text, { version: '1.1' }).forEach((document, index) => {
    if (!('contents' in document)) return; // an empty stream
    const object = document.toJS();
    const name = isPlainObject(object) && isPlainObject(object.metadata) && typeof object.metadata.name === 'string'
      ? object.metadata.name : '';
    const kind = isPlainObject(object) && typeof object.kind === 'string' ? object.kind : '(no kind)';
    const id = `${kind}/${name || `(document ${index + 1})`}`;
    YAML.visit(document, {
      Scalar(key, node, ancestors) {
        const problem = misreading(text, node, key === 'key');
        if (problem) {
          violations.push({
            object: id, name, ...(file ? { file } : {}), path: formatFieldPath(ancestors, node, key), rule: 'yaml', message: problem,
          });
        }
      },
    });
  });
  return violations;
}

/**
 * How kubectl would misread one scalar as written in `text`, or undefined.
 * @param {string} text
 * @param {import('yaml').Scalar} node
 * @param {boolean} isKey
 * @returns {string | undefined}
 */
function misreading(text, node, isKey) {
  if (!node.range) return undefined;
  const written = text.slice(node.range[0], node.range[1]);
  const what = isKey ? 'the key' : 'the value';
  const refused = REFUSED.exec(written);
  if (refused) {
    return `${what} ${show(node.value)} is written with ${codePoint(refused[0])}, which YAML does not allow in a file: kubectl cannot read the whole file`;
  }
  const surrogate = node.type === 'QUOTE_DOUBLE'
    ? [...written.matchAll(ESCAPE)].find(escape => escape[1] && /^d[89a-f]/i.test(escape[1])) : undefined;
  if (surrogate) {
    return `${what} ${show(node.value)} is written with the escape ${surrogate[0]}, a lone surrogate half, which kubectl refuses: it cannot read the whole file`;
  }
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  const lineBreak = (quoted ? QUOTED_LINE_BREAK : LINE_BREAK).exec(written);
  if (lineBreak) {
    return `${what} ${show(node.value)} is written with ${codePoint(lineBreak[0].replace(/[ \t]/g, ''))}, which kubectl's YAML reader takes for a line break: `
      + 'it reads other text or cannot read the file';
  }
  if (node.type !== 'PLAIN' || written.includes('\n')) return undefined;
  const reading = readPlainScalar(written);
  const meant = node.value;
  const same = typeof meant === 'string' ? reading.type === 'string' && reading.value === meant
    : typeof meant === 'number' ? (reading.type === 'int' || reading.type === 'float') && Number(reading.value) === meant
      : typeof meant === 'boolean' ? reading.type === 'bool' && reading.value === meant
        : meant === null ? reading.type === 'null'
          : true; // a type cdk8s does not write (such as a timestamp): nothing to compare
  return same ? undefined
    : `${what} ${show(meant)} is written unquoted as ${written}, which kubectl reads as ${describeReading(reading)}`;
}

/**
 * `spec.containers[0].name`: the keys and indices from the document to the scalar.
 * @param {readonly unknown[]} ancestors
 * @param {import('yaml').Scalar} node
 * @param {number | 'key' | 'value' | null} key
 * @returns {string}
 */
function formatFieldPath(ancestors, node, key) {
  /** @type {PathSegment[]} */
  const segments = [];
  const chain = [...ancestors, node];
  chain.forEach((item, i) => {
    if (YAML.isPair(item)) {
      const pairKey = YAML.isScalar(item.key) ? item.key.value : item.key;
      segments.push(String(pairKey));
    } else if (YAML.isSeq(item) && i + 1 < chain.length) {
      segments.push(item.items.indexOf(/** @type {any} */ (chain[i + 1])));
    }
  });
  return key === 'key' ? `${formatPath(segments)} (the key)` : formatPath(segments);
}

/** @param {string} character @returns {string} */
function codePoint(character) {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

module.exports = { rereadManifestFile, rereadManifestText };
