import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { shellQuote } from './shell';
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
   * @default 'nginx:latest'
   */
  readonly webImage?: string;

  /**
   * Port the web server listens on, declared as the container port named `http`.
   * @default 80
   */
  readonly webPort?: number;

  /**
   * CPU and memory of the web server container. Replaces the default as a whole.
   * @default - requests 250m CPU and 64Mi memory, limits 500m CPU and 128Mi memory
   */
  readonly webResources?: kplus.ContainerResources;

  /**
   * Name of the log sidecar container.
   * @default 'sidecar-container'
   */
  readonly sidecarContainerName?: string;

  /**
   * Image of the log sidecar container; it must provide `sh`, `cat` and `sleep`.
   * @default 'ubuntu:latest'
   */
  readonly sidecarImage?: string;

  /**
   * CPU and memory of the log sidecar container. Replaces the default as a whole.
   * @default - requests 10m CPU and 16Mi memory, limits 100m CPU and 64Mi memory
   */
  readonly sidecarResources?: kplus.ContainerResources;

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
   * Pause between two reads of the log files, in whole seconds.
   * @default Duration.seconds(30)
   */
  readonly readInterval?: Duration;
}

/**
 * A Pod running a web server and a log sidecar over a shared emptyDir: the
 * web server writes its log files into the volume, the sidecar reads them.
 *
 * The underlying cdk8s-plus objects are exposed for anything the props do not
 * cover: `pod`, `webContainer`, `sidecarContainer` and `logVolume`.
 */
export class LoggingSidecarPod extends Construct {
  /** The Pod; its construct id is `Resource`. */
  public readonly pod: kplus.Pod;
  /** The web server container. */
  public readonly webContainer: kplus.Container;
  /** The container that reads the log files. */
  public readonly sidecarContainer: kplus.Container;
  /** The emptyDir volume shared by both containers. */
  public readonly logVolume: kplus.Volume;
  /** The directory both containers mount the shared volume at. */
  public readonly logDirectory: string;
  /** Pause between two reads of the log files. */
  public readonly readInterval: Duration;

  private readonly _logFiles: string[];

  constructor(scope: Construct, id: string, props: LoggingSidecarPodProps = {}) {
    super(scope, id);

    const podName = props.podName ?? 'webserver';
    const webContainerName = props.webContainerName ?? 'nginx-container';
    const webImage = props.webImage ?? 'nginx:latest';
    const webPort = props.webPort ?? 80;
    const webResources = props.webResources ?? DEFAULT_WEB_RESOURCES;
    const sidecarContainerName = props.sidecarContainerName ?? 'sidecar-container';
    const sidecarImage = props.sidecarImage ?? 'ubuntu:latest';
    const sidecarResources = props.sidecarResources ?? DEFAULT_SIDECAR_RESOURCES;
    const volumeName = props.volumeName ?? 'shared-logs';
    this.logDirectory = props.logDirectory ?? '/var/log/nginx';
    this._logFiles = [...(props.logFiles ?? ['access.log', 'error.log'])];
    this.readInterval = props.readInterval ?? Duration.seconds(30);

    validateDnsSubdomain('podName', podName);
    validateDnsLabel('webContainerName', webContainerName);
    validateDnsLabel('sidecarContainerName', sidecarContainerName);
    if (webContainerName === sidecarContainerName) {
      throw new Error(`sidecarContainerName must differ from webContainerName, both are ${show(webContainerName)}`);
    }
    validateImageReference('webImage', webImage);
    validateImageReference('sidecarImage', sidecarImage);
    validatePort('webPort', webPort);
    validateResources('webResources', webResources);
    validateResources('sidecarResources', sidecarResources);
    validateDnsLabel('volumeName', volumeName);
    validateAbsoluteDirectory('logDirectory', this.logDirectory);
    validateFileNames('logFiles', this._logFiles);
    const intervalSeconds = validateWholeSeconds('readInterval', this.readInterval);

    this.pod = new kplus.Pod(this, 'Resource', {
      metadata: { name: podName },
      // nginx:latest and ubuntu:latest start as root. cdk8s-plus defaults to
      // runAsNonRoot, with which a kubelet refuses to start either container.
      securityContext: { ensureNonRoot: false },
    });

    this.logVolume = kplus.Volume.fromEmptyDir(this, 'LogVolume', volumeName);
    this.pod.addVolume(this.logVolume);
    const logMount: kplus.VolumeMount = { volume: this.logVolume, path: this.logDirectory };

    this.webContainer = this.pod.addContainer({
      name: webContainerName,
      image: webImage,
      ports: [{ number: webPort, name: 'http' }],
      resources: webResources,
      securityContext: ROOT_IMAGE_SECURITY_CONTEXT,
      volumeMounts: [logMount],
    });

    this.sidecarContainer = this.pod.addContainer({
      name: sidecarContainerName,
      image: sidecarImage,
      command: ['sh', '-c', catLoopScript(this.logDirectory, this._logFiles, intervalSeconds)],
      resources: sidecarResources,
      securityContext: ROOT_IMAGE_SECURITY_CONTEXT,
      volumeMounts: [logMount],
    });
  }

  /** The log files the sidecar reads, relative to `logDirectory`. */
  public get logFiles(): string[] {
    return [...this._logFiles];
  }
}

/** The seed's "Production Considerations" figures for nginx. */
const DEFAULT_WEB_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
};

/** `sh`, `cat` and `sleep` stream through a small fixed buffer; the limit leaves room for page-cache spikes. */
const DEFAULT_SIDECAR_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
};

/**
 * What the official nginx and ubuntu images need to start. nginx runs its
 * master as root and writes to /var/cache/nginx and /var/run, so the root
 * filesystem stays writable; privilege escalation stays off, since nothing
 * in either image needs setuid binaries.
 */
const ROOT_IMAGE_SECURITY_CONTEXT: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: false,
  readOnlyRootFilesystem: false,
  allowPrivilegeEscalation: false,
};

/** The seed's reading loop; user strings reach it only through `shellQuote`. */
function catLoopScript(directory: string, files: readonly string[], intervalSeconds: number): string {
  const paths = files.map(file => shellQuote(`${directory}/${file}`)).join(' ');
  return `while true; do cat ${paths}; sleep ${intervalSeconds}; done`;
}
