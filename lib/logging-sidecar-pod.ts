import { ApiObjectMetadata, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LoggingSidecar } from './logging-sidecar';
import { METADATA, validateChartMetadata, validateMetadata } from './metadata-checks';
import { applyPodSpecOptions, POD_SPEC_OPTION_TYPES, PodSpecOptions, podSpecProps, validatePodSpecOptions } from './pod-spec-options';
import { checkProps, FieldTypes, STRING } from './runtime-types';
import { validateDnsSubdomain } from './validation';
import { addWebServerAndSidecar, podSecurityContext } from './web-server-and-sidecar';
import { resolveWebServerAndSidecar, WEB_SERVER_AND_SIDECAR_TYPES, WebServerAndSidecarOptions } from './web-server-and-sidecar-options';

/**
 * Properties of a `LoggingSidecarPod`. With none set, the pod is the
 * `webserver` pod of the sidecar-pattern seed: nginx writing its logs to a
 * shared emptyDir and an ubuntu sidecar printing them every 30 seconds.
 */
export interface LoggingSidecarPodProps extends WebServerAndSidecarOptions, PodSpecOptions {
  /**
   * Name of the Pod (`metadata.name`).
   * @default 'webserver'
   */
  readonly podName?: string;

  /**
   * Labels, annotations and namespace of the Pod. The name is `podName`.
   * @default - the chart's namespace and labels, and cdk8s's `cdk8s.io/metadata.addr` label
   */
  readonly metadata?: ApiObjectMetadata;
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
  /** The port the web server listens on. */
  public readonly webPort: number;

  constructor(scope: Construct, id: string, props: LoggingSidecarPodProps = {}) {
    super(scope, id);
    checkProps('LoggingSidecarPod props', props, PROP_TYPES);

    // Every prop is checked before anything is created, under this construct's prop names;
    // LoggingSidecar checks the sidecar's props again under its own, and what the shipper
    // adds (names, ports, annotations) once the shipper is bound, when the pod exists.
    const podName = props.podName ?? 'webserver';
    validateDnsSubdomain('podName', podName);
    validateMetadata('metadata', props.metadata ?? {}, 'podName');
    validateChartMetadata(this);
    const options = resolveWebServerAndSidecar(props);
    validatePodSpecOptions(props, { logVolume: options.logVolumeName, others: options.webVolumeNames },
      props.metadata?.namespace ?? Chart.of(this).namespace);

    this.hardened = options.hardened;
    this.webPort = options.webPort;
    this.pod = new kplus.Pod(this, 'Resource', {
      ...podSpecProps(props),
      metadata: { ...props.metadata, name: podName },
      securityContext: podSecurityContext(this.hardened),
    });
    applyPodSpecOptions(this.pod, props);
    const { webContainer, sidecar } = addWebServerAndSidecar(this, this.pod, options);
    this.webContainer = webContainer;
    this.sidecar = sidecar;
    this.sidecarContainer = sidecar.container;
    this.logVolume = sidecar.logVolume;
    this.logDirectory = sidecar.logDirectory;
  }

  /** The log files the sidecar reads, relative to `logDirectory`. */
  public get logFiles(): string[] {
    return this.sidecar.logFiles;
  }
}

const PROP_TYPES: FieldTypes<LoggingSidecarPodProps> = {
  ...WEB_SERVER_AND_SIDECAR_TYPES,
  ...POD_SPEC_OPTION_TYPES,
  podName: STRING,
  metadata: METADATA,
};
