import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { kubectlReadDirectory } from './kubectl-decode';
import { hasPodTemplate, typedReadBackDifferences, unstructuredReadBackDifferences } from './manifest-read-back';
import { PropGroup, PropTarget } from './prop-targets';
import { CONSTRUCT_GROUPS } from './prop-targets-constructs';
import { FLUENT_BIT_GROUPS } from './prop-targets-fluent-bit';

// Every string and number prop, one at a time, given values from across
// Unicode and the edges of numbers: the construct either refuses the value
// with a plain Error naming the prop and showing the value, or synthesizes a
// manifest that kubectl reads back exactly as it was written. The values are
// sampled with a fixed seed, so that a failure is reproducible; each failure
// names its prop, value, seed and case. PROPS_KUBECTL_SEED=<n> explores further.
const SEED = Number(process.env.PROPS_KUBECTL_SEED ?? 20250601);
const CASES_PER_PROP = 20;

const GROUPS = [...CONSTRUCT_GROUPS, ...FLUENT_BIT_GROUPS];

// Made by the first test that runs: with every test filtered out, afterAll hooks do not run.
let workDir: string | undefined;
afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

/** One generated value in one prop. */
interface Case {
  readonly name: string;
  readonly group: PropGroup;
  readonly target: PropTarget;
}

/** A case the construct accepted, with what it synthesized, as written to `file`. */
interface Accepted extends Case {
  readonly file: string;
  readonly objects: any[];
}

/** A problem, with the group of the case it is about; one about no case (kubectl failing as a whole) concerns every group. */
interface Problem {
  readonly group?: PropGroup;
  readonly text: string;
}

let findings: Promise<{ problems: Problem[]; accepted: Accepted[] }> | undefined;

test.each(GROUPS.map(group => [group.name, group] as const))(
  '%s: every value is refused by name or read back by kubectl as written', async (_, group) => {
    const { problems, accepted } = await (findings ??= findAll());
    expect(problems.filter(p => p.group === group || p.group === undefined).map(p => p.text)).toEqual([]);
    // A prop none of whose values was accepted had nothing read back by kubectl.
    expect(group.targets.filter(t => !accepted.some(c => c.target === t)).map(t => t.prop)).toEqual([]);
  }, 60_000);

/**
 * Every case of every group, synthesized into one directory and read back by
 * kubectl in one pair of calls (each call costs a process start, and kubectl
 * reads a thousand files in about a second).
 */
async function findAll(): Promise<{ problems: Problem[]; accepted: Accepted[] }> {
  const home = workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'props-kubectl-'));
  const dir = fs.mkdtempSync(path.join(home, 'manifests-'));
  const problems: Problem[] = [];
  const accepted: Accepted[] = [];
  for (const group of GROUPS) {
    for (const target of group.targets) {
      const seed = seedOf(target.prop);
      fc.sample(target.values, { seed, numRuns: CASES_PER_PROP }).forEach((value, index) => {
        const name = `${target.prop} = ${target.describe(value)} (seed ${seed}, case ${index})`;
        const outcome = constructAndSynth(target, value, home);
        if (typeof outcome === 'string') {
          if (outcome !== '') problems.push({ group, text: `${name}: ${outcome}` });
          return;
        }
        const file = path.join(dir, `${String(accepted.length).padStart(6, '0')}.yaml`);
        Yaml.save(file, outcome);
        accepted.push({ name, group, target, file, objects: outcome });
      });
    }
  }
  problems.push(...await readBackProblems(dir, home, accepted));
  return { problems, accepted };
}

/**
 * The objects the construct synthesized with `value` in the prop; or the
 * problem with its refusal, or with its synth (empty when it refused well).
 */
function constructAndSynth(target: PropTarget, value: unknown, outdir: string): any[] | string {
  let made: unknown;
  try {
    made = target.make(value);
  } catch {
    return ''; // a value no caller can make, such as Size.mebibytes(-1): cdk8s refuses it itself
  }
  const chart = new Chart(new App({ outdir }), 'test');
  try {
    target.build(chart, made);
  } catch (error) {
    return refusalProblem(target, value, error);
  }
  try {
    const errors = chart.node.findAll().flatMap(c => c.node.validate());
    if (errors.length > 0) return `accepted, then failed validation at synth: ${errors.join('; ')}`;
    return Testing.synth(chart);
  } catch (error) {
    return `accepted, then synth threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message ?? error}`;
  }
}

/** What is wrong with a refusal: it must be a plain Error that starts with the prop's name and shows the value. */
function refusalProblem(target: PropTarget, value: unknown, error: unknown): string {
  if (!(error instanceof Error) || error.constructor !== Error) {
    return `refused with ${(error as Error)?.constructor?.name ?? typeof error} (not a plain Error): ${(error as Error)?.message ?? String(error)}`;
  }
  const escaped = target.prop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!new RegExp(`^${escaped}[ .[]`).test(error.message)) {
    return `refused without naming ${target.prop} first: ${error.message}`;
  }
  if (!target.isShownIn(error.message, value)) {
    return `refused without showing the value (as ${target.showing(value)}): ${error.message}`;
  }
  return '';
}

/**
 * Reads the manifests of `dir` with kubectl and compares each object with
 * what was written. A file kubectl cannot read is a failure of its case; it
 * is taken out and the rest read again, since kubectl then prints nothing.
 */
async function readBackProblems(dir: string, home: string, cases: Accepted[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  let remaining = cases;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (remaining.length === 0) return problems;
    const reading = await kubectlReadDirectory(dir, home);
    if (reading.errors.length === 0) {
      return [...problems, ...compareAll(remaining, reading)];
    }
    for (const error of reading.errors) {
      const failed = remaining.find(c => path.basename(c.file) === error.file);
      problems.push(failed ? { group: failed.group, text: `${failed.name}: accepted, but ${error.message}` } : { text: error.message });
    }
    const unreadable = new Set(reading.errors.map(e => e.file));
    if (![...unreadable].some(file => file !== undefined)) {
      return problems;
    }
    remaining = remaining.filter(c => !unreadable.has(path.basename(c.file)));
    for (const file of unreadable) {
      if (file !== undefined) fs.rmSync(path.join(dir, file), { force: true });
    }
  }
  return [...problems, { text: 'kubectl still could not read the directory after three attempts' }];
}

/** Pairs kubectl's printouts, in the order of the files, with the objects written. */
function compareAll(cases: Accepted[], reading: Awaited<ReturnType<typeof kubectlReadDirectory>>): Problem[] {
  const typed = [...reading.typed];
  const decodedOnly = [...reading.decodedOnly];
  const unstructured = [...reading.unstructured];
  const problems: Problem[] = [];
  for (const c of cases) {
    for (const object of c.objects) {
      const id = `${object.kind}/${object.metadata?.name}`;
      const compare = (what: string, printed: any, differ: (w: any, p: any) => string[]) => {
        if (`${printed?.kind}/${printed?.metadata?.name}` !== id) {
          throw new Error(`kubectl's ${what} printout is out of step with the files: expected ${id}, got ${printed?.kind}/${printed?.metadata?.name}`);
        }
        problems.push(...differ(object, printed).map(d => ({ group: c.group, text: `${c.name}: ${id} ${what}: ${d}` })));
      };
      compare('YAML', unstructured.shift(), unstructuredReadBackDifferences);
      if (hasPodTemplate(object)) {
        compare('typed', typed.shift(), typedReadBackDifferences);
      } else {
        // Not printed by `set env`; decoded all the same, into the Go type it names.
        const decoded = decodedOnly.shift();
        const expected = `${String(object.kind).toLowerCase()}/${object.metadata?.name}`;
        if (decoded?.object !== expected || decoded.goType !== `*v1.${object.kind}`) {
          problems.push({ group: c.group, text: `${c.name}: ${id} was not decoded into *v1.${object.kind}: ${JSON.stringify(decoded)}` });
        }
      }
    }
  }
  const left = typed.length + decodedOnly.length + unstructured.length;
  return left === 0 ? problems : [...problems, { text: `kubectl printed ${left} objects more than were written` }];
}

/** A seed per prop, so that adding a prop leaves the values of the others as they were. */
function seedOf(prop: string): number {
  let hash = SEED;
  for (const char of prop) hash = (Math.imul(hash, 31) + char.codePointAt(0)!) | 0;
  return hash;
}
