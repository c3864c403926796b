// Reads a manifest file again, the way kubectl reads YAML, and reports every
// value kubectl would read as another type or other text than the one cdk8s
// meant. cdk8s writes with the YAML 1.1 schema of the `yaml` package, which
// gives back what it meant; kubectl reads with go-yaml v2, which refuses C1
// controls, DEL and U+FFFE/U+FFFF anywhere in a file, reads U+0085, U+2028 and
// U+2029 as line breaks, and resolves some plain scalars that cdk8s leaves
// unquoted (`0o17`, `0_x1`, `1e_3`) as numbers. The go-yaml port is the
// constructs' (lib/yaml-reading.ts), which refuse such values where they are given.

import * as fs from 'fs';
import * as YAML from 'yaml';
import { showBrief as show } from '../../lib/checks/show';
import { describeMisreading, scalarMisreading } from '../../lib/yaml-reading';
import type { PathSegment, TextRule, Violation } from '../rule';
import { formatPath, objectIdOf } from '../walk';

export const rule: TextRule = {
  id: 'yaml',
  description: 'values kubectl would read back as another type or other text, or a file it cannot read (go-yaml v2, as kubectl reads YAML)',
  input: 'text',
  check: rereadManifestText,
};

/** Every value of `file` that kubectl would not read back as written. */
export function rereadManifestFile(file: string): Violation[] {
  return rereadManifestText(fs.readFileSync(file, 'utf8'), file);
}

/** The same for a file's content; `file` is named in each violation. */
export function rereadManifestText(text: string, file?: string): Violation[] {
  const violations: Violation[] = [];
  YAML.parseAllDocuments(text, { version: '1.1' }).forEach((document, index) => {
    if (!('contents' in document)) return; // an empty stream
    const { id, name } = objectIdOf(document.toJS(), index);
    YAML.visit(document, {
      Scalar(key, node, ancestors) {
        const problem = misreading(text, node, key === 'key');
        if (problem) {
          violations.push({
            object: id, name, ...(file ? { file } : {}), path: formatFieldPath(ancestors, node, key), rule: rule.id, message: problem,
          });
        }
      },
    });
  });
  return violations;
}

/** How kubectl would misread one scalar as written in `text`, or undefined. */
function misreading(text: string, node: YAML.Scalar, isKey: boolean): string | undefined {
  if (!node.range || !node.type) return undefined;
  const found = scalarMisreading(text.slice(node.range[0], node.range[1]), node.type, node.value);
  return found && `${isKey ? 'the key' : 'the value'} ${show(node.value)} ${describeMisreading(found)}`;
}

/** `spec.containers[0].name`: the keys and indices from the document to the scalar. */
function formatFieldPath(ancestors: readonly unknown[], node: YAML.Scalar, key: number | 'key' | 'value' | null): string {
  const segments: PathSegment[] = [];
  const chain = [...ancestors, node];
  chain.forEach((item, i) => {
    if (YAML.isPair(item)) {
      const pairKey = YAML.isScalar(item.key) ? item.key.value : item.key;
      segments.push(String(pairKey));
    } else if (YAML.isSeq(item) && i + 1 < chain.length) {
      segments.push(item.items.indexOf(chain[i + 1]));
    }
  });
  return key === 'key' ? `${formatPath(segments)} (the key)` : formatPath(segments);
}
