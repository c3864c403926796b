import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { readPlainScalar, writtenMisreading } from '../lib/yaml-reading';
import { reread, violationsOf } from './validation-helpers';

// cdk8s writes YAML 1.1 with the `yaml` package; kubectl reads it with
// go-yaml v2. The validation plugin re-reads every synthesized file as kubectl
// would (validation/rules/yaml.ts, over the go-yaml port in lib/yaml-reading.ts),
// and these tests hold that reading against kubectl itself.

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-reading-'));
afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

/**
 * What kubectl reads from each file of `dir`: `label --local` decodes into
 * unstructured objects, so every value comes back with the type go-yaml gave
 * it. By file: the raw JSON text of each data value, or the error.
 */
function kubectlReads(dir: string): Promise<Map<string, { values?: Map<string, string>, error?: string }>> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['label', '--local', '-f', dir, 'checked=yes', '-o', 'json'], {
      env: { ...process.env, KUBECONFIG: path.join(workDir, 'no-kubeconfig'), HOME: workDir },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: 60_000,
    }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`kubectl could not be run (${error.message})`));
        return;
      }
      const byFile = new Map<string, { values?: Map<string, string>, error?: string }>();
      for (const line of stderr.split('\n')) {
        const failed = /^(?:error: )?error parsing (.*?): (.*)$/.exec(line);
        if (failed) byFile.set(path.basename(failed[1]), { error: failed[2] });
      }
      // One pretty-printed object after another; each data value on a line of its own, in raw JSON.
      for (const object of stdout.split(/\n(?=\{)/)) {
        const name = /^ {8}"name": "(f\d+)"/m.exec(object)?.[1];
        if (!name) continue;
        const values = new Map<string, string>();
        for (const match of object.matchAll(/^ {8}"(k\d+)": (.*?),?$/gm)) values.set(match[1], match[2]);
        byFile.set(`${name}.yaml`, { values });
      }
      resolve(byFile);
    });
  });
}

function configMap(name: string, data: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}

describe('readPlainScalar reads plain scalars as kubectl does', () => {
  const numberish = fc.array(fc.constantFrom(...'0123456789abcdefxXoObBeE.+-_:tTzZyYnN~ '.split('')), { minLength: 1, maxLength: 12 })
    .map(chars => chars.join('').trim());
  const edges = [
    // Not .inf or .nan: kubectl cannot turn them into JSON, and refuses the whole file.
    '0o17', '-0o1', '+0O7', '0_x1f', '0x_1', '1e_3', '1_0', '0b1_0', '.5_0', '._5', '.5', '08', '0777', '1e400',
    '18446744073709551615', '18446744073709551616', '9223372036854775808', '-9223372036854775809', '0xFFFFFFFFFFFFFFFFFF',
    '2001-1-2', '2001-12-14t21:59:43.10-05:00', '1:20', 'y', 'Off', 'NULL', '~', '<<', '=',
  ];

  test('on thousands of number-like scalars, every edge included', async () => {
    // Written by hand as plain scalars: cdk8s would quote most of them.
    const texts = [...new Set([...edges, ...fc.sample(numberish, { numRuns: 4000, seed: 11 })])].filter(text => {
      const line = `k: ${text}\n`;
      const document = YAML.parseDocument(line, { version: '1.1' });
      const value = YAML.isMap(document.contents) ? document.contents.items[0]?.value : undefined;
      return document.errors.length === 0 && YAML.isScalar(value) && value.type === 'PLAIN' && line.slice(value.range![0], value.range![1]) === text;
    });
    const dir = fs.mkdtempSync(path.join(workDir, 'plain-'));
    const body = texts.map((text, i) => `  k${i}: ${text}\n`).join('');
    fs.writeFileSync(path.join(dir, 'f0.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f0\ndata:\n${body}`);
    const read = (await kubectlReads(dir)).get('f0.yaml')!;
    expect(read.error).toBeUndefined();

    const disagreements = texts.flatMap((text, i) => {
      const json = read.values!.get(`k${i}`);
      const mine = readPlainScalar(text);
      const agrees = json === undefined || json === 'null' ? mine.type === 'null'
        : json.startsWith('"') ? mine.type === 'string' && JSON.parse(json) === text
          : json === 'true' || json === 'false' ? mine.type === 'bool' && String(mine.value) === json
            : mine.type === 'int' ? /^-?\d+$/.test(json) && BigInt(json) === mine.value
              : mine.type === 'float' && Number(json) === mine.value;
      return agrees ? [] : [`${JSON.stringify(text)}: kubectl ${json}, readPlainScalar ${mine.type} ${String(mine.value)}`];
    });
    expect(texts.length).toBeGreaterThan(2000);
    expect(disagreements).toEqual([]);
  }, 30_000);
});

describe('the validation plugin re-reads what cdk8s writes as kubectl does', () => {
  const pieces = fc.constantFrom(
    '0o17', '0_x1', '1e_3', '-0o7', '0', 'o', 'x', 'e', '_', '.', '-', '+', 'a', ' ', ':', '#', '"', "'",
    '\t', '\n', '\r', '\x01', '\x7f', '\x85', '\x90', '\u2028', '\u2029', '\ufeff', '\ufffe', '\uffff', '\ufdd0', '\u{1fffe}', '\ud800', '\u00a0', 'é', '\u{1f600}',
  );
  const value = fc.oneof(
    fc.array(pieces, { minLength: 1, maxLength: 5 }).map(p => p.join('')),
    fc.string({ unit: 'binary', maxLength: 8 }),
  );

  test('a file is flagged exactly when kubectl refuses it or reads a value back changed', async () => {
    const values = [...new Set(fc.sample(value, { numRuns: 3000, seed: 23 }))];
    const dir = fs.mkdtempSync(path.join(workDir, 'values-'));
    values.forEach((v, i) => Yaml.save(path.join(dir, `f${i}.yaml`), [configMap(`f${i}`, { k0: v })]));
    const read = await kubectlReads(dir);

    const disagreements = values.flatMap((v, i) => {
      const kubectl = read.get(`f${i}.yaml`);
      const json = kubectl?.values?.get('k0');
      const readBack = json !== undefined && json.startsWith('"') && JSON.parse(json) === v;
      const flagged = reread.rereadManifestFile(path.join(dir, `f${i}.yaml`));
      return readBack === (flagged.length === 0) ? []
        : [`${JSON.stringify(v)} (${[...v].map(c => c.codePointAt(0)!.toString(16)).join(' ')}): kubectl ${kubectl?.error ?? json}, plugin ${flagged.map(f => f.message).join('; ') || 'nothing'}`];
    });
    expect(values.length).toBeGreaterThan(2000);
    expect(disagreements).toEqual([]);
  }, 30_000);

  test('writtenMisreading, the construct\'s check, flags exactly the values the plugin flags', () => {
    fc.assert(fc.property(value, (v) => {
      const flagged = reread.rereadManifestText(Yaml.stringify({ v })).length > 0;
      expect(writtenMisreading(v) !== undefined).toBe(flagged);
    }), { numRuns: 3000 });
  });
});

describe('each kind of misreading fails validation, naming the object, the field and both values', () => {
  function chartWith(metadata: Record<string, unknown>, data: Record<string, unknown> = { k: 'v' }): unknown[] {
    const chart = Testing.chart();
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', ...metadata }, data });
    return Testing.synth(chart);
  }

  test.each([
    ['an octal number', { annotations: { mode: '0o17' } }, undefined,
      'ConfigMap/settings: metadata.annotations.mode: the value "0o17" is written unquoted as 0o17, which kubectl reads as the integer 15'],
    ['a signed octal number', { annotations: { level: '-0o7' } }, undefined,
      'ConfigMap/settings: metadata.annotations.level: the value "-0o7" is written unquoted as -0o7, which kubectl reads as the integer -7'],
    ['a hexadecimal number with an underscore', { annotations: { id: '0_x1f' } }, undefined,
      'ConfigMap/settings: metadata.annotations.id: the value "0_x1f" is written unquoted as 0_x1f, which kubectl reads as the integer 31'],
    ['a float with an underscore', undefined, { ratio: '1e_3' },
      'ConfigMap/settings: data.ratio: the value "1e_3" is written unquoted as 1e_3, which kubectl reads as the number 1000'],
    ['a key', undefined, { '0o10': 'v' },
      'ConfigMap/settings: data["0o10"] (the key): the key "0o10" is written unquoted as 0o10, which kubectl reads as the integer 8'],
    ['a next-line character', undefined, { k: 'a\u0085b' },
      'ConfigMap/settings: data.k: the value "a\u0085b" is written with U+0085, which kubectl\'s YAML reader takes for a line break: it reads other text or cannot read the file'],
    ['a line separator', { annotations: { note: 'a\u2028b' } }, undefined,
      'ConfigMap/settings: metadata.annotations.note: the value "a\u2028b" is written with U+2028, which kubectl\'s YAML reader takes for a line break'],
    ['a C1 control', undefined, { k: 'a\u0090' },
      'ConfigMap/settings: data.k: the value "a\u0090" is written with U+0090, which YAML does not allow in a file: kubectl cannot read the whole file'],
    ['U+FFFF', undefined, { k: '\uffff' },
      'ConfigMap/settings: data.k: the value "\uffff" is written with U+FFFF, which YAML does not allow in a file: kubectl cannot read the whole file'],
  ])('%s', (_, metadata, data, violation) => {
    expect(violationsOf(chartWith(metadata ?? {}, data))).toEqual([expect.stringContaining(violation)]);
  });

  test('numbers, booleans and strings cdk8s quotes pass', () => {
    expect(violationsOf(chartWith({ annotations: { a: '0777', b: 'yes', c: '1e3', d: '2001-1-2', e: '1_000' } }, { k: 'on' }))).toEqual([]);
  });
});
