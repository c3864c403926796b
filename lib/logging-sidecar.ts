import { Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { isNginxImage, parseImageReference } from './image-reference';
import { LogReopen } from './log-reopen';
import { LogShipper, LogShipperConfig } from './log-shipper';
import { checkAgainstWorkload, checkShipperConfig, CONFIG_VOLUME_NAME, DEFAULT_LOG_VOLUME_NAME, mountPathConflicts, STATE_VOLUME_NAME } from './logging-sidecar-checks';
import { configHash, declarePortsInManifest, placeInNamespaceOf, rollsOnTemplateChange, shareProcessNamespace } from './pod-template';
import { checkProps, CONTAINER, FieldTypes, instanceOf, NUMBER, required, RESOURCES, STRING, WORKLOAD } from './runtime-types';
import { restrictedSecurityContext, ROOT_IMAGE_SECURITY_CONTEXT } from './security-context';
import { SHARED_PROP_TYPES, validateNativeSidecarShipper, validateVolumeSizes } from './sidecar-props';
import { checkUniqueObjectNames } from './unique-object-names';
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
   * be the user the writer runs as (nginx's), so that it may signal the writer.
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
   * renames it, signals the writer to reopen its logs as `reopenLogs` says (the
   * workload's process namespace is shared for that) and deletes it once read to the end.
   * @default - `volumeSizeLimit` / (4 x the number of log files) when that is set, else no rotation
   */
  readonly rotateLogsAt?: Size;

  /**
   * How the writer is told to reopen its log files after a rotation: which process gets
   * which signal. Only with rotation (`rotateLogsAt` or `volumeSizeLimit`); a writer that is
   * not an nginx image must be given one, such as
   * `LogReopen.signal({ processCommandLine: 'php-fpm: master process', signal: 'USR1' })`.
   * @default - `LogReopen.nginx()` when `logWriter`'s image is nginx's (official or
   * `nginxinc/nginx-unprivileged`, from any registry); otherwise rotation is refused
   */
  readonly reopenLogs?: LogReopen;
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
  /** How the writer is told to reopen its logs after a rotation; undefined when the shipper does not rotate. */
  public readonly reopenLogs?: LogReopen;
  /** What the shipper put into the pod (its container's settings, its ConfigMap), as its `bind()` returned it. */
  public readonly shipperConfig: LogShipperConfig;
  /** The emptyDir the shipper keeps its state in, when it has one of its own (Fluent Bit's buffer and positions). */
  public readonly stateVolume?: kplus.Volume;
  /** Containers the shipper needs beside the sidecar container, such as Fluent Bit's state keeper. */
  public readonly companionContainers: kplus.Container[];

  private readonly _logFiles: string[];

  constructor(scope: Construct, id: string, props: LoggingSidecarProps) {
    super(scope, id);
    checkProps('LoggingSidecar props', props, PROP_TYPES);

    const workload = props.workload;
    this.shipper = props.shipper ?? LogShipper.catLoop();
    const containerName = props.containerName ?? 'sidecar-container';
    const volumeName = props.volumeName ?? DEFAULT_LOG_VOLUME_NAME;
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
    const placement = { containerName, volumeName, logDirectory: this.logDirectory };
    const pod = checkAgainstWorkload(workload, props.logWriter, placement);
    if ((workload instanceof kplus.Job || workload instanceof kplus.CronJob) && !nativeSidecar) {
      throw new Error('nativeSidecar must be true on a Job or CronJob: a regular sidecar never exits, '
        + 'so the job would never complete, got nativeSidecar false');
    }
    validateNativeSidecarShipper(nativeSidecar, this.shipper);
    if (props.runAsUser !== undefined && !hardened) {
      throw new Error(`runAsUser applies only with hardened: true, got runAsUser ${show(props.runAsUser)}`);
    }
    const user = props.runAsUser ?? 101;
    if (!Number.isInteger(user) || user < 1 || user > 2147483647) {
      throw new Error(`runAsUser must be a non-root user id from 1 to 2147483647, got ${show(user)}`);
    }
    validateVolumeSizes(props.volumeSizeLimit, props.rotateLogsAt);
    this.rotateLogsAt = resolveRotation(this.shipper, this._logFiles.length, props.volumeSizeLimit, props.rotateLogsAt);
    this.reopenLogs = resolveReopen(props, this.rotateLogsAt !== undefined);

    const spec = this.shipperConfig = this.shipper.bind(this, {
      logDirectory: this.logDirectory,
      logFiles: this.logFiles,
      rotateAtBytes: this.rotateLogsAt ? this.rotateLogsAt.toKibibytes() * 1024 : undefined,
      reopenLogs: this.reopenLogs,
      stateDirectory: STATE_DIRECTORY,
    });
    const companionNames = (spec.companions ?? []).map(c => `${containerName}-${c.nameSuffix}`);
    const companionRotates = (spec.companions ?? []).some(c => c.mountsLogs);
    const hashesConfig = spec.configMap !== undefined && rollsOnTemplateChange(workload);
    checkShipperConfig(workload, pod, this.shipper, spec, {
      ...placement,
      stateDirectory: STATE_DIRECTORY,
      companionNames,
      configHashAnnotation: hashesConfig ? LoggingSidecar.CONFIG_HASH_ANNOTATION : undefined,
    });

    // Everything is checked; now the workload changes.
    if (spec.configMap) {
      // The pod mounts the ConfigMap from its own namespace, which may not be the chart's.
      placeInNamespaceOf(spec.configMap, workload);
    }
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
      // Not cdk8s-plus ports, which exposeViaService() and allowFrom() would open: see declarePortsInManifest().
      declarePortsInManifest(workload, this.container, spec.ports);
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
    checkUniqueObjectNames(this);
    this.node.addValidation({ validate: () => mountPathConflicts(workload) });
  }

  /** The log files the sidecar ships, relative to `logDirectory`. */
  public get logFiles(): string[] {
    return [...this._logFiles];
  }
}

const PROP_TYPES: FieldTypes<LoggingSidecarProps> = {
  ...SHARED_PROP_TYPES,
  workload: required(WORKLOAD),
  logWriter: required(CONTAINER),
  containerName: STRING,
  resources: RESOURCES,
  runAsUser: NUMBER,
  reopenLogs: instanceOf(LogReopen, 'be made with a LogReopen method such as LogReopen.signal()'),
};

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

/**
 * Who is signalled to reopen the logs after a rotation: nginx's master by
 * default, which only an nginx image is known to run; any other writer must
 * say, or its file would be renamed, never reopened, and the volume fill up.
 */
function resolveReopen(props: LoggingSidecarProps, rotates: boolean): LogReopen | undefined {
  if (!rotates) {
    if (props.reopenLogs !== undefined) {
      throw new Error(`reopenLogs applies only when the sidecar rotates logs (with rotateLogsAt or volumeSizeLimit), got ${show(props.reopenLogs)}`);
    }
    return undefined;
  }
  if (props.reopenLogs) {
    return props.reopenLogs;
  }
  const image = props.logWriter.image;
  const reference = parseImageReference(image);
  if (typeof reference !== 'string' && isNginxImage(reference)) {
    return LogReopen.nginx();
  }
  const prop = props.rotateLogsAt ? 'rotateLogsAt' : 'volumeSizeLimit';
  throw new Error(`${prop} rotates the logs, so the writer must be told to reopen them, and only nginx images are known `
    + `(SIGUSR1 to "nginx: master process"), got logWriter ${show(props.logWriter.name)} with image ${show(image)}: `
    + `pass reopenLogs, such as LogReopen.signal({ processCommandLine: '<start of its command line>', signal: 'HUP' }), `
    + 'or LogReopen.nginx() if it runs nginx');
}
