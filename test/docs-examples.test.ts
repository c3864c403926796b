import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { docExamples, EXAMPLE_MODULES, ExampleRun } from '../scripts/doc-examples';

// Every TypeScript block of README.md and of docs/*.md is a complete program:
// it imports what it uses, makes an App and a Chart and synthesizes. It
// type-checks under `strict` as it is written (its import of
// 'cdk8s-logging-sidecar' pointed at this repository's lib/), and running it
// synthesizes manifests that hold a workload. scripts/check-package.sh does the
// same against the packed package.

const ROOT = path.join(__dirname, '..');
// Inside the repository, so that the blocks' imports of cdk8s and cdk8s-plus resolve.
const WORK = path.join(ROOT, 'node_modules', '.cache', 'docs-examples');
const SOURCES = path.join(WORK, 'src');

interface Block { readonly name: string; readonly file: string; readonly code: string }

function blocks(): Block[] {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(SOURCES, { recursive: true });
  const lib = path.relative(SOURCES, path.join(ROOT, 'lib')).split(path.sep).join('/');
  return docExamples(ROOT).map(example => {
    const file = path.join(SOURCES, example.fileName);
    fs.writeFileSync(file, example.code.replace(/from 'cdk8s-logging-sidecar'/g, `from '${lib}'`));
    return { name: example.name, file, code: example.code };
  });
}

const BLOCKS = blocks();

test('the README and the guides have examples', () => {
  expect(BLOCKS.filter(b => b.name.startsWith('README.md ')).length).toBeGreaterThanOrEqual(1);
  expect(BLOCKS.length).toBeGreaterThanOrEqual(12);
});

test.each(BLOCKS.map(b => [b.name, b] as const))('%s is a whole program', (_, block) => {
  const imports = [...block.code.matchAll(/^import .* from '([^']+)';$/gm)].map(m => m[1]);
  expect(imports.filter(m => !EXAMPLE_MODULES.includes(m))).toEqual([]);
  expect(imports).toContain('cdk8s');
  expect(block.code).toMatch(/^const app = new App\(/m);
  expect(block.code).toMatch(/new Chart\(app, /);
  expect(block.code).toMatch(/^app\.synth\(\);$/m);
});

test('every block type-checks under strict', () => {
  const program = ts.createProgram(BLOCKS.map(b => b.file), {
    strict: true, noUnusedLocals: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10, skipLibCheck: true, types: ['node'],
  });
  const problems = ts.getPreEmitDiagnostics(program).map(d =>
    `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(problems).toEqual([]);
}, 30000);

describe('every block synthesizes a workload', () => {
  let runs: Map<string, ExampleRun>;

  beforeAll(() => {
    // One process runs every block, each into its own output directory.
    const outRoot = path.join(WORK, 'out');
    const child = spawnSync(process.execPath, [
      '-r', path.join(ROOT, 'scripts', 'ts-register.js'), path.join(ROOT, 'scripts', 'doc-examples.ts'),
      'run', SOURCES, outRoot, '--json',
    ], { cwd: WORK, encoding: 'utf8' });
    const results = path.join(outRoot, 'runs.json');
    if (!fs.existsSync(results)) throw new Error(`the examples did not run: ${child.stderr}`);
    runs = new Map((JSON.parse(fs.readFileSync(results, 'utf8')) as ExampleRun[]).map(r => [r.file, r]));
  }, 30000);

  test.each(BLOCKS.map(b => [b.name, b] as const))('%s', (_, block) => {
    const run = runs.get(block.file);
    expect(run).toBeDefined();
    expect(run?.error).toBeUndefined();
  });
});
