import { exec, lastLines, sleep } from '../e2e/exec';
import { loadManifest } from '../e2e/manifest';
import { containerLogs, inspectContainer, playedContainerName, podExists, podIp, readFileIn } from '../e2e/podman';
import { waitRunning } from '../e2e/run-case';
import { ManifestFile, manifestFile } from '../e2e/synth';
import { PodTeardown } from '../e2e/teardown';
import { waitForHttp } from '../e2e/traffic';
import { ContainerCgroup } from './cgroup';
import { requestNeedle, steadyLoad } from './load';
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
  /** Average over load and drain, from the cgroup's CPU time. */
  readonly cpuMillicores: number;
  /** Highest cgroup memory charge seen (page cache of the log files included), and its resident part. */
  readonly memoryPeakBytes: number;
  readonly rssPeakBytes: number;
  readonly windowSeconds: number;
  /** First-print delays in ms, sorted, for the chart. */
  readonly delaysMs: readonly number[];
}

/** Plays the shipper's manifest, loads it, measures, and always tears it down. */
export async function measure(s: BenchShipper, runId: string, rate: number, durationS: number,
  onTeardown: (t: PodTeardown | undefined) => void): Promise<ShipperResult> {
  const source = manifestFile({ ...s, name: `bench-${s.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}` });
  try {
    return await measureManifest(s, source, runId, rate, durationS, onTeardown);
  } finally {
    source.dispose();
  }
}

async function measureManifest(s: BenchShipper, source: ManifestFile, runId: string, rate: number, durationS: number,
  onTeardown: (t: PodTeardown | undefined) => void): Promise<ShipperResult> {
  const file = source.path;
  const manifest = loadManifest(file);
  if (manifest.unplayable) throw new Error(`${s.name}: ${manifest.unplayable}`);
  const teardown = new PodTeardown(file, manifest.podName);
  if (await podExists(manifest.podName)) await teardown.run();
  onTeardown(teardown);
  try {
    const play = await exec('podman', ['kube', 'play', file], { timeoutMs: 180_000 });
    if (play.code !== 0) throw new Error(`podman kube play ${source.shown} failed: ${lastLines(play.stderr, 10)}`);
    const web = playedContainerName(manifest.podName, s.webContainer);
    const sidecar = playedContainerName(manifest.podName, s.sidecarContainer);
    await waitRunning(web, 30_000);
    const sidecarState = await waitRunning(sidecar, 30_000);
    for (const m of sidecarState.mounts) if (m.type === 'volume') teardown.rememberVolume(m.name, m.source);
    const base = `http://${await podIp(manifest.podName)}:${s.webPort}`;
    if (!await waitForHttp(base, 30_000)) throw new Error(`${base}/ never answered 200`);

    const cgroup = new ContainerCgroup(sidecarState.cgroupPath);
    let memoryPeak = 0;
    let rssPeak = 0;
    const sample = () => {
      const m = cgroup.memory();
      memoryPeak = Math.max(memoryPeak, m.usage);
      rssPeak = Math.max(rssPeak, m.rss);
    };
    const sampler = setInterval(sample, 250);
    const cpuStart = cgroup.cpuSeconds();
    const windowStart = Date.now();
    console.log(`  ${s.name}: ${rate} req/s for ${durationS} s against ${base}, then ${s.drainSeconds} s drain`);
    const sent = await steadyLoad(base, runId, rate, durationS);
    await sleep(s.drainSeconds * 1000);
    sample();
    clearInterval(sampler);
    const cpu = cgroup.cpuSeconds() - cpuStart;
    const windowSeconds = (Date.now() - windowStart) / 1000;

    const after = await inspectContainer(sidecar);
    if (!after?.running || after.restartCount > 0) throw new Error(`${sidecar} did not stay up under load (${after?.status}, restarts ${after?.restartCount})`);

    const needle = requestNeedle(runId);
    const logged = new Set<number>();
    for (const line of (await readFileIn(web, `${s.webLogDirectory}/access.log`) ?? '').split('\n')) {
      const m = needle.exec(line);
      if (m) logged.add(Number(m[1]));
    }
    const firstPrinted = new Map<number, number>();
    let linesPrinted = 0;
    for (const line of await containerLogs(sidecar)) {
      const m = needle.exec(line.text);
      if (!m) continue;
      linesPrinted++;
      const seq = Number(m[1]);
      if (!firstPrinted.has(seq)) firstPrinted.set(seq, line.timeMs);
    }
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
      cpuMillicores: (cpu / windowSeconds) * 1000,
      memoryPeakBytes: memoryPeak,
      rssPeakBytes: rssPeak,
      windowSeconds,
      delaysMs,
    };
  } finally {
    const left = await teardown.run();
    onTeardown(undefined);
    if (left.length) console.log(`  teardown left ${left.join(', ')}`);
  }
}
