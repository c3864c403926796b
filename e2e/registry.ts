import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { CACHE_DIR, REGISTRY, STANDIN_IMAGES, standinRef } from './config';
import { EnvironmentError } from './errors';
import { execOk, sleep } from './exec';

/**
 * The loopback registry the stand-ins are pulled from, since the manifests say
 * `imagePullPolicy: Always`. Its storage lives in the cache, so pushing again
 * on a warm run only re-checks blobs.
 */
export class LocalRegistry {
  private process: ChildProcess | undefined;

  /** Starts Debian's docker-registry on loopback, or reuses one already answering there. */
  public async start(): Promise<void> {
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

  /** Pushes the stand-ins under the names the manifests use. */
  public async push(key: string): Promise<void> {
    for (const image of STANDIN_IMAGES) {
      const target = `${REGISTRY}/${image.servedAs}`;
      try {
        await execOk('podman', ['push', '--quiet', '--tls-verify=false', standinRef(image.standin, key), target], { timeoutMs: 300_000 });
      } catch (e) {
        throw new EnvironmentError(`pushing the ${image.standin} stand-in to ${target} failed: ${(e as Error).message}`);
      }
    }
  }

  /** Stops the registry if this run started it; synchronous so signal handlers can call it. */
  public stop(): void {
    if (this.process && this.process.exitCode === null) this.process.kill('SIGTERM');
    this.process = undefined;
  }
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
