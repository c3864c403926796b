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
const { describeMisreading, scalarMisreading } = require('../lib/yaml-reading');

/** @typedef {import('./types').Violation} Violation */
/** @typedef {import('./types').PathSegment} PathSegment */

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
  if (!node.range || !node.type) return undefined;
  const found = scalarMisreading(text.slice(node.range[0], node.range[1]), node.type, node.value);
  return found && `${isKey ? 'the key' : 'the value'} ${show(node.value)} ${describeMisreading(found)}`;
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

module.exports = { rereadManifestFile, rereadManifestText };
