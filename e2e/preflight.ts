import * as fs from 'fs';
import { IMAGES, ImageMode, mirrorRepository, REGISTRY, repositoryOf } from './config';
import { EnvironmentError } from './errors';
import { exec, lastLines } from './exec';
import { ResolvedImage, resolveImages } from './images';
import { podIp } from './podman';
import { usePodmanConfig } from './podman-config';
import { LocalRegistry } from './registry';
import { get, waitForHttp } from './traffic';

/**
 * What older versions of scripts/setup-podman.sh wrote under /etc/containers.
 * podman would still read the registries.conf.d one on top of the run's own
 * registries.conf, and on every pull outside the e2e; setup-podman.sh removes both.
 */
const LEFT_BY_OLDER_SETUP = [
  '/etc/containers/registries.conf.d/50-cdk8s-e2e-mirror.conf',
  '/etc/containers/containers.conf.d/50-cdk8s-e2e.conf',
];
const SETUP_HINT = 'run `bash scripts/setup-podman.sh` as root';

/**
 * Everything that must work before a manifest can be blamed: podman set up,
 * each image pulled or its stand-in built, and served, a plain container
 * starts and its network answers. Any failure here is an EnvironmentError,
 * never a manifest failure. Returns the images the run plays.
 */
export async function preflight(registry: LocalRegistry, runId: string, mode: ImageMode = 'auto'): Promise<ResolvedImage[]> {
  if (process.getuid?.() !== 0) throw new EnvironmentError(`the e2e runs rootful podman and must run as root; ${SETUP_HINT}`);
  const leftovers = LEFT_BY_OLDER_SETUP.filter(f => fs.existsSync(f));
  if (leftovers.length) {
    throw new EnvironmentError(`left by an older scripts/setup-podman.sh, and read by every podman on this machine: ${leftovers.join(', ')}; `
      + `${SETUP_HINT} to remove them (the e2e no longer writes under /etc/containers)`);
  }
  // Before the first podman: every podman of this process and its children reads the run's own configuration.
  const config = usePodmanConfig(runId);
  const version = await exec('podman', ['version', '--format', '{{.Client.Version}}'], { timeoutMs: 30_000 });
  if (version.code !== 0) throw new EnvironmentError(`podman is not usable (${lastLines(version.stderr, 3) || 'not installed'}); ${SETUP_HINT}`);
  await checkPodmanReadsConfig();
  step(`podman ${version.stdout.trim()}, configured for this run only: CONTAINERS_CONF and CONTAINERS_REGISTRIES_CONF in ${config.dir}`);
  if (config.ignored.length) {
    console.log(`  note preflight: the e2e's podman does not read ${config.ignored.join(', ')} (CONTAINERS_CONF replaces them in podman 4.3)`);
  }
  // The cases with TLS make a CA for the run, and htpasswd lines, with openssl.
  const openssl = await exec('openssl', ['version'], { timeoutMs: 30_000 });
  if (openssl.code !== 0) throw new EnvironmentError(`openssl is not usable (${lastLines(openssl.stderr, 3) || 'not installed'}); ${SETUP_HINT}`);

  await registry.start();
  const images = await resolveImages(mode, registry);
  step(`images (--images ${mode}):`);
  for (const i of images) console.log(`         ${i.image.official}: ${i.detail}`);

  const ubuntu = localRef(images, 'ubuntu');
  const plain = await exec('podman', ['run', '--rm', '--pull=never', '--network=none', ubuntu, 'true'], { timeoutMs: 120_000 });
  if (plain.code !== 0) {
    throw new EnvironmentError(`podman cannot start any container here (podman run ... true exited ${plain.code}${plain.timedOut ? ', timed out' : ''}): ${lastLines(plain.stderr, 10)}`);
  }
  await checkNetwork(localRef(images, 'nginx'), runId);
  step('a plain container starts and answers HTTP on its bridge IP');
  return images;
}

/**
 * What podman reports, not what the files say: the runtime from the run's
 * containers.conf, and for each image the loopback registry as the first
 * mirror of its official repository, never a rewrite of it (which would hide
 * the official image). A drop-in in a registries.conf.d that podman reads on
 * top of the run's registries.conf could say otherwise.
 */
async function checkPodmanReadsConfig(): Promise<void> {
  const info = await exec('podman', ['info', '--format', 'json'], { timeoutMs: 30_000 });
  if (info.code !== 0) throw new EnvironmentError(`podman info failed with the run's configuration: ${lastLines(info.stderr, 5)}`);
  const parsed = JSON.parse(info.stdout);
  const runtime = parsed.host?.ociRuntime?.name;
  if (runtime !== 'runc') {
    throw new EnvironmentError(`podman reports OCI runtime '${runtime}' with the run's CONTAINERS_CONF (${process.env.CONTAINERS_CONF}), expected runc; ${SETUP_HINT}`);
  }
  const registries: Record<string, { Location?: string; Mirrors?: { Location?: string }[] | null }> = parsed.registries ?? {};
  for (const image of IMAGES) {
    const repo = repositoryOf(image.official);
    const r = registries[repo];
    if (r?.Location !== repo || r.Mirrors?.[0]?.Location !== mirrorRepository(image.official)) {
      throw new EnvironmentError(`podman does not use ${REGISTRY} as the first mirror of ${repo} with the run's CONTAINERS_REGISTRIES_CONF `
        + `(${process.env.CONTAINERS_REGISTRIES_CONF}); it reports ${JSON.stringify(r ?? null)}: does a registries.conf.d drop-in override it?`);
    }
  }
}

function localRef(images: readonly ResolvedImage[], standin: string): string {
  return images.find(i => i.image.standin === standin)!.localRef;
}

/** A stand-in nginx in a pod of its own must answer on its IP, or no manifest can. */
async function checkNetwork(nginx: string, runId: string): Promise<void> {
  const name = `cdk8s-e2e-preflight-${runId}`;
  try {
    const started = await exec('podman', ['pod', 'create', '--name', name], { timeoutMs: 60_000 });
    const run = started.code === 0
      ? await exec('podman', ['run', '-d', '--pull=never', '--pod', name, '--name', `${name}-web`, nginx], { timeoutMs: 60_000 })
      : started;
    if (run.code !== 0) throw new EnvironmentError(`podman cannot start a pod here: ${lastLines(run.stderr, 10)}`);
    const base = `http://${await podIp(name)}`;
    if (!await waitForHttp(base, 15_000)) {
      throw new EnvironmentError(`a stand-in nginx pod started but ${base}/ never answered 200 (last status ${await get(`${base}/`, 1000)}): podman's bridge network does not work here`);
    }
  } finally {
    await exec('podman', ['pod', 'rm', '--force', '--time', '0', name], { timeoutMs: 60_000 });
  }
}

function step(message: string): void {
  console.log(`  ok   preflight: ${message}`);
}

/**
 * The preflight as the entry points run it: on an environment failure it
 * stops the registry, says so, and returns false (the caller exits 2);
 * any other error is thrown.
 */
export async function preflightOrReport(registry: LocalRegistry, runId: string, failure: string, mode: ImageMode = 'auto'): Promise<boolean> {
  console.log(`=== preflight (run ${runId})`);
  try {
    await preflight(registry, runId, mode);
    return true;
  } catch (e) {
    registry.stop();
    if (e instanceof EnvironmentError) {
      console.error(`\n${failure}: ${e.message}`);
      return false;
    }
    throw e;
  }
}
