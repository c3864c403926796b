import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { E2eCase, ReceiverExpectation } from './cases';
import { REPO_ROOT } from './config';
import { CheckFailure, Interrupted } from './errors';
import { exec, lastLines, sleep } from './exec';
import { checkShipped, shippingDeadlineMs, sidecarChannel, summarize } from './expectations';
import { addedRecordFields, checkFluentBitState, fluentBitConfigOf, OUTPUT_PLUGINS, outputTargets } from './fluent-bit';
import { probeHonoured } from './honoured';
import { findContainer, loadManifest, memoryBytes, PlayableManifest, unfilledFieldRefs } from './manifest';
import { checkCaFiles, checkEnvironment, envSources } from './pod-inputs';
import { fieldValues, FieldValues, playedEnvironment, writePlayedCopy } from './played-copy';
import { TestCa } from './pki';
import {
  containerLogs, ContainerState, freeKubeAddress, inspectContainer, playedContainerName, podExists, podIp, readFileIn, secretExists, volumeExists,
} from './podman';
import { checkFrontLog, receiverChannel } from './receiver-records';
import { checkRefusals, describeReceiver, makeReceiverSecrets, Receiver, receiverFor, ReceiverSecrets } from './receivers';
import { createSecret, ObjectValues, PodmanSecret, provideObjects, ProvidedObjects, SECRET_LABEL, secretOwner, undefinedReferences } from './secrets';
import { checkStateKeeper } from './state-keeper';
import { checkRotated, checkRotatedExactlyOnce, checkRotatorSilent, checkVolumeBounded, RotationReport, writeRotations } from './rotation';
import { ManifestFile, manifestFile } from './synth';
import { PodTeardown } from './teardown';
import { ExpectedLine, get, sendProbeRequests, waitForHttp } from './traffic';

export type CaseOutcome = 'passed' | 'failed' | 'skipped';

/** The teardowns of the pods being played (the case's, its receivers'), in teardown order, for the signal handler. */
export const activeTeardowns: PodTeardown[] = [];
/** The files of the case being played, removed by the signal handler after the teardown when temporary. */
export const activeManifests: ManifestFile[] = [];

let interrupted = false;

/** Called by the signal handler: checks still running then fail because of the teardown, not the manifest. */
export function markInterrupted(): void {
  interrupted = true;
}

/**
 * Plays one manifest and holds it to its case. Checks that make later ones
 * meaningless (play, running, HTTP) stop the case; the others all run, so one
 * broken field shows every symptom it causes. Teardown always runs.
 */
export async function runCase(c: E2eCase, runId: string, manifestOverride?: string): Promise<CaseOutcome> {
  const checks = new Checks();
  let source: ManifestFile;
  try {
    source = manifestOverride
      ? { path: manifestOverride, shown: manifestOverride, dispose: () => undefined }
      : manifestFile(c);
  } catch (e) {
    console.log(`\n=== case ${c.name}`);
    checks.fail('synthesize the manifest', (e as Error).stack ?? String(e));
    return 'failed';
  }
  activeManifests.push(source);
  try {
    return await playCase(c, runId, source, checks);
  } finally {
    activeManifests.length = 0;
    source.dispose();
  }
}

async function playCase(c: E2eCase, runId: string, source: ManifestFile, checks: Checks): Promise<CaseOutcome> {
  const file = source.path;
  const shown = file.startsWith(`${REPO_ROOT}${path.sep}`) ? path.relative(REPO_ROOT, file) : source.shown;
  console.log(`\n=== case ${c.name}: ${shown}`);
  let manifest: PlayableManifest;
  try {
    manifest = loadManifest(file);
  } catch (e) {
    checks.fail('manifest', (e as Error).message);
    return 'failed';
  }
  if (c.skip) {
    // Still a check: the manifest must be the one the case describes, so that the skip is about this manifest.
    await checks.run('manifest matches the case', async () => {
      findContainer(manifest, c.webContainer);
      findContainer(manifest, c.sidecarContainer);
    });
    if (checks.failures) return 'failed';
    console.log(`  SKIP ${c.skip}`);
    return 'skipped';
  }
  if (manifest.unplayable) {
    console.log(`  SKIP ${manifest.unplayable}`);
    return 'skipped';
  }
  for (const note of manifest.notHonoured) console.log(`  NOTE ${note}`);

  // Receivers and the copy of the manifest that reaches them live in a directory of their own.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-e2e-${c.name}-play-`));
  activeManifests.push({ path: scratch, shown: scratch, dispose: () => fs.rmSync(scratch, { recursive: true, force: true }) });
  const teardowns: PodTeardown[] = [];
  try {
    await checks.run('manifest matches the case', async () => {
      findContainer(manifest, c.webContainer);
      const sidecar = findContainer(manifest, c.sidecarContainer);
      if (c.stateKeeper) findContainer(manifest, c.stateKeeper.container);
      if (c.rotation) {
        // The container that rotates says the size the case expects.
        const name = c.rotation.rotator ?? c.sidecarContainer;
        const argv = argvOf(findContainer(manifest, name));
        const bytes = argv.includes('--rotate-bytes') ? argv[argv.indexOf('--rotate-bytes') + 1] : undefined;
        if (bytes !== String(c.rotation.rotateAtBytes)) {
          throw new CheckFailure(`the case expects ${name} to rotate at ${c.rotation.rotateAtBytes} bytes, but its command `
            + `${bytes === undefined ? 'has no --rotate-bytes' : `says --rotate-bytes ${bytes}`}`);
        }
      }
      const fb = fluentBitConfigOf(manifest, sidecar);
      for (const r of c.receivers ?? []) {
        const plugin = OUTPUT_PLUGINS[r.protocol];
        const sent = fb ? outputTargets(fb, plugin) : [];
        if (!sent.includes(`${r.host}:${r.port}`)) {
          throw new CheckFailure(`the case expects the shipper to send to ${r.protocol} at ${r.host}:${r.port}, but ${c.sidecarContainer}'s `
            + `configuration ${fb ? `sends ${plugin} to ${sent.join(', ') || 'nowhere'}` : 'is not a Fluent Bit YAML file from a ConfigMap'}`);
        }
      }
    }, { fatal: true });

    const stage = await stageCase(c, manifest, runId, scratch, checks, teardowns);
    const teardown = await freshTeardown(stage.playPath, manifest.podName, stage.objects, stage.secrets.map(x => x.name));
    teardowns.unshift(teardown);
    if (stage.secrets.length) {
      await checks.run(`podman ${stage.secrets.length > 1 ? 'secrets' : 'secret'} ${stage.secrets.map(x => x.name).join(', ')} created for the play (removed at teardown)`, async () => {
        for (const secret of stage.secrets) await createSecret(secret, runId, scratch);
      }, { fatal: true });
    }
    await play(c, manifest, stage, runId, checks, teardown);
  } catch (e) {
    if (!(e instanceof FatalCheck)) throw e;
  } finally {
    // The pods are independent: removed side by side.
    const lefts = await Promise.all(teardowns.map(t => t.run()));
    for (const [i, left] of lefts.entries()) {
      if (left.length) checks.fail('teardown', `still there after podman kube down: ${left.join(', ')}`);
      else {
        const secrets = teardowns[i].secretNames;
        checks.pass(`teardown removed pod ${teardowns[i].podName}, its containers${secrets.length ? `, its volumes and podman ${secrets.length > 1 ? 'secrets' : 'secret'} ${secrets.join(', ')}` : ' and its volumes'}`);
      }
    }
    activeTeardowns.length = 0;
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return checks.failures === 0 ? 'passed' : 'failed';
}

/** A receiver the case's pod sends to, as played. */
interface PlayedReceiver {
  readonly r: ReceiverExpectation;
  readonly receiver: Receiver;
}

/** What the case's pod is played with, beside its manifest. */
interface Stage {
  /** The file to play: the manifest, or the copy podman needs. */
  readonly playPath: string;
  /** The objects of that file. */
  readonly objects: readonly any[];
  readonly receivers: readonly PlayedReceiver[];
  /** The podman secrets to create before the play. */
  readonly secrets: readonly PodmanSecret[];
  /** What the e2e put in the Secrets and ConfigMaps the pod names. */
  readonly values: ObjectValues;
  /** The literal values of the downward API fields podman cannot fill. */
  readonly fields: FieldValues;
  /** The IP the pod is asked to have (`kube play --ip`), which its status.podIP literal says. */
  readonly podIp?: string;
}

/**
 * Plays a receiver pod for each of the case's receivers, makes what the pod
 * names and the cluster would hold (a CA, credentials) and returns the file
 * to play for the case: the manifest itself, or a copy with what podman needs
 * (hostAliases naming the receivers, as podman has no cluster DNS; literal
 * values for the downward API fields it cannot fill; the ConfigMaps).
 */
async function stageCase(c: E2eCase, manifest: PlayableManifest, runId: string, scratch: string, checks: Checks, teardowns: PodTeardown[]): Promise<Stage> {
  const values: ObjectValues = new Map();
  const made: ReceiverSecrets[] = [];
  const credentials = (c.receivers ?? []).filter(r => r.tlsCa || r.basicAuth || r.token);
  if (credentials.length) {
    await checks.run('the e2e makes the credentials the receivers take, new for the run', async () => {
      const ca = credentials.some(r => r.tlsCa) ? await TestCa.create(path.join(scratch, 'pki'), runId) : undefined;
      for (const r of c.receivers ?? []) made.push(await makeReceiverSecrets(r, ca, values));
      return credentials.map(r => [
        r.tlsCa && `a CA (openssl, EC P-256) and a certificate it signs for ${r.host}`,
        r.basicAuth && `a random password for ${r.basicAuth.username}`,
        r.token && 'a random HEC token',
      ].filter(x => x).join(', ')).join('; ');
    }, { fatal: true });
  }
  const receivers: PlayedReceiver[] = [];
  const aliases: { ip: string; hostnames: string[] }[] = [];
  for (const [i, r] of (c.receivers ?? []).entries()) {
    const receiver = receiverFor(r, i, made[i] ?? {});
    const receiverFile = path.join(scratch, `${receiver.podName}.yaml`);
    fs.writeFileSync(receiverFile, Yaml.stringify(...receiver.objects));
    const teardown = await freshTeardown(receiverFile, receiver.podName, receiver.objects, []);
    teardowns.unshift(teardown);
    receivers.push({ r, receiver });
    let ip = '';
    await checks.run(`${/^[aeiou]/.test(r.protocol) ? 'an' : 'a'} ${r.protocol} receiver for ${r.host}:${r.port} runs in pod ${receiver.podName}`, async () => {
      await playFile(receiverFile);
      for (const name of [receiver.container, ...receiver.front ? [receiver.front] : []]) {
        const running = await waitRunning(name, 30_000);
        for (const m of running.mounts) if (m.type === 'volume') teardown.rememberVolume(m.name, m.source);
      }
      ip = await podIp(receiver.podName);
      const base = `http://${ip}:${receiver.healthPort}`;
      if (!await waitForHttp(base, 30_000, receiver.healthPath)) throw new CheckFailure(`${base}${receiver.healthPath} never answered 200 within 30 s`);
      aliases.push({ ip, hostnames: [r.host] });
      return describeReceiver(r, receiver, ip);
    }, { fatal: true });
    if (r.basicAuth || r.tenant || r.token) {
      await checks.run(`the ${r.protocol} receiver refuses wrong credentials, so that what it takes had the right ones`, async () => checkRefusals(r, receiver, ip));
    }
  }

  let provided: ProvidedObjects = { secrets: [], configMaps: [] };
  const named = undefinedReferences(manifest);
  if (named.length) {
    await checks.run(`the pod's ${named.join(', ')}, which the cluster would hold, are made by the e2e in the form podman 4.3 reads`, async () => {
      provided = provideObjects(manifest, values);
      for (const secret of provided.secrets) {
        // A podman secret of that name that the e2e did not make is someone's: never replaced or removed.
        if (await secretOwner(secret.name) === 'other') {
          throw new CheckFailure(`podman secret ${secret.name} exists and was not made by the e2e (it has no label ${SECRET_LABEL}): `
            + 'remove or rename it to play this manifest here');
        }
      }
      return [
        ...provided.secrets.map(x => `podman secret ${x.name} (${x.keys.join(', ')}): ${x.use === 'env'
          ? 'a JSON object of base64 values, for env secretKeyRef' : '{"data": ...} with the plain values, for a Secret volume'}`),
        ...provided.configMaps.map(m => `ConfigMap ${m.metadata.name} (${Object.keys(m.data).join(', ')}): added to the played copy`),
      ].join('; ');
    }, { fatal: true });
  }

  const unfilled = unfilledFieldRefs(manifest.pod);
  const podIpWanted = unfilled.some(f => f.fieldPath === 'status.podIP') ? await freeKubeAddress() : undefined;
  const fields = fieldValues(manifest.pod, podIpWanted);
  const stage = { receivers, secrets: provided.secrets, values, fields, podIp: podIpWanted };
  if (aliases.length === 0 && unfilled.length === 0 && provided.configMaps.length === 0 && !manifest.fromDeployment) {
    return { ...stage, playPath: manifest.path, objects: manifest.objects };
  }
  const playPath = path.join(scratch, path.basename(manifest.path));
  const copy = writePlayedCopy(manifest.objects, playPath, { aliases, fieldValues: fields, configMaps: provided.configMaps });
  const notes = [...(manifest.fromDeployment ? ['the Deployment as its pod template, a Pod (see the first NOTE)'] : []), ...copy.notes];
  console.log(`  NOTE played a copy of the manifest, changed only where podman needs it:${notes.map(n => `\n         - ${n}`).join('')}`);
  return { ...stage, playPath, objects: copy.objects };
}

/**
 * A teardown for a pod about to be played, registered for the signal handler;
 * a leftover of an earlier run is removed first. kube play makes a named
 * volume of each ConfigMap and of each Secret volume and would reuse one left
 * over, with its old content; a podman secret left over would make the
 * creation fail.
 */
async function freshTeardown(file: string, podName: string, objects: readonly any[], secrets: readonly string[]): Promise<PodTeardown> {
  const teardown = new PodTeardown(file, podName);
  const pod = objects.find(o => o.kind === 'Pod');
  const volumes = [
    ...objects.filter(o => o.kind === 'ConfigMap').map(o => String(o.metadata.name)),
    ...(pod?.spec?.volumes ?? []).filter((v: any) => v.secret).map((v: any) => String(v.secret.secretName)),
  ];
  for (const name of volumes) teardown.rememberVolume(name, '');
  for (const name of secrets) teardown.rememberSecret(name);
  const left = [
    ...(await podExists(podName) ? [`pod ${podName}`] : []),
    ...(await Promise.all(volumes.map(async v => await volumeExists(v) ? [`volume ${v}`] : []))).flat(),
    ...(await Promise.all(secrets.map(async x => await secretExists(x) ? [`podman secret ${x}`] : []))).flat(),
  ];
  if (left.length) {
    console.log(`  note ${left.join(', ')} left over from an earlier run; removing first`);
    await teardown.run();
  }
  activeTeardowns.unshift(teardown);
  return teardown;
}

async function playFile(file: string, options: readonly string[] = []): Promise<void> {
  // A manifest podman cannot honour can make play hang; the timeout turns that into a failure.
  const r = await exec('podman', ['kube', 'play', ...options, file], { timeoutMs: 180_000 });
  if (r.timedOut) throw new CheckFailure('podman kube play hung for 180 s');
  if (r.code !== 0) throw new CheckFailure(`podman kube play exited ${r.code}: ${lastLines(r.stderr, 10)}`);
}

async function play(c: E2eCase, manifest: PlayableManifest, stage: Stage, runId: string, checks: Checks, teardown: PodTeardown): Promise<void> {
  const { receivers } = stage;
  const web = playedContainerName(manifest.podName, c.webContainer);
  const sidecar = playedContainerName(manifest.podName, c.sidecarContainer);
  // Every container of the pod, the web server and the sidecar first: what a shipper adds beside its sidecar (a state keeper) is held to the same checks.
  const specs: any[] = [c.webContainer, c.sidecarContainer, ...(manifest.pod.spec?.containers ?? []).map((x: any) => String(x.name))]
    .filter((name, i, all) => all.indexOf(name) === i).map(name => findContainer(manifest, name));

  await checks.run(`podman kube play${stage.podIp ? ` --ip ${stage.podIp}` : ''}`, async () => playFile(stage.playPath, stage.podIp ? ['--ip', stage.podIp] : []), { fatal: true });

  const first = new Map<string, ContainerState>();
  await checks.run(`every container reaches running (${specs.map(x => x.name).join(', ')})`, async () => {
    for (const spec of specs) first.set(spec.name, await waitRunning(playedContainerName(manifest.podName, spec.name), 30_000));
  }, { fatal: true });

  const webState = first.get(c.webContainer)!;
  const sidecarState = first.get(c.sidecarContainer)!;
  for (const m of [...first.values()].flatMap(state => state.mounts)) {
    if (m.type === 'volume') teardown.rememberVolume(m.name, m.source);
  }

  // What podman applied of the pod's security and isolation fields, read from the processes: ok or NOTE, never a failure of the manifest.
  const played = specs.map(spec => ({ spec, state: first.get(spec.name)! }));
  const honoured = await probeHonoured(manifest, played);
  for (const h of honoured) console.log(h.applied ? `  ok   podman applied: ${h.text}` : `  NOTE ${h.text}`);
  // Rotation signals nginx across containers; without a shared PID namespace that is podman's limit, not the manifest's.
  const pidsShared = !honoured.some(h => h.field === 'shareProcessNamespace' && !h.applied);

  await checks.run(`${c.sidecarContainer} mounts the volume ${c.webContainer} writes its logs to`, async () => {
    const written = webState.mounts.find(m => m.destination === c.webLogDirectory);
    if (!written) throw new CheckFailure(`${c.webContainer} has no volume at ${c.webLogDirectory}, where nginx writes its logs`);
    // The sidecar may mount the volume more than once (the stream shipper's state is a subPath of it).
    const reads = sidecarState.mounts.filter(m => m.source === written.source);
    const read = reads.find(m => m.destination === c.sidecarLogDirectory) ?? reads[0];
    if (!read) {
      throw new CheckFailure(`${c.sidecarContainer} does not mount ${written.name} (what ${c.webContainer} has at ${c.webLogDirectory}); `
        + `its mounts: ${sidecarState.mounts.map(m => `${m.name || m.source} at ${m.destination}`).join(', ') || 'none'}`);
    }
    if (read.destination !== c.sidecarLogDirectory) {
      throw new CheckFailure(`${c.sidecarContainer} mounts ${written.name} at ${read.destination}, but its shipper reads ${c.sidecarLogDirectory}`);
    }
  });

  await checks.run('resources.limits.memory is applied to each container', async () => {
    for (const { spec: { name }, state } of played) {
      const limit = findContainer(manifest, name).resources?.limits?.memory;
      if (limit === undefined) continue;
      if (state.memoryLimitBytes !== memoryBytes(limit)) {
        throw new CheckFailure(`${name} runs with a memory limit of ${state.memoryLimitBytes} bytes, the manifest says ${limit}`);
      }
    }
  });

  const fromOutside = played.filter(({ spec }) => envSources(spec).length);
  if (fromOutside.length) {
    const ip = stage.podIp ? ` and the pod has the IP its POD_IP literal says (${stage.podIp})` : '';
    const sources = [...new Set(fromOutside.flatMap(p => envSources(p.spec)))];
    await checks.run(`the env from ${sources.join(' and ')} reaches ${fromOutside.map(p => p.spec.name).join(', ')}${ip}`, async () => {
      if (stage.podIp && await podIp(manifest.podName) !== stage.podIp) {
        throw new CheckFailure(`the pod has IP ${await podIp(manifest.podName)}, but kube play was asked for ${stage.podIp}`);
      }
      return checkEnvironment(fromOutside.map(p => ({ spec: p.spec, pid: p.state.pid })), manifest.podName, stage.fields, stage.values);
    });
  }
  const sidecarConfig = fluentBitConfigOf(manifest, findContainer(manifest, c.sidecarContainer));
  if (sidecarConfig && receivers.some(({ r }) => r.tlsCa)) {
    await checks.run(`${c.sidecarContainer} verifies each receiver against the CA the e2e put where the manifest reads it`, async () =>
      checkCaFiles(receivers.map(({ r }) => r), sidecarConfig, findContainer(manifest, c.sidecarContainer), sidecarState.pid, stage.values));
  }

  const base = `http://${await podIp(manifest.podName)}:${c.webPort}`;
  let expected: ExpectedLine[] = [];
  await checks.run(`${c.webContainer} answers HTTP on ${base}`, async () => {
    if (!await waitForHttp(base, 30_000)) throw new CheckFailure(`${base}/ never answered 200 within 30 s`);
    expected = await sendProbeRequests(base, runId, 5);
  }, { fatal: true });

  const probes = httpProbes(specs);
  if (probes.length) {
    await checks.run('the HTTP probes a kubelet would send answer 2xx/3xx on the pod IP (podman does not send them)', async () => {
      const ip = new URL(base).hostname;
      const answers: string[] = [];
      for (const probe of probes) {
        const status = await get(`http://${ip}:${probe.port}${probe.path}`, 5000);
        const text = `${probe.container} GET :${probe.port}${probe.path} -> ${status || 'no answer'} (${probe.kinds.join(', ')})`;
        if (status < 200 || status >= 400) throw new CheckFailure(`${text}; a kubelet would count that as a failed probe`);
        answers.push(text);
      }
      return answers.join(', ');
    });
  }

  await checks.run(`what ${c.webContainer} writes, ${c.sidecarContainer} sees (shared emptyDir)`, async () => {
    const needle = expected[0].needle;
    const inWeb = await readFileIn(web, `${c.webLogDirectory}/access.log`);
    if (!inWeb?.includes(needle)) throw new CheckFailure(`${c.webContainer} did not log ${expected[0].what} to ${c.webLogDirectory}/access.log`);
    const inSidecar = await readFileIn(sidecar, `${c.sidecarLogDirectory}/access.log`);
    if (inSidecar === undefined) {
      throw new CheckFailure(`${c.sidecarContainer} cannot read ${c.sidecarLogDirectory}/access.log: the shared volume is not mounted where the sidecar reads`);
    }
    if (!inSidecar.includes(needle)) {
      throw new CheckFailure(`${c.sidecarContainer}'s ${c.sidecarLogDirectory}/access.log lacks ${expected[0].what}, which ${c.webContainer} wrote: not the same volume`);
    }
  });

  const sidecarCommand: string[] = argvOf(findContainer(manifest, c.sidecarContainer));
  // Who rotates: the sidecar itself (the stream shipper), or a companion beside it (Fluent Bit's rotator).
  const rotating = specs.find(spec => spec.name !== c.webContainer && argvOf(spec).includes('--rotate-bytes'));
  if (rotating && !pidsShared) {
    console.log(`  SKIP rotation checks: podman did not share the PID namespace (see the NOTE above), so ${rotating.name} cannot signal nginx here`);
  } else if (rotating) {
    const companion = rotating.name !== c.sidecarContainer;
    const logMount = first.get(rotating.name)!.mounts.find(m => m.source === webState.mounts.find(w => w.destination === c.webLogDirectory)?.source);
    const logDir = logMount?.destination ?? c.sidecarLogDirectory;
    const needs = companion ? `, read the positions of ${c.sidecarContainer}'s descriptors` : '';
    await checks.run(`${rotating.name} can rotate: it sees nginx's master process, may signal it${needs} and may rename files in ${logDir}`, async () => {
      // Run as the rotating container's own user, capabilities and mounts (podman exec inherits them); kill 0 sends nothing.
      // A companion must also see how far the shipper read a rotated copy (/proc/PID/fdinfo), to delete it only then.
      const reader = companion ? [String(namespacePid(sidecarState.pid))] : [];
      const r = await exec('podman', ['exec', playedContainerName(manifest.podName, rotating.name), 'perl', '-e', ROTATION_PROBE, logDir, ...reader], { timeoutMs: 30_000 });
      const out = `${r.stdout}${r.stderr}`.trim();
      if (r.code !== 0 || !/^master \d+$/m.test(out) || !/^signal ok$/m.test(out) || !/^rename ok$/m.test(out) || (companion && !/^fdinfo ok /m.test(out))) {
        throw new CheckFailure(`${rotating.name} could not rotate: ${out.split('\n').join('; ') || `exit ${r.code}`} `
          + `(needs shareProcessNamespace, the same user as nginx${companion ? ` and as ${c.sidecarContainer}` : ''}, and a writable log mount)`);
      }
      return out.split('\n').join(', ');
    });
  }

  const stateDirectory = sidecarCommand[sidecarCommand.indexOf('--state') + 1];
  if (sidecarCommand.includes('--state')) {
    await checks.run(`${c.sidecarContainer} saves its read positions in ${stateDirectory}, for a restart`, async () => {
      // Written by the shipper as its own user, into the state mount; it lists every file it has opened.
      const deadline = Date.now() + 5000;
      let saved: string | undefined;
      while (Date.now() < deadline && !saved?.includes(`${c.sidecarLogDirectory}/access.log`)) {
        saved = await readFileIn(sidecar, `${stateDirectory}/stream-positions`);
        await sleep(200);
      }
      if (!saved?.includes(`${c.sidecarLogDirectory}/access.log`)) {
        throw new CheckFailure(`${stateDirectory}/stream-positions ${saved === undefined ? 'was never written' : `lacks access.log: ${JSON.stringify(saved)}`}; `
          + `last sidecar output:\n${await tail(sidecar)}`);
      }
      return saved.trim().split('\n').map(line => line.split('\t').slice(1, 2).concat(line.split('\t').slice(4)).join(' at ')).join(', ');
    });
  }

  // What the shipper's filters add to every record (the pod's metadata), with the values the pod was played with.
  const sidecarEnv = playedEnvironment(findContainer(manifest, c.sidecarContainer), manifest.podName, stage.fields, stage.values);
  const added = sidecarConfig ? addedRecordFields(sidecarConfig, sidecarEnv) : {};
  const withAdded = Object.keys(added).length ? `, with ${Object.entries(added).map(([k, v]) => `${k} ${v}`).join(', ')}` : '';
  // All channels are watched at once: each waits for the same lines under the same deadline.
  const channels = [
    ...c.printed === 'nothing' ? [] : [{
      name: `${c.sidecarContainer} printed every request${asRecords(c.printed)}${c.printed === 'json-records' ? withAdded : ''}, as its shipper promises (${describe(c)})`,
      channel: sidecarChannel(c, sidecar, added),
    }],
    ...receivers.map(({ r, receiver }) => ({
      name: `the ${r.protocol} receiver got every request over the network${receiver.secrets.server ? ' (TLS)' : ''}${asRecords('json-records')}${withAdded}`
        + `${r.labels ? `, labels ${JSON.stringify(r.labels)}` : ''}${r.index ? `, index ${r.index}` : ''} and each line's own time, as the shipper promises (${describe(c)})`,
      channel: receiverChannel(r, receiver, sidecar, added),
    })),
  ];
  const shipped = channels.map(({ channel }) => checkShipped(c, channel, expected).then(report => ({ report }), error => ({ error })));
  for (const [i, { name, channel }] of channels.entries()) {
    await checks.run(name, async () => {
      const outcome = await shipped[i];
      if ('error' in outcome) throw outcome.error;
      return summarize(outcome.report, channel.verb);
    });
  }
  for (const { r, receiver } of receivers.filter(x => x.receiver.front)) {
    await checks.run(`the nginx in front of the ${r.protocol} receiver passed on every request of the shipper as `
      + `${r.basicAuth ? `user ${r.basicAuth.username}` : 'anyone'}${r.tenant ? `, tenant ${r.tenant}` : ''}`, async () => checkFrontLog(r, receiver));
  }

  if (sidecarConfig) {
    await checks.run(`${c.sidecarContainer} keeps Fluent Bit's tail positions and buffer where ${sidecarConfig.file} says, on a volume`, async () =>
      checkFluentBitState(sidecarConfig, manifest, findContainer(manifest, c.sidecarContainer), sidecar));
  }

  if (c.rotation && !pidsShared) {
    console.log('  SKIP rotation load: podman did not share the PID namespace, so no rotation can happen here');
  } else if (c.rotation) {
    const rotation = c.rotation;
    const volumeDir = webState.mounts.find(m => m.destination === c.webLogDirectory)?.source;
    const rotator = rotation.rotator ?? c.sidecarContainer;
    let report: RotationReport | undefined;
    await checks.run(`nginx answers a steady load of ${(rotation.logBytes / 2 ** 20).toFixed(0)} MiB of access log (long unique paths)`, async () => {
      if (!volumeDir) throw new CheckFailure(`${c.webContainer} has no volume at ${c.webLogDirectory} to watch`);
      // Any process of the pod may hold a deleted copy open: nginx's workers, the shipper.
      const pids = [...[...first.values()].map(state => state.pid), ...childPids(webState.pid)];
      report = await writeRotations(c, rotation, base, runId, volumeDir, channels.map(({ channel }) => channel), pids,
        { played: playedContainerName(manifest.podName, rotator), companion: rotator !== c.sidecarContainer });
    });
    if (report) {
      const r = report;
      const verb = c.printed === 'json-records' ? 'shipped every request exactly once, as a parsed record,' : 'printed every request exactly once';
      await checks.run(`${c.sidecarContainer} ${verb} across the rotations`, async () => checkRotatedExactlyOnce(c, r));
      await checks.run(`${rotator} rotated access.log and nginx reopened it`, async () => checkRotated(c, rotation, r));
      await checks.run(`the shared volume stayed near 2 x ${(rotation.rotateAtBytes / 2 ** 20).toFixed(0)} MiB per log file (du, open deleted files included)`,
        async () => checkVolumeBounded(rotation, r));
      if (rotation.rotator) await checks.run(`${rotation.rotator} printed nothing while it rotated`, async () => checkRotatorSilent(rotator, r));
    }
  }

  await checks.run('no container restarted during one full read interval', async () => {
    const stayUpMs = stayUpSeconds(c) * 1000;
    const startedMs = Date.parse(sidecarState.startedAt);
    const waitMs = startedMs + stayUpMs + 1000 - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    for (const { spec, state: before } of played) {
      const name = playedContainerName(manifest.podName, spec.name);
      const now = await inspectContainer(name);
      if (!now) throw new CheckFailure(`${name} disappeared while the pod was up`);
      if (!now.running || now.restartCount > 0 || now.startedAt !== before.startedAt) {
        throw new CheckFailure(`${name} did not stay up for ${stayUpSeconds(c)} s: status ${now.status}, exit code ${now.exitCode}, `
          + `restarts ${now.restartCount}; last output:\n${await tail(name)}`);
      }
    }
    return `up ${((Date.now() - startedMs) / 1000).toFixed(0)} s, 0 restarts`;
  });

  // Last: it kills and restarts the sidecar on purpose.
  if (c.stateKeeper) {
    const keeper = c.stateKeeper;
    await checks.run(`${keeper.container} moves a damaged position database aside, and ${c.sidecarContainer}, killed, restarts healthy and ships`, async () => {
      const lines = await checkStateKeeper({
        c, keeper, manifest, sidecar, keeperContainer: playedContainerName(manifest.podName, keeper.container),
        base, runId, channels: channels.map(({ channel }) => channel), earlier: expected,
      });
      return lines.join('\n       ');
    });
  }
}

/** The containers' HTTP probes, one per port and path, with the kinds that use it. */
function httpProbes(containers: readonly any[]): { container: string; port: number; path: string; kinds: string[] }[] {
  const probes: { container: string; port: number; path: string; kinds: string[] }[] = [];
  for (const spec of containers) {
    for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const httpGet = spec[kind]?.httpGet;
      if (!httpGet || httpGet.scheme === 'HTTPS') continue;
      // A named port is the container's port of that name.
      const port = typeof httpGet.port === 'number' ? httpGet.port : spec.ports?.find((p: any) => p.name === httpGet.port)?.containerPort ?? Number(httpGet.port);
      const urlPath = httpGet.path ?? '/';
      const same = probes.find(p => p.container === spec.name && p.port === port && p.path === urlPath);
      if (same) same.kinds.push(kind.replace('Probe', ''));
      else probes.push({ container: spec.name, port, path: urlPath, kinds: [kind.replace('Probe', '')] });
    }
  }
  return probes;
}

/**
 * What rotation needs, tried from inside the rotating container; prints one
 * line per finding. With a second argument, the PID of the shipper's process:
 * a rotator beside it must be able to read its descriptors' positions.
 */
const ROTATION_PROBE = String.raw`
my ($dir, $reader) = @ARGV;
opendir(my $proc, '/proc') or die "cannot list /proc: $!\n";
my ($master) = grep { my $c; open($c, '<', "/proc/$_/cmdline") && ((<$c> // '') =~ /^nginx: master process/) } grep { /^\d+$/ } readdir $proc;
if ($master) { print "master $master\n"; print kill(0, $master) ? "signal ok\n" : "signal denied: $!\n" } else { print "no nginx master process visible\n" }
my $probe = "$dir/.e2e-rotation-probe";
if (open(my $f, '>', $probe)) {
  close $f;
  print rename($probe, "$probe.1") ? "rename ok\n" : "rename failed: $!\n";
  unlink $probe, "$probe.1";
} else { print "cannot create a file in $dir: $!\n" }
if ($reader) {
  my ($dh, $info);
  my @fds = opendir($dh, "/proc/$reader/fd") ? (grep { /^\d+$/ } readdir($dh)) : ();
  my $pos = (@fds && open($info, '<', "/proc/$reader/fdinfo/$fds[0]")) ? (join('', <$info>) =~ /^pos:\s+(\d+)/m)[0] : undef;
  print defined $pos ? "fdinfo ok (pid $reader, " . scalar(@fds) . " descriptors)\n" : "cannot read the descriptors of pid $reader: $!\n";
}
`;

/** A container's command and arguments, as one list. */
function argvOf(spec: any): string[] {
  return [...(spec.command ?? []), ...(spec.args ?? [])].map(String);
}

/** A host PID as the processes of its own PID namespace see it (the last NSpid). */
function namespacePid(pid: number): number {
  const line = /^NSpid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(line?.trim().split(/\s+/).pop() ?? pid);
}

/** The PIDs (on the host) whose parent is `pid`: nginx's workers, which hold the log files open too. */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = /^PPid:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (Number(ppid) === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** The read interval a shipper must survive: the cat loop's interval, or a streaming shipper's whole window. */
function stayUpSeconds(c: E2eCase): number {
  return c.shipper.kind === 'reprint-every-interval' ? c.shipper.intervalSeconds : shippingDeadlineMs(c.shipper) / 1000 + c.shipper.settleSeconds;
}

function asRecords(printed: E2eCase['printed']): string {
  return printed === 'json-records' ? ' as a JSON record parsed by nginx_main / nginx_error' : '';
}

function describe(c: E2eCase): string {
  return c.shipper.kind === 'reprint-every-interval'
    ? `each line at least once within ${c.shipper.intervalSeconds}+${c.shipper.slackSeconds} s, duplicates allowed`
    : `each line exactly once within ${c.shipper.maxDelaySeconds} s`;
}

export async function waitRunning(name: string, timeoutMs: number): Promise<ContainerState> {
  const deadline = Date.now() + timeoutMs;
  let state: ContainerState | undefined;
  while (Date.now() < deadline) {
    state = await inspectContainer(name);
    if (state?.running) return state;
    await sleep(500);
  }
  if (!state) throw new CheckFailure(`${name} was never created`);
  throw new CheckFailure(`${name} is not running after ${timeoutMs / 1000} s: status ${state.status}, exit code ${state.exitCode}; last output:\n${await tail(name)}`);
}

async function tail(container: string): Promise<string> {
  try {
    const lines = (await containerLogs(container)).map(l => l.text).join('\n');
    return (lastLines(lines, 5) || '(nothing)').split('\n').map(l => `      | ${l}`).join('\n');
  } catch {
    return '      | (no logs)';
  }
}

/** Thrown to stop a case after a check whose failure makes the rest meaningless. */
class FatalCheck extends Error {}

/** Prints each check as it ends and counts failures. */
class Checks {
  public failures = 0;

  public async run(name: string, fn: () => Promise<string | void>, options: { fatal?: boolean } = {}): Promise<void> {
    try {
      const detail = await fn();
      this.pass(name);
      if (detail) console.log(`       ${detail}`);
    } catch (e) {
      if (e instanceof Interrupted || !(e instanceof Error)) throw e;
      if (interrupted) throw new Interrupted('a signal');
      // Anything else that breaks inside a check (podman erroring, say) fails that check.
      this.fail(name, e instanceof CheckFailure ? e.message : `${e.name}: ${e.message}`);
      if (options.fatal) throw new FatalCheck();
    }
  }

  public pass(name: string): void {
    console.log(`  ok   ${name}`);
  }

  public fail(name: string, message: string): void {
    this.failures++;
    console.log(`  FAIL ${name}\n       ${message.split('\n').join('\n       ')}`);
  }

}
