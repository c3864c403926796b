// The TypeScript examples of README.md and docs/*.md, each a complete program.
//
// test/docs-examples.test.ts runs them against lib/, and scripts/check-package.sh
// against the packed package. Both run every example in one Node process, each
// into its own output directory, so that Node's start-up and the loading of
// cdk8s and cdk8s-plus are paid once rather than once per example.
//
//   node -r ./scripts/ts-register.js scripts/doc-examples.ts extract DIR
//     writes each example to DIR as <doc>-<n>.ts
//   node -r ./scripts/ts-register.js scripts/doc-examples.ts run DIR OUTDIR [--json]
//     runs every .js or .ts file of DIR, the output of each in OUTDIR/<file>/
//     (with --json, the results also in OUTDIR/runs.json); exits 1 unless each
//     synthesized a workload
import * as fs from 'fs';
import * as path from 'path';

export interface DocExample {
  /** Where it is written: `README.md block 1`, `docs/shippers.md block 2`. */
  readonly name: string;
  /** A file name for it, unique across the docs: `README-1.ts`, `shippers-2.ts`. */
  readonly fileName: string;
  readonly code: string;
}

export interface ExampleRun {
  readonly file: string;
  /** The kinds of the objects it wrote, in order. */
  readonly kinds: string[];
  /** What it threw, or why it does not count as synthesizing a workload. */
  readonly error?: string;
}

/** The modules an example may import. */
export const EXAMPLE_MODULES: readonly string[] = ['cdk8s', 'cdk8s-plus-28', 'constructs', 'cdk8s-logging-sidecar'];

const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

/** README.md and every docs/*.md, relative to `root`. */
export function docFiles(root: string): string[] {
  const docs = fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md')).sort();
  return ['README.md', ...docs.map(f => `docs/${f}`)];
}

/** Every ```ts (or ```typescript) block of README.md and docs/*.md. */
export function docExamples(root: string): DocExample[] {
  return docFiles(root).flatMap(doc => {
    const text = fs.readFileSync(path.join(root, doc), 'utf8');
    const base = path.basename(doc, '.md');
    return [...text.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```$/gm)].map((match, i) => ({
      name: `${doc} block ${i + 1}`,
      fileName: `${base}-${i + 1}.ts`,
      code: match[1],
    }));
  });
}

/**
 * Runs each program in this process, one after another, with CDK8S_OUTDIR set
 * to its own directory under `outRoot`.
 */
export function runExamples(files: string[], outRoot: string): ExampleRun[] {
  const saved = process.env.CDK8S_OUTDIR;
  try {
    return files.map(file => {
      const outdir = path.join(outRoot, path.basename(file).replace(/\.[jt]s$/, ''));
      fs.rmSync(outdir, { recursive: true, force: true });
      process.env.CDK8S_OUTDIR = outdir;
      try {
        require(file);
      } catch (e) {
        return { file, kinds: [], error: e instanceof Error ? e.message : String(e) };
      }
      const written = fs.existsSync(outdir) ? fs.readdirSync(outdir).filter(f => f.endsWith('.k8s.yaml')).sort() : [];
      const kinds = written.flatMap(f =>
        [...fs.readFileSync(path.join(outdir, f), 'utf8').matchAll(/^kind: (\S+)$/gm)].map(m => m[1]));
      return kinds.some(k => WORKLOAD_KINDS.includes(k))
        ? { file, kinds }
        : { file, kinds, error: `wrote no workload (${WORKLOAD_KINDS.join(', ')}) to ${outdir}` };
    });
  } finally {
    if (saved === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = saved;
  }
}

function main(args: string[]): number {
  const root = path.join(__dirname, '..');
  const [command, dir, outRoot] = args;
  if (command === 'extract' && dir) {
    fs.mkdirSync(dir, { recursive: true });
    for (const example of docExamples(root)) fs.writeFileSync(path.join(dir, example.fileName), example.code);
    return 0;
  }
  if (command === 'run' && dir && outRoot) {
    const files = fs.readdirSync(dir).filter(f => /\.[jt]s$/.test(f) && !f.endsWith('.d.ts')).sort()
      .map(f => path.resolve(dir, f));
    fs.mkdirSync(outRoot, { recursive: true });
    const runs = runExamples(files, path.resolve(outRoot));
    if (args.includes('--json')) fs.writeFileSync(path.join(outRoot, 'runs.json'), JSON.stringify(runs));
    for (const run of runs) {
      console.log(run.error ? `FAIL ${path.basename(run.file)}: ${run.error}` : `ok   ${path.basename(run.file)}: ${run.kinds.join(', ')}`);
    }
    return runs.length > 0 && runs.every(r => !r.error) ? 0 : 1;
  }
  console.error('usage: doc-examples.ts extract DIR | run DIR OUTDIR [--json]');
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
