import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exec, lastLines, sleep } from '../e2e/exec';
import { loadManifest } from '../e2e/manifest';
import { fieldValues, writePlayedCopy } from '../e2e/played-copy';
import { containerLogs, ContainerState, inspectContainer, playedContainerName, podExists, podIp, readFileIn, volumeExists } from '../e2e/podman';
import { waitRunning } from '../e2e/run-case';
import { ManifestFile, manifestFile } from '../e2e/synth';
import { PodTeardown } from '../e2e/teardown';
import { waitForHttp } from '../e2e/traffic';
import { ContainerCgroup } from './cgroup';
import { printedRequest, requestNeedle, steadyLoad } from './load';
import { BenchShipper } from './shippers';
import { quantile } from './stats';

/** What one shipper did under the load; the JSON row. */
export interface ShipperResult {
  readonly name: string;
  readonly manifest: string;
  readonly requestsSent: number;
  readonly requestsAnswered: number;
  /** Requests nginx wrote to access.log. */
  readonly linesLogged: number;
  /** Lines for those requests the sidecar printed, duplicates included. */
  readonly linesPrinted: number;
  /** linesPrinted / linesLogged: 1 is exactly once. */
  readonly duplication: number;
  /** Logged requests the sidecar never printed by the end of the drain. */
  readonly linesLost: number;
  readonly delayP50Ms: number;
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
  /**
   * Average over load and drain, from the cgroups' CPU time, of every
   * container of the shipper (the sidecar and what it brings beside it).
   */
  readonly cpuMillicores: number;
  /**
   * Highest memory charge seen (page cache included), and its resident part,
   * of the shipper's containers together: the peak of their sum, sampled
   * every 250 ms.
   */
  readonly memoryPeakBytes: number;
  readonly rssPeakBytes: number;
  /** The same per container, the sidecar first. */
  readonly containers: readonly ContainerUsage[];
  readonly windowSeconds: number;
  /** First-print delays in ms, sorted, for the chart. */
  readonly delaysMs: readonly number[];
}

/** What one container of the shipper used. */
export interface ContainerUsage {
  readonly name: string;
  readonly cpuMillicores: number;
  readonly memoryPeakBytes: number;
  readonly rssPeakBytes: number;
}

/** Plays the shipper's manifest, loads it, measures, and always tears it down. */
export async function measure(s: BenchShipper, runId: string, rate: number, durationS: number,
  onTeardown: (t: PodTeardown | undefined) => void): Promise<ShipperResult> {
  const source = manifestFile({ ...s, name: `bench-${s.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}` });
  const cleanups: Array<() => void> = [];
  try {
    return await measureManifest(s, source, runId, rate, durationS, onTeardown, cleanups);
  } finally {
    cleanups.forEach(cleanup => cleanup());
    source.dispose();
  }
}

async function measureManifest(s: BenchShipper, source: ManifestFile, runId: string, rate: number, durationS: number,
  onTeardown: (t: PodTeardown | undefined) => void, cleanups: Array<() => void>): Promise<ShipperResult> {
  const manifest = loadManifest(source.path);
  if (manifest.unplayable) throw new Error(`${s.name}: ${manifest.unplayable}`);
  // Fluent Bit's pod fields that podman 4.3 cannot fill, as literal values: the e2e's played copy.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-played-')), path.basename(source.path));
  cleanups.push(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  writePlayedCopy(manifest.objects, file, { aliases: [], fieldValues: fieldValues(manifest.pod, undefined), configMaps: [] });
  const teardown = new PodTeardown(file, manifest.podName);
  // kube play makes a volume of each ConfigMap and would reuse one left over, with its old content.
  const configMaps = manifest.objects.filter(o => o.kind === 'ConfigMap').map(o => String(o.metadata.name));
  for (const name of configMaps) teardown.rememberVolume(name, '');
  if (await podExists(manifest.podName) || (await Promise.all(configMaps.map(volumeExists))).some(x => x)) await teardown.run();
  onTeardown(teardown);
  try {
    const play = await exec('podman', ['kube', 'play', file], { timeoutMs: 180_000 });
    if (play.code !== 0) throw new Error(`podman kube play ${source.shown} failed: ${lastLines(play.stderr, 10)}`);
    const web = playedContainerName(manifest.podName, s.webContainer);
    const sidecar = playedContainerName(manifest.podName, s.sidecarContainer);
    await waitRunning(web, 30_000);
    // The shipper's containers: the sidecar, then the rest of the pod but the web server.
    const names = [s.sidecarContainer, ...(manifest.pod.spec?.containers ?? []).map((c: any) => String(c.name))]
      .filter((n, i, all) => n !== s.webContainer && all.indexOf(n) === i);
    const states: ContainerState[] = [];
    for (const name of names) states.push(await waitRunning(playedContainerName(manifest.podName, name), 30_000));
    for (const m of states.flatMap(state => state.mounts)) if (m.type === 'volume') teardown.rememberVolume(m.name, m.source);
    const base = `http://${await podIp(manifest.podName)}:${s.webPort}`;
    if (!await waitForHttp(base, 30_000)) throw new Error(`${base}/ never answered 200`);

    const cgroups = states.map(state => new ContainerCgroup(state.cgroupPath));
    const peaks = names.map(() => ({ memory: 0, rss: 0 }));
    let memoryPeak = 0;
    let rssPeak = 0;
    const sample = () => {
      const now = cgroups.map(cgroup => cgroup.memory());
      now.forEach((m, i) => {
        peaks[i].memory = Math.max(peaks[i].memory, m.usage);
        peaks[i].rss = Math.max(peaks[i].rss, m.rss);
      });
      memoryPeak = Math.max(memoryPeak, now.reduce((sum, m) => sum + m.usage, 0));
      rssPeak = Math.max(rssPeak, now.reduce((sum, m) => sum + m.rss, 0));
    };
    const sampler = setInterval(sample, 250);
    const cpuStart = cgroups.map(cgroup => cgroup.cpuSeconds());
    const windowStart = Date.now();
    console.log(`  ${s.name}: ${rate} req/s for ${durationS} s against ${base}, then ${s.drainSeconds} s drain; measuring ${names.join(', ')}`);
    const sent = await steadyLoad(base, runId, rate, durationS);
    await sleep(s.drainSeconds * 1000);
    sample();
    clearInterval(sampler);
    const cpu = cgroups.map((cgroup, i) => cgroup.cpuSeconds() - cpuStart[i]);
    const windowSeconds = (Date.now() - windowStart) / 1000;

    for (const [i, name] of names.entries()) {
      const after = await inspectContainer(playedContainerName(manifest.podName, name));
      if (!after?.running || after.restartCount > 0 || after.startedAt !== states[i].startedAt) {
        throw new Error(`${name} did not stay up under load (${after?.status}, restarts ${after?.restartCount})`);
      }
    }

    const needle = requestNeedle(runId);
    const logged = new Set<number>();
    for (const line of (await readFileIn(web, `${s.webLogDirectory}/access.log`) ?? '').split('\n')) {
      const m = needle.exec(line);
      if (m) logged.add(Number(m[1]));
    }
    const requestOf = printedRequest(runId);
    const firstPrinted = new Map<number, number>();
    let linesPrinted = 0;
    for (const line of await containerLogs(sidecar)) {
      const seq = requestOf(line.text);
      if (seq === undefined) continue;
      linesPrinted++;
      if (!firstPrinted.has(seq)) firstPrinted.set(seq, line.timeMs);
    }
    const millicores = (seconds: number) => (seconds / windowSeconds) * 1000;
    const delaysMs = [...firstPrinted].map(([seq, t]) => t - sent[seq].sentAtMs).sort((a, b) => a - b);
    return {
      name: s.name,
      manifest: s.manifest ?? 'synthesized from the constructs (bench/shippers.ts)',
      requestsSent: sent.length,
      requestsAnswered: sent.filter(r => r.status === 200).length,
      linesLogged: logged.size,
      linesPrinted,
      duplication: logged.size ? linesPrinted / logged.size : NaN,
      linesLost: [...logged].filter(seq => !firstPrinted.has(seq)).length,
      delayP50Ms: quantile(delaysMs, 0.5),
      delayP99Ms: quantile(delaysMs, 0.99),
      delayMaxMs: delaysMs.length ? delaysMs[delaysMs.length - 1] : NaN,
      cpuMillicores: millicores(cpu.reduce((sum, x) => sum + x, 0)),
      memoryPeakBytes: memoryPeak,
      rssPeakBytes: rssPeak,
      containers: names.map((name, i) => ({ name, cpuMillicores: millicores(cpu[i]), memoryPeakBytes: peaks[i].memory, rssPeakBytes: peaks[i].rss })),
      windowSeconds,
      delaysMs,
    };
  } finally {
    const left = await teardown.run();
    onTeardown(undefined);
    if (left.length) console.log(`  teardown left ${left.join(', ')}`);
  }
}
