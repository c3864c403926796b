/**
 * `npm run e2e`: plays every manifest with a case in e2e/cases.ts (and checks
 * that every manifest in dist/examples/ has one) in real containers.
 *
 *   npm run e2e                                   every case
 *   npm run e2e -- --case webserver               one case
 *   npm run e2e -- --manifest FILE [--case NAME]  a case's checks against another file
 *                                                 (E2E_MANIFEST=FILE does the same)
 *   npm run e2e -- --images auto|standin|official where the images come from (default auto:
 *                                                 the official image where it can be pulled,
 *                                                 else its stand-in; see e2e/images.ts;
 *                                                 E2E_IMAGES=MODE does the same)
 *
 * Exit status: 0 all passed, 1 a manifest failed its checks, 2 the
 * environment cannot run containers (nothing was learnt about the manifests),
 * 130 interrupted (after teardown).
 *
 * podman is configured for the run only (e2e/podman-config.ts); on every exit
 * path the run checks that podman's global configuration (/etc/containers) and
 * root's (~/.config/containers) are as it found them (e2e/host-config.ts). A
 * difference is listed and turns a 0 into 1.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CASES, E2eCase } from './cases';
import { IMAGE_MODES, ImageMode, REPO_ROOT } from './config';
import { Interrupted } from './errors';
import { describeHostConfig, fingerprintHostConfig, HostFingerprint, hostConfigDifferences } from './host-config';
import { loadManifest } from './manifest';
import { preflightOrReport } from './preflight';
import { LocalRegistry } from './registry';
import { activeManifests, activeTeardowns, CaseOutcome, markInterrupted, runCase } from './run-case';
import { manifestFile } from './synth';

interface Plan {
  readonly images: ImageMode;
  readonly cases: readonly { readonly c: E2eCase; readonly manifest?: string }[];
  /** Manifests under dist/examples/ that podman could run but no case covers. */
  readonly uncovered: readonly string[];
}

/** podman's configuration directories as the run found them. */
let hostBefore: HostFingerprint | undefined;

async function main(): Promise<number> {
  hostBefore = fingerprintHostConfig();
  const runId = randomBytes(4).toString('hex');
  const registry = new LocalRegistry();
  installSignalHandlers(registry);
  const started = Date.now();
  const plan = makePlan(process.argv.slice(2));

  if (!(await preflightOrReport(registry, runId, 'ENVIRONMENT FAILURE (no manifest was played)', plan.images))) {
    return 2;
  }

  const outcomes: CaseOutcome[] = [];
  try {
    for (const { c, manifest } of plan.cases) outcomes.push(await runCase(c, runId, manifest));
  } finally {
    registry.stop();
  }
  for (const file of plan.uncovered) {
    console.log(`\n=== ${file}\n  FAIL no e2e case plays this manifest: add one to e2e/cases.ts`);
    outcomes.push('failed');
  }

  const count = (o: CaseOutcome) => outcomes.filter(x => x === o).length;
  console.log(`\ne2e took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`e2e: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
  return count('failed') > 0 ? 1 : 0;
}

function makePlan(argv: readonly string[]): Plan {
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const flags = ['--case', '--manifest', '--images'];
  const unknown = argv.filter((a, i) => a.startsWith('--') ? !flags.includes(a) : !flags.includes(argv[i - 1]));
  if (unknown.length) usage(`unknown argument ${unknown[0]}`);
  const caseName = arg('--case');
  const manifest = arg('--manifest') ?? process.env.E2E_MANIFEST;
  const images = (arg('--images') ?? process.env.E2E_IMAGES ?? 'auto') as ImageMode;
  if (!IMAGE_MODES.includes(images)) usage(`--images must be one of ${IMAGE_MODES.join(', ')}, got ${images}`);

  if (manifest) {
    const file = path.resolve(manifest);
    // Without --case, the case is the one whose manifest defines the same pod.
    const podName = fs.existsSync(file) ? loadManifest(file).podName : undefined;
    const c = caseName ? CASES.find(x => x.name === caseName) : CASES.find(x => casePodName(x) === podName);
    if (!c) usage(`no case in e2e/cases.ts for ${manifest}; name one with --case (${CASES.map(x => x.name).join(', ')})`);
    return { images, cases: [{ c, manifest: file }], uncovered: [] };
  }
  if (caseName) {
    const c = CASES.find(x => x.name === caseName);
    if (!c) usage(`no case named ${caseName} (${CASES.map(x => x.name).join(', ')})`);
    return { images, cases: [{ c }], uncovered: [] };
  }
  return { images, cases: CASES.map(c => ({ c })), uncovered: uncoveredExamples() };
}

/** Every example podman can run needs a case; native-sidecar examples are reported as skipped by podman's limits. */
function uncoveredExamples(): string[] {
  const dir = path.join(REPO_ROOT, 'dist', 'examples');
  if (!fs.existsSync(dir)) return [];
  const covered = new Set(CASES.flatMap(c => c.manifest ? [path.normalize(c.manifest)] : []));
  return fs.readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .map(f => path.join('dist', 'examples', f))
    .filter(f => !covered.has(path.normalize(f)))
    .filter(f => {
      const m = loadManifest(path.join(REPO_ROOT, f));
      if (m.unplayable) console.log(`note ${f}: ${m.unplayable}`);
      return !m.unplayable;
    });
}

/** The pod a case's manifest defines; a synthesized one is synthesized for this and removed again. */
function casePodName(c: E2eCase): string | undefined {
  const file = manifestFile(c);
  try {
    return fs.existsSync(file.path) ? loadManifest(file.path).podName : undefined;
  } finally {
    file.dispose();
  }
}

/** Ctrl-C, or a CI timeout's signal: tear down what is up, then exit 130. */
function installSignalHandlers(registry: LocalRegistry): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    markInterrupted();
    console.error(`\n${signal}: tearing down before exiting`);
    const teardowns = [...activeTeardowns];
    const manifests = [...activeManifests];
    void (async () => {
      for (const teardown of teardowns) {
        const left = await teardown.run();
        console.error(left.length ? `teardown left ${left.join(', ')}` : `teardown removed pod ${teardown.podName}`);
      }
      for (const manifest of manifests) manifest.dispose();
      registry.stop();
      exitCheckingHost(130);
    })();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

function usage(message: string): never {
  console.error(`e2e: ${message}\nusage: npm run e2e [-- --case NAME] [-- --manifest FILE] [-- --images auto|standin|official]`);
  process.exit(64);
}

/**
 * Exits with `code` once the host's podman configuration is checked against
 * the start of the run: every exit path after main() started comes here
 * (a usage error exits 64 before anything ran).
 */
function exitCheckingHost(code: number): never {
  if (hostBefore) {
    const after = fingerprintHostConfig();
    const changed = hostConfigDifferences(hostBefore, after);
    if (changed.length) {
      console.error(`\nHOST CONFIGURATION CHANGED during the e2e (it must leave the host as it found it):`);
      for (const line of changed) console.error(`  ${line}`);
      if (code === 0) code = 1;
    } else {
      console.log(`host: unchanged since the run started: ${describeHostConfig(after)}`);
    }
  }
  process.exit(code);
}

main().then(code => exitCheckingHost(code), e => {
  // A signal: its handler tears down and exits 130.
  if (e instanceof Interrupted) return;
  console.error(e);
  exitCheckingHost(1);
});
