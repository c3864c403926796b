import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { CACHE_DIR, IMAGES, mirrorRepository, REGISTRY, repositoryOf, tagOf } from './config';
import { EnvironmentError } from './errors';
import { execOk, sleep } from './exec';

/**
 * The loopback registry the stand-ins are pulled from, since the manifests say
 * `imagePullPolicy: Always`. The run's registries.conf (e2e/podman-config.ts)
 * makes it the first mirror of each official repository, so what it serves
 * under an official name is what podman plays, and what it does not serve
 * podman pulls from the official registry.
 * Its storage lives in the cache, so pushing again on a warm run only re-checks blobs.
 */
export class LocalRegistry {
  private process: ChildProcess | undefined;

  /** Starts Debian's docker-registry on loopback, or reuses one already answering there. */
  public async start(): Promise<void> {
    this.pruneForeignRepositories();
    if (await answers()) {
      log(`reusing the registry already answering on ${REGISTRY}`);
      return;
    }
    const [host, port] = REGISTRY.split(':');
    if (!/^127\.\d+\.\d+\.\d+$/.test(host)) {
      throw new EnvironmentError(`CDK8S_E2E_REGISTRY must be a loopback address, got "${REGISTRY}"`);
    }
    const dir = path.join(CACHE_DIR, 'registry');
    fs.mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'config.yml');
    fs.writeFileSync(config, [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${JSON.stringify(path.join(dir, 'data'))} } }`,
      `http: { addr: "${host}:${port}" }`,
      '',
    ].join('\n'));
    const logFile = fs.openSync(path.join(dir, 'registry.log'), 'w');
    this.process = spawn('docker-registry', ['serve', config], { stdio: ['ignore', logFile, logFile] });
    this.process.on('error', () => undefined);
    for (let i = 0; i < 50; i++) {
      if (await answers()) return;
      if (this.process.exitCode !== null) break;
      await sleep(200);
    }
    this.stop();
    throw new EnvironmentError(`docker-registry did not start on ${REGISTRY}; see ${path.join(dir, 'registry.log')} `
      + '(is scripts/setup-podman.sh installed, is the port taken?)');
  }

  /** Serves a local image under an official name, so that the mirror hands it to podman instead of the official one. */
  public async serve(localRef: string, official: string): Promise<void> {
    const target = `${mirrorRepository(official)}:${tagOf(official)}`;
    try {
      await execOk('podman', ['push', '--quiet', '--tls-verify=false', localRef, target], { timeoutMs: 300_000 });
    } catch (e) {
      throw new EnvironmentError(`pushing ${localRef} to ${target} failed: ${(e as Error).message}`);
    }
  }

  /**
   * Stops serving anything under an official name, so that podman's pull of
   * it falls through the mirror to the official registry. The registry reads
   * tags from its storage on every request, so removing the repository there
   * is enough, also while it runs; checked over HTTP.
   */
  public async unserve(official: string): Promise<void> {
    fs.rmSync(repositoryDir(official), { recursive: true, force: true });
    fs.rmSync(stashDir(official), { recursive: true, force: true });
    await this.checkHidden(official);
  }

  /**
   * Like `unserve`, but the repository is only moved aside, so that `restore`
   * can put it back: what the e2e does while it tries the official pull, so
   * that a stand-in need not be uploaded again on every run that keeps it.
   */
  public async hide(official: string): Promise<void> {
    // A repository already moved aside by an interrupted run is kept: it is the newer of the two.
    if (fs.existsSync(repositoryDir(official))) {
      fs.rmSync(stashDir(official), { recursive: true, force: true });
      fs.mkdirSync(path.dirname(stashDir(official)), { recursive: true });
      fs.renameSync(repositoryDir(official), stashDir(official));
    }
    await this.checkHidden(official);
  }

  /** Puts back what `hide` moved aside (a later `serve` then only re-checks its blobs). */
  public restore(official: string): void {
    if (!fs.existsSync(stashDir(official))) return;
    fs.rmSync(repositoryDir(official), { recursive: true, force: true });
    fs.mkdirSync(path.dirname(repositoryDir(official)), { recursive: true });
    fs.renameSync(stashDir(official), repositoryDir(official));
  }

  private async checkHidden(official: string): Promise<void> {
    if (await this.serves(official)) {
      throw new EnvironmentError(`the registry on ${REGISTRY} still serves ${official} after it was removed from ${repositoryDir(official)}: `
        + 'is another registry, with other storage, answering there?');
    }
  }

  /** Whether the registry answers the official name's manifest. */
  public serves(official: string): Promise<boolean> {
    const url = `http://${REGISTRY}/v2/${repositoryOf(official)}/manifests/${tagOf(official)}`;
    return new Promise(resolve => {
      const req = http.request(url, {
        method: 'HEAD',
        timeout: 5000,
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
      }, res => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  }

  /** Stops the registry if this run started it; synchronous so signal handlers can call it. */
  public stop(): void {
    if (this.process && this.process.exitCode === null) this.process.kill('SIGTERM');
    this.process = undefined;
  }

  /**
   * Repositories of older layouts (before they were kept under their origin
   * registry's name) are never served again: keep the disk bounded.
   */
  private pruneForeignRepositories(): void {
    const origins = new Set(IMAGES.map(i => i.official.split('/')[0]));
    const dir = repositoriesDir();
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir)) {
      if (!origins.has(entry)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
  }
}

function repositoriesDir(): string {
  return path.join(CACHE_DIR, 'registry', 'data', 'docker', 'registry', 'v2', 'repositories');
}

function repositoryDir(official: string): string {
  return path.join(repositoriesDir(), repositoryOf(official));
}

/** Outside the registry's storage: where `hide` keeps a repository. */
function stashDir(official: string): string {
  return path.join(CACHE_DIR, 'registry', 'hidden', repositoryOf(official));
}

function answers(): Promise<boolean> {
  return new Promise(resolve => {
    const req = http.get(`http://${REGISTRY}/v2/`, { timeout: 1000 }, res => {
      res.resume();
      resolve(res.headers['docker-distribution-api-version'] !== undefined);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function log(message: string): void {
  console.log(`  registry: ${message}`);
}
