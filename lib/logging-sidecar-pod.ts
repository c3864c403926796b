import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { isOfficialNginx, parseImageReference } from './image-reference';
import { LogReopen } from './log-reopen';
import { LogShipper } from './log-shipper';
import { LoggingSidecar } from './logging-sidecar';
import { BOOLEAN, checkProps, DURATION, FieldTypes, NUMBER, RESOURCES, STRING } from './runtime-types';
import { restrictedSecurityContext, ROOT_IMAGE_SECURITY_CONTEXT } from './security-context';
import { SHARED_PROP_TYPES, validateVolumeSizes } from './sidecar-props';
import {
  show,
  validateAbsoluteDirectory,
  validateDnsLabel,
  validateDnsSubdomain,
  validateFileNames,
  validateImageReference,
  validatePort,
  validateResources,
  validateWholeSeconds,
} from './validation';

/**
 * Properties of a `LoggingSidecarPod`. With none set, the pod is the
 * `webserver` pod of the sidecar-pattern seed: nginx writing its logs to a
 * shared emptyDir and an ubuntu sidecar printing them every 30 seconds.
 */
export interface LoggingSidecarPodProps {
  /**
   * Name of the Pod (`metadata.name`).
   * @default 'webserver'
   */
  readonly podName?: string;

  /**
   * Name of the web server container.
   * @default 'nginx-container'
   */
  readonly webContainerName?: string;

  /**
   * Image of the web server container.
   * @default - 'nginx:latest'; 'nginxinc/nginx-unprivileged:1.27.4' when `hardened`
   */
  readonly webImage?: string;

  /**
   * Port the web server listens on, declared as the container port named `http`.
   * @default - 80; 8080 when `hardened`
   */
  readonly webPort?: number;

  /**
   * CPU and memory of the web server container. Replaces the default as a whole.
   * @default - requests 250m CPU and 64Mi memory, limits 500m CPU and 128Mi memory
   */
  readonly webResources?: kplus.ContainerResources;

  /**
   * Give nginx an HTTP readiness probe and an HTTP liveness probe on `webPort`.
   * (The sidecar's liveness probe comes with its shipper, where it has one.)
   * @default false
   */
  readonly healthChecks?: boolean;

  /**
   * How the sidecar reads and ships the logs.
   * @default - LogShipper.catLoop() with `readInterval` and `sidecarImage`
   */
  readonly shipper?: LogShipper;

  /**
   * Name of the log sidecar container.
   * @default 'sidecar-container'
   */
  readonly sidecarContainerName?: string;

  /**
   * Image of the default cat-loop sidecar; it must provide `sh`, `cat` and `sleep`.
   * With `shipper` set, give the image to the shipper instead.
   * @default 'ubuntu:latest'
   */
  readonly sidecarImage?: string;

  /**
   * CPU and memory of the log sidecar container. Replaces the shipper's default as a whole.
   * @default - the shipper's: requests 10m CPU and 16Mi memory, limits 100m CPU and 64Mi memory for the cat loop
   */
  readonly sidecarResources?: kplus.ContainerResources;

  /**
   * Pause between two reads of the default cat-loop sidecar, in whole seconds.
   * With `shipper` set, give it to `LogShipper.catLoop()` instead.
   * @default Duration.seconds(30)
   */
  readonly readInterval?: Duration;

  /**
   * Name of the emptyDir volume the two containers share.
   * @default 'shared-logs'
   */
  readonly volumeName?: string;

  /**
   * Directory where the web server writes its logs; the shared volume is mounted here in both containers.
   * @default '/var/log/nginx'
   */
  readonly logDirectory?: string;

  /**
   * Log files in `logDirectory` that the sidecar reads, in this order.
   * @default ['access.log', 'error.log']
   */
  readonly logFiles?: string[];

  /**
   * Run the sidecar as a native sidecar (an init container with `restartPolicy: Always`,
   * Kubernetes 1.29 and later), so it starts before nginx and ships the last lines after it stops.
   * @default false
   */
  readonly nativeSidecar?: boolean;

  /**
   * Meet the Pod Security Standards "restricted" level: an unprivileged nginx on 8080,
   * both containers as user 101 with a read-only root filesystem, all capabilities dropped,
   * seccomp `RuntimeDefault`, no privilege escalation, emptyDirs where nginx writes and the
   * log volume read-only in the sidecar (unless the sidecar rotates logs).
   * @default false
   */
  readonly hardened?: boolean;

  /**
   * Size limit of the shared emptyDir; needs a shipper that rotates logs (`LogShipper.stream()`).
   * @default - no limit
   */
  readonly volumeSizeLimit?: Size;

  /**
   * Size at which the shipper rotates each log file.
   * @default - `volumeSizeLimit` / (4 x the number of log files) when that is set, else no rotation
   */
  readonly rotateLogsAt?: Size;
}

/**
 * A Pod running a web server and a log sidecar over a shared emptyDir: the
 * web server writes its log files into the volume, the sidecar reads them.
 *
 * The underlying cdk8s-plus objects are exposed for anything the props do not
 * cover: `pod`, `webContainer`, `sidecarContainer` and `logVolume`; `sidecar`
 * is the `LoggingSidecar` that added the sidecar to the pod.
 */
export class LoggingSidecarPod extends Construct {
  /** The Pod; its construct id is `Resource`. */
  public readonly pod: kplus.Pod;
  /** The web server container. */
  public readonly webContainer: kplus.Container;
  /** The sidecar: its container, volume and shipper. */
  public readonly sidecar: LoggingSidecar;
  /** The container that reads the log files. */
  public readonly sidecarContainer: kplus.Container;
  /** The emptyDir volume shared by both containers. */
  public readonly logVolume: kplus.Volume;
  /** The directory both containers mount the shared volume at. */
  public readonly logDirectory: string;
  /** Whether the pod meets the "restricted" Pod Security Standard. */
  public readonly hardened: boolean;

  constructor(scope: Construct, id: string, props: LoggingSidecarPodProps = {}) {
    super(scope, id);
    checkProps('LoggingSidecarPod props', props, PROP_TYPES);

    this.hardened = props.hardened ?? false;
    const podName = props.podName ?? 'webserver';
    const webContainerName = props.webContainerName ?? 'nginx-container';
    const webImage = props.webImage ?? (this.hardened ? UNPRIVILEGED_NGINX : 'nginx:latest');
    const webPort = props.webPort ?? (this.hardened ? 8080 : 80);
    const webResources = props.webResources ?? DEFAULT_WEB_RESOURCES;
    const sidecarContainerName = props.sidecarContainerName ?? 'sidecar-container';

    // Everything is checked before anything is created, under this construct's prop names;
    // LoggingSidecar checks the sidecar's props again under its own.
    validateDnsSubdomain('podName', podName);
    validateDnsLabel('webContainerName', webContainerName);
    validateImageReference('webImage', webImage);
    validatePort('webPort', webPort);
    validateResources('webResources', webResources);
    if (this.hardened) {
      validateHardenedWebServer(webImage, webPort);
    }
    validateDnsLabel('sidecarContainerName', sidecarContainerName);
    if (webContainerName === sidecarContainerName) {
      throw new Error(`sidecarContainerName must differ from webContainerName, both are ${show(webContainerName)}`);
    }
    if (props.sidecarResources) {
      validateResources('sidecarResources', props.sidecarResources);
    }
    if (props.volumeName !== undefined) {
      validateDnsLabel('volumeName', props.volumeName);
    }
    if (props.logDirectory !== undefined) {
      validateAbsoluteDirectory('logDirectory', props.logDirectory);
      if (this.hardened && props.logDirectory === '/tmp') {
        throw new Error('logDirectory must not be /tmp with hardened: true, where nginx has its own emptyDir at /tmp, got "/tmp"');
      }
    }
    if (props.logFiles !== undefined) {
      validateFileNames('logFiles', props.logFiles);
    }
    validateVolumeSizes(props.volumeSizeLimit, props.rotateLogsAt);
    const shipper = resolveShipper(props);

    this.pod = new kplus.Pod(this, 'Resource', {
      metadata: { name: podName },
      securityContext: this.hardened
        ? { ensureNonRoot: true, user: NGINX_UID, group: NGINX_UID, fsGroup: NGINX_UID }
        // nginx:latest and ubuntu:latest start as root; see ROOT_IMAGE_SECURITY_CONTEXT.
        : { ensureNonRoot: false },
    });

    const probe = () => kplus.Probe.fromHttpGet('/', { port: webPort, periodSeconds: Duration.seconds(10), failureThreshold: 3 });
    this.webContainer = this.pod.addContainer({
      name: webContainerName,
      image: webImage,
      ports: [{ number: webPort, name: 'http' }],
      resources: webResources,
      securityContext: this.hardened ? restrictedSecurityContext(NGINX_UID, NGINX_UID) : ROOT_IMAGE_SECURITY_CONTEXT,
      readiness: props.healthChecks ? probe() : undefined,
      liveness: props.healthChecks ? probe() : undefined,
    });
    if (this.hardened) {
      // The unprivileged image keeps its pid file and temp paths in /tmp; the root filesystem is read-only.
      this.webContainer.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'WebTmp', 'nginx-tmp', { sizeLimit: Size.mebibytes(64) }));
    }

    this.sidecar = new LoggingSidecar(this, 'Sidecar', {
      workload: this.pod,
      logWriter: this.webContainer,
      shipper,
      containerName: props.sidecarContainerName,
      resources: props.sidecarResources,
      volumeName: props.volumeName,
      logDirectory: props.logDirectory,
      logFiles: props.logFiles,
      nativeSidecar: props.nativeSidecar,
      hardened: this.hardened,
      runAsUser: this.hardened ? NGINX_UID : undefined,
      volumeSizeLimit: props.volumeSizeLimit,
      rotateLogsAt: props.rotateLogsAt,
      // The web server is nginx, whatever its image is called.
      reopenLogs: props.volumeSizeLimit || props.rotateLogsAt ? LogReopen.nginx() : undefined,
    });
    this.sidecarContainer = this.sidecar.container;
    this.logVolume = this.sidecar.logVolume;
    this.logDirectory = this.sidecar.logDirectory;
  }

  /** The log files the sidecar reads, relative to `logDirectory`. */
  public get logFiles(): string[] {
    return this.sidecar.logFiles;
  }
}

/** nginx-unprivileged runs as this user; the sidecar runs as it too, so it may read and signal nginx. */
const NGINX_UID = 101;
const UNPRIVILEGED_NGINX = 'nginxinc/nginx-unprivileged:1.27.4';

const PROP_TYPES: FieldTypes<LoggingSidecarPodProps> = {
  ...SHARED_PROP_TYPES,
  podName: STRING,
  webContainerName: STRING,
  webImage: STRING,
  webPort: NUMBER,
  webResources: RESOURCES,
  healthChecks: BOOLEAN,
  sidecarContainerName: STRING,
  sidecarImage: STRING,
  sidecarResources: RESOURCES,
  readInterval: DURATION,
};

/** The seed's "Production Considerations" figures for nginx. */
const DEFAULT_WEB_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
};

/** `readInterval` and `sidecarImage` configure the default cat loop; with another shipper they would be ignored. */
function resolveShipper(props: LoggingSidecarPodProps): LogShipper {
  if (!props.shipper) {
    if (props.sidecarImage !== undefined) {
      validateImageReference('sidecarImage', props.sidecarImage);
    }
    if (props.readInterval !== undefined) {
      validateWholeSeconds('readInterval', props.readInterval);
    }
    return LogShipper.catLoop({ readInterval: props.readInterval, image: props.sidecarImage });
  }
  for (const prop of ['readInterval', 'sidecarImage'] as const) {
    if (props[prop] !== undefined) {
      throw new Error(`${prop} configures the default cat-loop shipper and cannot be combined with shipper `
        + `${props.shipper.displayName}; pass it to the shipper instead`);
    }
  }
  return props.shipper;
}

/** The official nginx image needs root: it binds port 80 and switches to its worker user itself. */
function validateHardenedWebServer(image: string, port: number): void {
  const reference = parseImageReference(image);
  if (typeof reference !== 'string' && isOfficialNginx(reference)) {
    throw new Error(`webImage must run as a non-root user with hardened: true, and the official nginx image `
      + `runs as root; use ${show(UNPRIVILEGED_NGINX)} or another unprivileged image, got ${show(image)}`);
  }
  if (port < 1024) {
    throw new Error(`webPort must be 1024 or above with hardened: true, a non-root user cannot bind it `
      + `with all capabilities dropped, got ${show(port)}`);
  }
}
