import * as fs from 'fs';
import { exec } from './exec';
import { containersOfPod, podExists, secretExists, volumeExists } from './podman';

/**
 * Removes everything one played manifest made, and then checks that it is
 * gone. Safe to run twice and from a signal handler: a Ctrl-C during play
 * leaves a half-made pod, which `kube down` and the forced removal cover.
 */
export class PodTeardown {
  private readonly volumes = new Map<string, string>();
  private readonly secrets = new Set<string>();

  constructor(public readonly manifestPath: string, public readonly podName: string) {}

  /** Volumes the pod used; checked to be gone, including their directory on disk. */
  public rememberVolume(name: string, source: string): void {
    this.volumes.set(name, source);
  }

  /** A podman secret the e2e created for the pod (never one it did not create). */
  public rememberSecret(name: string): void {
    this.secrets.add(name);
  }

  /** The podman secrets it removes. */
  public get secretNames(): string[] {
    return [...this.secrets];
  }

  /** Returns what is still there afterwards; empty when teardown was complete. */
  public async run(): Promise<string[]> {
    await exec('podman', ['kube', 'down', this.manifestPath], { timeoutMs: 90_000 });
    // What kube down could not match (a half-made pod, a renamed manifest) goes by name.
    if (await podExists(this.podName)) {
      await exec('podman', ['pod', 'rm', '--force', '--time', '0', this.podName], { timeoutMs: 90_000 });
    }
    for (const name of await containersOfPod(this.podName)) {
      await exec('podman', ['rm', '--force', '--time', '0', name], { timeoutMs: 60_000 });
    }
    for (const name of this.volumes.keys()) {
      if (await volumeExists(name)) await exec('podman', ['volume', 'rm', '--force', name], { timeoutMs: 60_000 });
    }
    // After the volumes: kube play made a volume of each Secret volume, from the secret.
    for (const name of this.secrets) {
      if (await secretExists(name)) await exec('podman', ['secret', 'rm', name], { timeoutMs: 60_000 });
    }
    return this.leftovers();
  }

  private async leftovers(): Promise<string[]> {
    const left: string[] = [];
    if (await podExists(this.podName)) left.push(`pod ${this.podName}`);
    for (const name of await containersOfPod(this.podName)) left.push(`container ${name}`);
    for (const [name, source] of this.volumes) {
      if (await volumeExists(name)) left.push(`volume ${name}`);
      if (source && fs.existsSync(source)) left.push(`volume directory ${source}`);
    }
    for (const name of this.secrets) if (await secretExists(name)) left.push(`podman secret ${name}`);
    return left;
  }
}
