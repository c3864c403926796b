import * as path from 'path';

/** The repository root, so the e2e can be started from anywhere. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/**
 * The loopback registry that serves the stand-in images. scripts/setup-podman.sh
 * mirrors docker.io/library/{nginx,ubuntu} and docker.io/nginxinc/nginx-unprivileged
 * to this address; both read
 * CDK8S_E2E_REGISTRY so they cannot disagree.
 */
export const REGISTRY = process.env.CDK8S_E2E_REGISTRY ?? '127.0.0.1:5123';

/** Outside the repository, so a fresh clone reuses what an earlier run built. */
export const CACHE_DIR = process.env.CDK8S_E2E_CACHE ?? '/var/cache/cdk8s-logging-sidecar-e2e';

/** The images the manifests name, and the stand-in each is served from. */
export const STANDIN_IMAGES: readonly { readonly standin: string; readonly servedAs: string }[] = [
  { standin: 'nginx', servedAs: 'library/nginx:latest' },
  { standin: 'nginx-unprivileged', servedAs: 'nginxinc/nginx-unprivileged:1.27.4' },
  { standin: 'ubuntu', servedAs: 'library/ubuntu:latest' },
];

export function standinRef(name: string, key: string): string {
  return `localhost/cdk8s-e2e-standin/${name}:${key}`;
}
