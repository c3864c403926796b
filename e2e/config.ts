import * as path from 'path';

/** The repository root, so the e2e can be started from anywhere. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/**
 * The loopback registry that serves the stand-in images. The run's own
 * registries.conf (e2e/podman-config.ts) makes it a mirror of each official
 * image's repository (IMAGES below).
 */
export const REGISTRY = process.env.CDK8S_E2E_REGISTRY ?? '127.0.0.1:5123';

/** Outside the repository, so a fresh clone reuses what an earlier run built. */
export const CACHE_DIR = process.env.CDK8S_E2E_CACHE ?? '/var/cache/cdk8s-logging-sidecar-e2e';

/** An image the manifests (or the e2e's own receivers) name, and its stand-in. */
export interface E2eImage {
  /** The reference as podman resolves the manifests' name: registry, repository and tag. */
  readonly official: string;
  /** The stand-in e2e/build-standins.sh builds for it. */
  readonly standin: string;
  /**
   * A directory the manifests mount an emptyDir over, whose content in the
   * official image must not reach that emptyDir (see e2e/images.ts).
   */
  readonly emptyDirOver?: string;
}

export const IMAGES: readonly E2eImage[] = [
  // The official nginx images link access.log and error.log to /dev/stdout and /dev/stderr.
  { official: 'docker.io/library/nginx:latest', standin: 'nginx', emptyDirOver: '/var/log/nginx' },
  { official: 'docker.io/nginxinc/nginx-unprivileged:1.27.4', standin: 'nginx-unprivileged', emptyDirOver: '/var/log/nginx' },
  { official: 'docker.io/library/ubuntu:latest', standin: 'ubuntu' },
  { official: 'cr.fluentbit.io/fluent/fluent-bit:3.2.10', standin: 'fluent-bit' },
];

/**
 * Where the e2e's images come from (`--images`):
 * - `auto`: the official image where it can be pulled, else the stand-in;
 * - `standin`: the stand-ins only, nothing is pulled from the internet;
 * - `official`: the official images only; one that cannot be pulled is an environment failure.
 */
export type ImageMode = 'auto' | 'standin' | 'official';
export const IMAGE_MODES: readonly ImageMode[] = ['auto', 'standin', 'official'];

/** The stand-in as build-standins.sh imports it. */
export function standinRef(name: string, key: string): string {
  return `localhost/cdk8s-e2e-standin/${name}:${key}`;
}

/** An official reference without its tag: `docker.io/library/nginx`. */
export function repositoryOf(official: string): string {
  return official.replace(/:[^/:]+$/, '');
}

/** The tag of an official reference. */
export function tagOf(official: string): string {
  return official.slice(repositoryOf(official).length + 1);
}

/**
 * Where the local registry serves an image: its repository path includes the
 * origin registry (`127.0.0.1:5123/docker.io/library/nginx`), so images of
 * different registries cannot collide. e2e/podman-config.ts lists each of these
 * as the mirror of its official repository.
 */
export function mirrorRepository(official: string): string {
  return `${REGISTRY}/${repositoryOf(official)}`;
}
