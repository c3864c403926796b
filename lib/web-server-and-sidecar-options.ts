import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { isOfficialNginx, parseImageReference } from './image-reference';
import { LogShipper } from './log-shipper';
import { DEFAULT_LOG_VOLUME_NAME, SHIPPER_VOLUME_PREFIX } from './logging-sidecar-checks';
import { BOOLEAN, DURATION, FieldTypes, NUMBER, RESOURCES, STRING } from './runtime-types';
import { SHARED_PROP_TYPES, validateNativeSidecarShipper, validateVolumeSizes } from './sidecar-props';
import {
  show,
  validateAbsoluteDirectory,
  validateDnsLabel,
  validateFileNames,
  validateImageReference,
  validatePort,
  validateResources,
  validateWholeSeconds,
} from './validation';

/**
 * The web server, its log sidecar and the volume they share: the options
 * `LoggingSidecarPod` and `LoggingSidecarDeployment` have in common. With none
 * set, they are the containers of the sidecar-pattern seed: nginx writing its
 * logs to a shared emptyDir and an ubuntu sidecar printing them every 30 seconds.
 */
export interface WebServerAndSidecarOptions {
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
   * The construct does not reconfigure the web server: another directory needs an image or a
   * configuration that logs there (nginx's images log to /var/log/nginx).
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

/** The runtime type of each web server and sidecar option. */
export const WEB_SERVER_AND_SIDECAR_TYPES: FieldTypes<WebServerAndSidecarOptions> = {
  ...SHARED_PROP_TYPES,
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

/** The options with their defaults filled in, all checked. */
export interface ResolvedWebServerAndSidecar extends WebServerAndSidecarOptions {
  readonly hardened: boolean;
  readonly webContainerName: string;
  readonly webImage: string;
  readonly webPort: number;
  readonly webResources: kplus.ContainerResources;
  readonly healthChecks: boolean;
  readonly sidecarContainerName: string;
  readonly shipper: LogShipper;
  /** The shared log volume's name. */
  readonly logVolumeName: string;
  /** Names of the volumes the web server adds beside the log volume. */
  readonly webVolumeNames: string[];
}

/** nginx-unprivileged runs as this user; the sidecar runs as it too, so it may read and signal nginx. */
export const NGINX_UID = 101;
export const UNPRIVILEGED_NGINX = 'nginxinc/nginx-unprivileged:1.27.4';
/** The hardened web server's emptyDir at /tmp. */
export const WEB_TMP_VOLUME_NAME = 'nginx-tmp';

/** The seed's "Production Considerations" figures for nginx. */
const DEFAULT_WEB_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
};

/**
 * Fills in the defaults and checks every value, under these options' names,
 * before anything is created; LoggingSidecar checks the sidecar's again under its own.
 */
export function resolveWebServerAndSidecar(props: WebServerAndSidecarOptions): ResolvedWebServerAndSidecar {
  const hardened = props.hardened ?? false;
  const webContainerName = props.webContainerName ?? 'nginx-container';
  const webImage = props.webImage ?? (hardened ? UNPRIVILEGED_NGINX : 'nginx:latest');
  const webPort = props.webPort ?? (hardened ? 8080 : 80);
  const webResources = props.webResources ?? DEFAULT_WEB_RESOURCES;
  const sidecarContainerName = props.sidecarContainerName ?? 'sidecar-container';

  validateDnsLabel('webContainerName', webContainerName);
  validateImageReference('webImage', webImage);
  validatePort('webPort', webPort);
  validateResources('webResources', webResources);
  if (hardened) {
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
    if (props.volumeName.startsWith(SHIPPER_VOLUME_PREFIX) || (hardened && props.volumeName === WEB_TMP_VOLUME_NAME)) {
      throw new Error(`volumeName must not be a name the pod reserves (${hardened ? `"${WEB_TMP_VOLUME_NAME}", ` : ''}"${SHIPPER_VOLUME_PREFIX}…"), `
        + `got ${show(props.volumeName)}`);
    }
  }
  if (props.logDirectory !== undefined) {
    validateAbsoluteDirectory('logDirectory', props.logDirectory);
    if (hardened && props.logDirectory === '/tmp') {
      throw new Error('logDirectory must not be /tmp with hardened: true, where nginx has its own emptyDir at /tmp, got "/tmp"');
    }
  }
  if (props.logFiles !== undefined) {
    validateFileNames('logFiles', props.logFiles);
  }
  validateVolumeSizes(props.volumeSizeLimit, props.rotateLogsAt);
  const shipper = resolveShipper(props);
  // Here too, not only in LoggingSidecar, which checks it once the workload exists.
  validateNativeSidecarShipper(props.nativeSidecar ?? false, shipper);
  return {
    ...props,
    hardened,
    webContainerName,
    webImage,
    webPort,
    webResources,
    healthChecks: props.healthChecks ?? false,
    sidecarContainerName,
    shipper,
    logVolumeName: props.volumeName ?? DEFAULT_LOG_VOLUME_NAME,
    webVolumeNames: hardened ? [WEB_TMP_VOLUME_NAME] : [],
  };
}

/** `readInterval` and `sidecarImage` configure the default cat loop; with another shipper they would be ignored. */
function resolveShipper(props: WebServerAndSidecarOptions): LogShipper {
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
