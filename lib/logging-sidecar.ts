import { createHash } from 'crypto';
import { ApiObject, JsonPatch, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LogShipper, LogShipperConfig } from './log-shipper';
import { restrictedSecurityContext, ROOT_IMAGE_SECURITY_CONTEXT } from './security-context';
import {
  show,
  validateAbsoluteDirectory,
  validateDnsLabel,
  validateFileNames,
  validateResources,
} from './validation';

/**
 * Properties of a `LoggingSidecar`. Only the workload and the container that
 * writes the logs are required; the rest defaults to the seed's sidecar.
 */
export interface LoggingSidecarProps {
  /** The Pod, Deployment, StatefulSet, DaemonSet, Job or CronJob to add the sidecar to. */
  readonly workload: kplus.AbstractPod;

  /** The workload's container that writes the log files; the shared volume is mounted in it. */
  readonly logWriter: kplus.Container;

  /**
   * How the logs are read and shipped.
   * @default LogShipper.catLoop()
   */
  readonly shipper?: LogShipper;

  /**
   * Name of the sidecar container.
   * @default 'sidecar-container'
   */
  readonly containerName?: string;

  /**
   * CPU and memory of the sidecar. Replaces the shipper's default as a whole.
   * @default - the shipper's: requests 10m CPU / 16Mi and limits 100m / 64Mi for catLoop and stream
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Name of the emptyDir volume shared by the writer and the sidecar.
   * @default 'shared-logs'
   */
  readonly volumeName?: string;

  /**
   * Directory the writer writes its logs to; the shared volume is mounted here in both containers.
   * @default '/var/log/nginx'
   */
  readonly logDirectory?: string;

  /**
   * Log files in `logDirectory` that the sidecar ships, in this order.
   * @default ['access.log', 'error.log']
   */
  readonly logFiles?: string[];

  /**
   * Run the sidecar as a native sidecar: an init container with `restartPolicy: Always`
   * (Kubernetes 1.29 and later, or 1.28 with the SidecarContainers feature gate). It
   * starts before the writer and stops after it, so the last lines are shipped.
   * @default false
   */
  readonly nativeSidecar?: boolean;

  /**
   * Run the sidecar as the non-root `runAsUser` with the Pod Security Standards
   * "restricted" controls, a read-only root filesystem and, unless it rotates
   * logs, the log volume mounted read-only.
   * @default false
   */
  readonly hardened?: boolean;

  /**
   * User (and group) the sidecar runs as when `hardened`. To rotate logs it must
   * be the user nginx runs as, so that it may signal nginx.
   * @default 101 (the nginx user of nginx images)
   */
  readonly runAsUser?: number;

  /**
   * Size limit of the shared emptyDir (`sizeLimit`); the kubelet evicts the pod
   * beyond it. Needs a shipper that rotates logs, to stay under it.
   * @default - no limit
   */
  readonly volumeSizeLimit?: Size;

  /**
   * Rotate each log file once it is this large and fully shipped: the shipper
   * renames it, signals nginx to reopen its logs (the workload's process
   * namespace is shared for that) and deletes it once read to the end.
   * @default - `volumeSizeLimit` / (4 x the number of log files) when that is set, else no rotation
   */
  readonly rotateLogsAt?: Size;
}

/**
 * A log sidecar added to any cdk8s-plus workload: an emptyDir shared by the
 * container that writes logs and a sidecar container that ships them.
 */
export class LoggingSidecar extends Construct {
  /**
   * Pod template annotation holding the SHA-256 of the shipper's ConfigMap, on a Deployment,
   * StatefulSet or DaemonSet: a changed configuration changes the template and so rolls the pods.
   */
  public static readonly CONFIG_HASH_ANNOTATION = 'logging-sidecar.cdk8s.io/config-hash';

  /**
   * The sidecar container (an init container when `nativeSidecar`). The shipper's ports are
   * declared in the manifest but are not among its `ports`: see `shipperConfig.ports`.
   */
  public readonly container: kplus.Container;
  /** The emptyDir volume the writer and the sidecar share. */
  public readonly logVolume: kplus.Volume;
  /** The shipper running in the sidecar. */
  public readonly shipper: LogShipper;
  /** The directory the shared volume is mounted at. */
  public readonly logDirectory: string;
  /** The size at which the shipper rotates a log file; undefined when it does not rotate. */
  public readonly rotateLogsAt?: Size;
  /** What the shipper put into the pod (its container's settings, its ConfigMap), as its `bind()` returned it. */
  public readonly shipperConfig: LogShipperConfig;
  /** The emptyDir the shipper keeps its state in, when it has one of its own (Fluent Bit's buffer and positions). */
  public readonly stateVolume?: kplus.Volume;
  /** Containers the shipper needs beside the sidecar container, such as Fluent Bit's state keeper. */
  public readonly companionContainers: kplus.Container[];

  private readonly _logFiles: string[];

  constructor(scope: Construct, id: string, props: LoggingSidecarProps) {
    super(scope, id);

    const workload = props.workload;
    this.shipper = props.shipper ?? LogShipper.catLoop();
    const containerName = props.containerName ?? 'sidecar-container';
    const volumeName = props.volumeName ?? 'shared-logs';
    this.logDirectory = props.logDirectory ?? '/var/log/nginx';
    this._logFiles = [...(props.logFiles ?? ['access.log', 'error.log'])];
    const nativeSidecar = props.nativeSidecar ?? false;
    const hardened = props.hardened ?? false;

    validateDnsLabel('containerName', containerName);
    validateDnsLabel('volumeName', volumeName);
    validateAbsoluteDirectory('logDirectory', this.logDirectory);
    validateFileNames('logFiles', this._logFiles);
    if (props.resources) {
      validateResources('resources', props.resources);
    }
    if (!workload.containers.includes(props.logWriter)) {
      throw new Error(`logWriter must be a container of the workload, got container ${show(props.logWriter.name)}`);
    }
    const containers = [...workload.containers, ...workload.initContainers];
    const taken = containers.map(c => c.name);
    if (taken.includes(containerName)) {
      throw new Error(`containerName must differ from the workload's container names ${show(taken)}, got ${show(containerName)}`);
    }
    // Volumes mounted on containers join the pod only at synth, so they are collected here too.
    const volumesTaken = [...new Set([
      ...workload.volumes.map(v => v.name),
      ...containers.flatMap(c => c.mounts.map(m => (m.volume as kplus.Volume).name)),
      CONFIG_VOLUME_NAME,
      STATE_VOLUME_NAME,
    ])];
    if (volumesTaken.includes(volumeName)) {
      throw new Error(`volumeName must differ from the pod's other volume names ${show(volumesTaken)}, got ${show(volumeName)}`);
    }
    const reserved = workload.volumes.find(v => v.name === CONFIG_VOLUME_NAME || v.name === STATE_VOLUME_NAME);
    if (reserved) {
      throw new Error(`the workload already has a volume named ${show(reserved.name)}: add one LoggingSidecar per workload`);
    }
    const writerPaths = props.logWriter.mounts.map(m => m.path);
    if (writerPaths.includes(this.logDirectory)) {
      throw new Error(`logDirectory must differ from the paths already mounted in logWriter ${show(writerPaths)}, got ${show(this.logDirectory)}`);
    }
    if ((workload instanceof kplus.Job || workload instanceof kplus.CronJob) && !nativeSidecar) {
      throw new Error('nativeSidecar must be true on a Job or CronJob: a regular sidecar never exits, '
        + 'so the job would never complete, got nativeSidecar false');
    }
    if (nativeSidecar && !this.shipper.drainsOnShutdown) {
      throw new Error(`nativeSidecar needs a shipper that ships what is left and exits on SIGTERM, `
        + `${this.shipper.displayName} does not (use LogShipper.stream() or LogShipper.fluentBit())`);
    }
    if (props.runAsUser !== undefined && !hardened) {
      throw new Error(`runAsUser applies only with hardened: true, got runAsUser ${show(props.runAsUser)}`);
    }
    const user = props.runAsUser ?? 101;
    if (!Number.isInteger(user) || user < 1 || user > 2147483647) {
      throw new Error(`runAsUser must be a non-root user id from 1 to 2147483647, got ${show(user)}`);
    }
    this.rotateLogsAt = resolveRotation(this.shipper, this._logFiles.length, props.volumeSizeLimit, props.rotateLogsAt);

    const spec = this.shipperConfig = this.shipper.bind(this, {
      logDirectory: this.logDirectory,
      logFiles: this.logFiles,
      rotateAtBytes: this.rotateLogsAt ? this.rotateLogsAt.toKibibytes() * 1024 : undefined,
      stateDirectory: STATE_DIRECTORY,
    });
    const ownPaths = [
      ...(spec.needsState ? [STATE_DIRECTORY] : []),
      ...(spec.configDirectory ? [spec.configDirectory] : []),
      ...(spec.volumes ?? []).map(v => v.path),
    ];
    if (ownPaths.includes(this.logDirectory)) {
      throw new Error(`logDirectory must differ from the paths the shipper mounts ${show(ownPaths)}, got ${show(this.logDirectory)}`);
    }
    for (const { volume } of spec.volumes ?? []) {
      if (volume.name === volumeName || volumesTaken.includes(volume.name)) {
        throw new Error(`${this.shipper.displayName} adds a volume named ${show(volume.name)}, which the pod already has `
          + `(${volume.name === volumeName ? 'volumeName' : `its volumes ${show(volumesTaken)}`})`);
      }
    }
    const companionNames = (spec.companions ?? []).map(c => `${containerName}-${c.nameSuffix}`);
    const companionRotates = (spec.companions ?? []).some(c => c.mountsLogs);
    for (const name of companionNames) {
      if (name.length > 63) {
        throw new Error(`containerName (sidecarContainerName of a LoggingSidecarPod) must be at most ${63 - (name.length - containerName.length)} characters, so that `
          + `${this.shipper.displayName}'s companion container ${show(name)} is a DNS-1123 label, got ${show(containerName)}`);
      }
      if (taken.includes(name)) {
        throw new Error(`${this.shipper.displayName} adds a container named ${show(name)}, which the workload already has`);
      }
    }
    for (const port of spec.ports ?? []) {
      const user = containers.find(c => c.ports.some(p => p.number === port.number));
      if (user) {
        throw new Error(`${this.shipper.displayName} listens on port ${port.number}, which container ${show(user.name)} `
          + 'already declares; the containers of a pod share one network namespace');
      }
    }
    const hashesConfig = spec.configMap !== undefined && rollsOnTemplateChange(workload);
    const annotationsTaken: { [key: string]: string } = workload.podMetadata.toJson().annotations ?? {};
    for (const [key, value] of Object.entries(spec.podAnnotations ?? {})) {
      if (key in annotationsTaken) {
        throw new Error(`${this.shipper.displayName} adds the pod annotation ${show(key)}: ${show(value)}, `
          + `which the workload's pod template already has: ${show(annotationsTaken[key])}`);
      }
    }
    if (hashesConfig && LoggingSidecar.CONFIG_HASH_ANNOTATION in annotationsTaken) {
      throw new Error(`the workload's pod template already has the annotation ${show(LoggingSidecar.CONFIG_HASH_ANNOTATION)}: `
        + `${show(annotationsTaken[LoggingSidecar.CONFIG_HASH_ANNOTATION])}, which LoggingSidecar sets to the hash of the shipper's configuration`);
    }

    // Everything is checked; now the workload changes.
    if (this.rotateLogsAt) {
      shareProcessNamespace(workload);
    }
    this.logVolume = kplus.Volume.fromEmptyDir(this, 'LogVolume', volumeName, { sizeLimit: props.volumeSizeLimit });
    workload.addVolume(this.logVolume);
    props.logWriter.mount(this.logDirectory, this.logVolume);

    const volumeMounts: kplus.VolumeMount[] = [
      // Read-only when hardened, unless the shipper must rename files to rotate them (or a companion does).
      { path: this.logDirectory, volume: this.logVolume, readOnly: hardened && (!this.rotateLogsAt || companionRotates) ? true : undefined },
    ];
    let stateMount: kplus.VolumeMount | undefined;
    if (spec.needsState && spec.stateVolumeSizeLimit) {
      this.stateVolume = kplus.Volume.fromEmptyDir(this, 'StateVolume', STATE_VOLUME_NAME, { sizeLimit: spec.stateVolumeSizeLimit });
      stateMount = { path: STATE_DIRECTORY, volume: this.stateVolume };
    } else if (spec.needsState) {
      stateMount = { path: STATE_DIRECTORY, volume: this.logVolume, subPath: '.logging-sidecar-state' };
    }
    if (stateMount) {
      volumeMounts.push(stateMount);
    }
    if (spec.configMap && spec.configDirectory) {
      const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', spec.configMap, { name: CONFIG_VOLUME_NAME });
      volumeMounts.push({ path: spec.configDirectory, volume: configVolume, readOnly: true });
    }
    for (const { volume, path } of spec.volumes ?? []) {
      volumeMounts.push({ path, volume, readOnly: true });
    }

    const containerProps: kplus.ContainerProps = {
      name: containerName,
      image: spec.image,
      command: spec.command,
      args: spec.args,
      envVariables: spec.env,
      liveness: spec.liveness,
      resources: props.resources ?? spec.resources,
      securityContext: hardened ? restrictedSecurityContext(user, user) : ROOT_IMAGE_SECURITY_CONTEXT,
      volumeMounts,
    };
    const add = (container: kplus.ContainerProps) => nativeSidecar
      ? workload.addInitContainer({ ...container, restartPolicy: kplus.ContainerRestartPolicy.ALWAYS })
      : workload.addContainer(container);
    this.container = add(containerProps);
    if (spec.ports?.length) {
      // Declared in the manifest only, by index (containers are only ever appended): as cdk8s-plus
      // ports, Deployment.exposeViaService() would expose them beside the workload's own and throw
      // when one of those is unnamed, and connections.allowFrom() would open them to every peer.
      // The liveness probe and Prometheus discovery (by annotation or by port name) need no more.
      const [list, index] = nativeSidecar
        ? ['initContainers', workload.initContainers.indexOf(this.container)]
        : ['containers', workload.containers.indexOf(this.container)];
      ApiObject.of(workload).addJsonPatch(JsonPatch.add(`${podSpecPath(workload)}/${list}/${index}/ports`, spec.ports.map(kubeContainerPort)));
    }
    for (const [key, value] of Object.entries(spec.podAnnotations ?? {})) {
      workload.podMetadata.addAnnotation(key, value);
    }
    if (hashesConfig) {
      // Computed at synth, from the ConfigMap as it is emitted, so data added or patched later counts too.
      workload.podMetadata.addAnnotation(LoggingSidecar.CONFIG_HASH_ANNOTATION, Lazy.any({ produce: () => configHash(spec.configMap!) }));
    }
    // What the shipper needs beside it runs the same way: as a native sidecar too, as the same user.
    this.companionContainers = (spec.companions ?? []).map((companion, i) => add({
      name: companionNames[i],
      image: companion.image,
      command: companion.command,
      resources: companion.resources,
      securityContext: containerProps.securityContext,
      volumeMounts: [
        ...(companion.mountsLogs ? [{ path: this.logDirectory, volume: this.logVolume }] : []),
        ...(companion.mountsState && stateMount ? [stateMount] : []),
      ],
    }));
  }

  /** The log files the sidecar ships, relative to `logDirectory`. */
  public get logFiles(): string[] {
    return [...this._logFiles];
  }
}

/** The volume of the shipper's configuration files, when it has any. */
const CONFIG_VOLUME_NAME = 'log-shipper-config';
/** The shipper's own state volume, when it has one. */
const STATE_VOLUME_NAME = 'log-shipper-state';
/** Where the shipper keeps its state: a directory on the shared volume, or a volume of its own. */
const STATE_DIRECTORY = '/var/lib/logging-sidecar';

/**
 * The rotation size, checked against the volume's limit: each file and the
 * rotated copy still being read may both be full at once.
 */
function resolveRotation(shipper: LogShipper, files: number, sizeLimit?: Size, rotateAt?: Size): Size | undefined {
  if (!sizeLimit && !rotateAt) {
    return undefined;
  }
  if (!shipper.rotatesLogs) {
    const prop = sizeLimit ? 'volumeSizeLimit' : 'rotateLogsAt';
    throw new Error(`${prop} needs a shipper that rotates logs, ${shipper.displayName} does not `
      + '(use LogShipper.stream() or LogShipper.fluentBit()), and without rotation the volume fills up and the pod is evicted');
  }
  const rotateKi = rotateAt ? rotateAt.toKibibytes() : Math.floor(sizeLimit!.toKibibytes() / (4 * files));
  if (rotateKi < 1024) {
    throw new Error(`rotateLogsAt must be at least 1Mi, got ${rotateKi}Ki`
      + (rotateAt ? '' : ` (volumeSizeLimit / (4 x the number of log files))`));
  }
  if (sizeLimit && sizeLimit.toKibibytes() < 2 * files * rotateKi) {
    throw new Error(`volumeSizeLimit must be at least 2 x rotateLogsAt x ${files} log files = ${2 * files * rotateKi}Ki, `
      + `since each file and its rotated copy may be full at once, got ${sizeLimit.toKibibytes()}Ki`);
  }
  return Size.kibibytes(rotateKi);
}

/** Lets the sidecar see and signal nginx; cdk8s-plus has no prop for it, so it is patched in. */
function shareProcessNamespace(workload: kplus.AbstractPod): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.add(`${podSpecPath(workload)}/shareProcessNamespace`, true));
}

/** Where the pod spec is in the workload's manifest, for JSON patches. */
function podSpecPath(workload: kplus.AbstractPod): string {
  return workload instanceof kplus.Pod ? '/spec'
    : workload instanceof kplus.CronJob ? '/spec/jobTemplate/spec/template/spec'
      : '/spec/template/spec';
}

/** A port as cdk8s-plus renders it; JSON patches apply before the generated k8s mapping (which spells `hostIP`). */
function kubeContainerPort(port: kplus.ContainerPort): { [key: string]: unknown } {
  const rendered = { containerPort: port.number, protocol: port.protocol, name: port.name, hostPort: port.hostPort, hostIp: port.hostIp };
  return Object.fromEntries(Object.entries(rendered).filter(([, value]) => value !== undefined));
}

/**
 * Whether a changed pod template replaces the running pods. A bare Pod is not
 * replaced when its annotations change, a Job's template is immutable (a
 * changed annotation would make the update fail), and a CronJob's next Job
 * mounts the ConfigMap as it is then, so only these three get the hash.
 */
function rollsOnTemplateChange(workload: kplus.AbstractPod): boolean {
  return workload instanceof kplus.Deployment || workload instanceof kplus.StatefulSet || workload instanceof kplus.DaemonSet;
}

/** SHA-256 of the ConfigMap's `data` (and `binaryData`, if any) as synthesized, as JSON with sorted keys. */
function configHash(configMap: kplus.ConfigMap): string {
  const { data, binaryData } = ApiObject.of(configMap).toJson();
  return createHash('sha256').update(JSON.stringify({ binaryData: sortedKeys(binaryData), data: sortedKeys(data) })).digest('hex');
}

function sortedKeys(map?: { [key: string]: string }): { [key: string]: string } | undefined {
  return map && Object.fromEntries(Object.keys(map).sort().map(key => [key, map[key]]));
}
