import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { E2eImage, IMAGES, ImageMode, REGISTRY, REPO_ROOT, standinRef } from './config';
import { EnvironmentError } from './errors';
import { exec, execOk, lastLines } from './exec';
import { LocalRegistry } from './registry';

/**
 * Which image the e2e plays for each name (`--images auto|standin|official`), and why.
 *
 * How this meets the registry mirrors of the run's registries.conf (e2e/podman-config.ts): podman pulls
 * every name the manifests use from the loopback registry first, and from the
 * official registry when the loopback one does not have it. So:
 * - a stand-in is served on loopback under the official name, and podman never
 *   asks the internet for it;
 * - to try an official image, the e2e first moves that name aside in the
 *   loopback registry (a stand-in served by an earlier run would otherwise
 *   answer the pull), then pulls it. When the pull works the name stays off
 *   the loopback registry, so the pull and every `imagePullPolicy: Always`
 *   pull of kube play after it fall through the mirror to the official
 *   registry; when it fails the stand-in is put back;
 * - except where podman differs from a kubelet: an official image with files
 *   where the manifests mount an emptyDir (`emptyDirOver`: the nginx images'
 *   access.log -> /dev/stdout links) would have them copied into the emptyDir
 *   by podman, which a kubelet does not do, and nginx would log past the
 *   volume. That image is served on loopback as the official image with that
 *   directory emptied (one more layer), and the output says so.
 */

/** The image the e2e uses for one name. */
export interface ResolvedImage {
  readonly image: E2eImage;
  readonly source: 'official' | 'standin';
  /** The image in local storage, for the preflight's own containers. */
  readonly localRef: string;
  /** What the output says about it. */
  readonly detail: string;
}

/** A pull that has not started copying within this long has failed: no registry answered. */
const PULL_CONNECT_TIMEOUT_MS = Number(process.env.CDK8S_E2E_PULL_TIMEOUT_S ?? 15) * 1000;
/** A pull that is copying layers may take this long. */
const PULL_COPY_TIMEOUT_MS = 900_000;

export async function resolveImages(mode: ImageMode, registry: LocalRegistry): Promise<ResolvedImage[]> {
  const pulls = new Map<E2eImage, PullResult>();
  if (mode !== 'standin') {
    // Off the mirror first, so that only the official registry can answer these pulls.
    for (const image of IMAGES) await registry.hide(image.official);
    const results = await Promise.all(IMAGES.map(image => pull(image.official)));
    IMAGES.forEach((image, i) => pulls.set(image, results[i]));
    for (const image of IMAGES) {
      if (pulls.get(image)!.ok) await registry.unserve(image.official);
      else registry.restore(image.official);
    }
    const failed = IMAGES.filter(image => !pulls.get(image)!.ok);
    if (mode === 'official' && failed.length) {
      throw new EnvironmentError(`--images official, but ${failed.map(i => `${i.official} (${pulls.get(i)!.why})`).join('; ')} cannot be pulled`);
    }
  }

  const needStandins = IMAGES.some(image => !pulls.get(image)?.ok);
  const key = needStandins ? await buildStandins() : '';
  const resolved: ResolvedImage[] = [];
  for (const image of IMAGES) {
    const pulled = pulls.get(image);
    if (pulled?.ok) {
      resolved.push(await useOfficial(image, pulled, registry));
    } else {
      const localRef = standinRef(image.standin, key);
      await registry.serve(localRef, image.official);
      const why = pulled ? `the official image cannot be pulled: ${pulled.why}` : '--images standin';
      resolved.push({ image, source: 'standin', localRef, detail: `stand-in ${localRef}, served from ${REGISTRY} (${why})` });
    }
  }
  return resolved;
}

async function useOfficial(image: E2eImage, pulled: PullResult, registry: LocalRegistry): Promise<ResolvedImage> {
  const id = (await execOk('podman', ['image', 'inspect', '--format', '{{.Id}}', image.official], { timeoutMs: 30_000 })).trim();
  const pulledText = `official image ${id.slice(0, 12)}, pulled in ${(pulled.ms / 1000).toFixed(1)} s`;
  const emptied = image.emptyDirOver ? await withoutContent(image.official, image.emptyDirOver, id) : undefined;
  if (!emptied) {
    return { image, source: 'official', localRef: image.official, detail: `${pulledText}; not served by ${REGISTRY}, so kube play pulls it from its registry too` };
  }
  await registry.serve(emptied.ref, image.official);
  return {
    image,
    source: 'official',
    localRef: emptied.ref,
    detail: `${pulledText}, served from ${REGISTRY} with ${image.emptyDirOver} emptied (it had ${emptied.removed.join(', ')}), `
      + 'because podman, unlike a kubelet, would copy them into the emptyDir mounted there',
  };
}

/**
 * The official image with one directory emptied, committed as a local image;
 * undefined when the directory is empty or missing already. The container is
 * created, never started: nothing runs in the image.
 */
async function withoutContent(official: string, dir: string, id: string): Promise<{ ref: string; removed: string[] } | undefined> {
  const ref = `localhost/cdk8s-e2e-official/${official.replace(/^.*\//, '').replace(/:.*$/, '')}:${id.slice(0, 12)}`;
  const container = (await execOk('podman', ['create', '--pull=never', official], { timeoutMs: 60_000 })).trim();
  try {
    const root = (await execOk('podman', ['mount', container], { timeoutMs: 30_000 })).trim();
    const inImage = path.join(root, dir);
    const entries = fs.existsSync(inImage) ? fs.readdirSync(inImage) : [];
    const removed = entries.map(e => {
      const target = path.join(inImage, e);
      const link = fs.lstatSync(target).isSymbolicLink() ? ` -> ${fs.readlinkSync(target)}` : '';
      fs.rmSync(target, { recursive: true, force: true });
      return `${path.join(dir, e)}${link}`;
    });
    await execOk('podman', ['umount', container], { timeoutMs: 30_000 });
    if (removed.length === 0) return undefined;
    // One derived image per official one: the previous commit of this one, and those of older official versions, go.
    const repo = ref.replace(/:[^:]*$/, '');
    const older = (await execOk('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}', repo], { timeoutMs: 30_000 })).split('\n').filter(r => r.trim());
    if (older.length) await exec('podman', ['rmi', '--force', ...older], { timeoutMs: 60_000 });
    await execOk('podman', ['commit', '--quiet', container, ref], { timeoutMs: 120_000 });
    return { ref, removed };
  } finally {
    await exec('podman', ['rm', '--force', container], { timeoutMs: 60_000 });
  }
}

interface PullResult {
  readonly ok: boolean;
  readonly ms: number;
  /** Why it failed, from podman's last words. */
  readonly why: string;
}

/**
 * `podman pull`, given up when no layer copy started within the connect
 * timeout (an unreachable registry fails quickly, one that does not answer
 * takes the timeout, never podman's own retries), and allowed long once it copies.
 */
function pull(ref: string): Promise<PullResult> {
  const started = Date.now();
  return new Promise(resolve => {
    const child = spawn('podman', ['pull', ref], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let copying = false;
    let timedOut = false;
    let timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, PULL_CONNECT_TIMEOUT_MS);
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
      if (!copying && /Getting image source signatures|Copying (blob|config)/.test(stderr)) {
        copying = true;
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, PULL_COPY_TIMEOUT_MS);
      }
    });
    child.on('error', e => { stderr += String(e); });
    child.on('close', code => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      const seconds = `${(ms / 1000).toFixed(1)} s`;
      // podman's message names the source, each mirror's failure, then the registry's: the last says why.
      const last = lastLines(stderr.replace(/^Trying to pull .*$/gm, ''), 1).replace(/^Error: /, '')
        .replace(/^initializing source \S+: /, '').replace(/\(Mirrors also failed: \[.*\]\): /, '').replace(/^.*dial tcp: /, '') || `exit ${code}`;
      resolve({
        ok: code === 0 && !timedOut,
        ms,
        why: timedOut
          ? `no layer was copied within ${(copying ? PULL_COPY_TIMEOUT_MS : PULL_CONNECT_TIMEOUT_MS) / 1000} s`
          : `pull failed after ${seconds}: ${last}`,
      });
    });
  });
}

/** Builds (or finds cached) the stand-ins; returns their recipe key. */
async function buildStandins(): Promise<string> {
  const build = await exec('bash', [path.join(REPO_ROOT, 'e2e', 'build-standins.sh')], { timeoutMs: 1_200_000, inheritStderr: true });
  if (build.code !== 0) throw new EnvironmentError(`building the stand-in images failed (exit ${build.code}${build.timedOut ? ', timed out' : ''}); see the output above`);
  return build.stdout.trim().split('\n').pop() ?? '';
}
