import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as YAML from 'yaml';

// Every TypeScript block of the guides in docs/ is a complete program: it
// type-checks under `strict` as it is written (its import of
// 'cdk8s-logging-sidecar' pointed at this repository's lib/), and running it
// synthesizes manifests that hold a workload.

const ROOT = path.join(__dirname, '..');
const DOCS = path.join(ROOT, 'docs');
// Inside the repository, so that the blocks' imports of cdk8s and cdk8s-plus resolve.
const WORK = path.join(ROOT, 'node_modules', '.cache', 'docs-examples');

interface Block { readonly name: string; readonly file: string }

function blocks(): Block[] {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const lib = path.relative(WORK, path.join(ROOT, 'lib')).split(path.sep).join('/');
  return fs.readdirSync(DOCS).filter(f => f.endsWith('.md')).sort().flatMap(doc => {
    const text = fs.readFileSync(path.join(DOCS, doc), 'utf8');
    return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match, i) => {
      const file = path.join(WORK, `${doc.replace(/\.md$/, '')}-${i + 1}.ts`);
      fs.writeFileSync(file, match[1].replace(/from 'cdk8s-logging-sidecar'/g, `from '${lib}'`));
      return { name: `${doc} block ${i + 1}`, file };
    });
  });
}

const BLOCKS = blocks();

test('the guides have examples', () => {
  expect(BLOCKS.length).toBeGreaterThanOrEqual(4);
});

test('every block type-checks under strict', () => {
  const program = ts.createProgram(BLOCKS.map(b => b.file), {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10, skipLibCheck: true, types: ['node'],
  });
  const problems = ts.getPreEmitDiagnostics(program).map(d =>
    `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(problems).toEqual([]);
}, 30000);

test.each(BLOCKS.map(b => [b.name, b] as const))('%s synthesizes a workload', (_, block) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-example-'));
  try {
    execFileSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'ts-register.js'), block.file], { cwd: outdir, stdio: 'pipe' });
    const written = fs.readdirSync(path.join(outdir, 'dist')).filter(f => f.endsWith('.k8s.yaml'));
    const kinds = written.flatMap(f => YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, 'dist', f), 'utf8')).map(d => d.toJS()?.kind));
    expect(kinds).toEqual(expect.arrayContaining([expect.stringMatching(/^(Pod|Deployment|StatefulSet|DaemonSet)$/)]));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}, 30000);
