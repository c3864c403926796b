import { ApiObjectMetadata, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LoggingSidecar } from './logging-sidecar';
import { METADATA, validateChartMetadata, validateMetadata } from './metadata-checks';
import { applyPodSpecOptions, POD_SPEC_OPTION_TYPES, PodSpecOptions, podSpecProps, validatePodSpecOptions } from './pod-spec-options';
import { checkProps, DURATION, FieldTypes, madeBy, NUMBER, STRING, typeOf } from './runtime-types';
import { show, validateDns1035Label, validateDnsSubdomain, validatePort, validateWholeSeconds } from './validation';
import { addWebServerAndSidecar, podSecurityContext } from './web-server-and-sidecar';
import { resolveWebServerAndSidecar, WEB_SERVER_AND_SIDECAR_TYPES, WebServerAndSidecarOptions } from './web-server-and-sidecar-options';

/**
 * Properties of a `LoggingSidecarDeployment`: the web server and sidecar
 * options and the pod-level options of `LoggingSidecarPod`, and how many
 * replicas run and how they are replaced.
 */
export interface LoggingSidecarDeploymentProps extends WebServerAndSidecarOptions, PodSpecOptions {
  /**
   * Name of the Deployment (`metadata.name`); its pods are named after it.
   * @default 'webserver'
   */
  readonly deploymentName?: string;

  /**
   * Labels, annotations and namespace of the Deployment. The name is `deploymentName`.
   * @default - the chart's namespace and labels
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * Labels and annotations of the pods (the pod template's metadata).
   * @default - cdk8s-plus's selector label only
   */
  readonly podMetadata?: ApiObjectMetadata;

  /**
   * Number of pods.
   * @default 2
   */
  readonly replicas?: number;

  /**
   * How pods are replaced on a change, such as `DeploymentStrategy.recreate()`.
   * @default - rolling update with maxSurge and maxUnavailable of 25%
   */
  readonly strategy?: kplus.DeploymentStrategy;

  /**
   * How long a new pod must be ready before it counts as available, in whole seconds.
   * @default Duration.seconds(0)
   */
  readonly minReady?: Duration;

  /**
   * How long a rollout may go without progress before it is reported failed, in whole seconds.
   * @default Duration.seconds(600)
   */
  readonly progressDeadline?: Duration;
}

/** Options of `LoggingSidecarDeployment.exposeViaService()`. */
export interface LoggingSidecarServiceOptions {
  /**
   * Name of the Service.
   * @default - the Deployment's name
   */
  readonly name?: string;

  /**
   * Port the Service listens on; it forwards to the web server's port.
   * @default 80
   */
  readonly port?: number;

  /**
   * Type of the Service.
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;
}

/**
 * A Deployment of pods that each run the web server and its log sidecar, with
 * the same defaults as `LoggingSidecarPod`: resources, probes (`healthChecks`),
 * the hardened image with its `/tmp`, and every shipper.
 *
 * The underlying cdk8s-plus objects are exposed as on `LoggingSidecarPod`:
 * `deployment`, `webContainer`, `sidecarContainer`, `logVolume` and `sidecar`.
 */
export class LoggingSidecarDeployment extends Construct {
  /** The Deployment; its construct id is `Resource`. */
  public readonly deployment: kplus.Deployment;
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
  /** Whether the pods meet the "restricted" Pod Security Standard. */
  public readonly hardened: boolean;
  /** The port the web server listens on. */
  public readonly webPort: number;

  private service?: kplus.Service;

  constructor(scope: Construct, id: string, props: LoggingSidecarDeploymentProps = {}) {
    super(scope, id);
    checkProps('LoggingSidecarDeployment props', props, PROP_TYPES);

    const deploymentName = props.deploymentName ?? 'webserver';
    validateDnsSubdomain('deploymentName', deploymentName);
    validateMetadata('metadata', props.metadata ?? {}, 'deploymentName');
    validateChartMetadata(this);
    validatePodMetadata(props.podMetadata ?? {});
    if (props.replicas !== undefined && (!Number.isInteger(props.replicas) || props.replicas < 0 || props.replicas > MAX_INT32)) {
      throw new Error(`replicas must be a whole number from 0 to ${MAX_INT32}, got ${show(props.replicas)}`);
    }
    if (props.minReady !== undefined) {
      validateWholeSeconds('minReady', props.minReady, MAX_INT32, 0);
    }
    if (props.progressDeadline !== undefined) {
      validateWholeSeconds('progressDeadline', props.progressDeadline, MAX_INT32);
    }
    // The API server refuses a deadline a new pod could not meet even when ready at once.
    if (props.minReady !== undefined && props.progressDeadline !== undefined
      && props.progressDeadline.toSeconds() <= props.minReady.toSeconds()) {
      throw new Error(`progressDeadline must be longer than minReady, got ${props.progressDeadline.toSeconds()} seconds `
        + `and minReady ${props.minReady.toSeconds()} seconds`);
    }
    if (props.minReady !== undefined && props.progressDeadline === undefined && props.minReady.toSeconds() >= DEFAULT_PROGRESS_DEADLINE_SECONDS) {
      throw new Error(`minReady must be shorter than progressDeadline (${DEFAULT_PROGRESS_DEADLINE_SECONDS} seconds by default), `
        + `got ${props.minReady.toSeconds()} seconds`);
    }
    if (props.strategy) {
      validateStrategy(props.strategy);
    }
    const options = resolveWebServerAndSidecar(props);
    validatePodSpecOptions(props, { logVolume: options.logVolumeName, others: options.webVolumeNames },
      props.metadata?.namespace ?? Chart.of(this).namespace);

    this.hardened = options.hardened;
    this.webPort = options.webPort;
    this.deployment = new kplus.Deployment(this, 'Resource', {
      ...podSpecProps(props),
      metadata: { ...props.metadata, name: deploymentName },
      podMetadata: props.podMetadata,
      replicas: props.replicas,
      strategy: props.strategy,
      minReady: props.minReady,
      progressDeadline: props.progressDeadline,
      securityContext: podSecurityContext(this.hardened),
    });
    applyPodSpecOptions(this.deployment, props);
    const { webContainer, sidecar } = addWebServerAndSidecar(this, this.deployment, options);
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

  /**
   * A Service in front of the web server's port only (the port named `http`):
   * the shipper's ports, such as Fluent Bit's metrics, stay inside the pod.
   */
  public exposeViaService(options: LoggingSidecarServiceOptions = {}): kplus.Service {
    checkProps('LoggingSidecarDeployment.exposeViaService() options', options, SERVICE_OPTION_TYPES, 'exposeViaService() ');
    if (this.service) {
      throw new Error(`exposeViaService() may be called once, and it was: the Service ${show(this.service.name)} `
        + 'already forwards to the web port; use that Service, or create another with new kplus.Service()');
    }
    // A Service's name is a DNS-1035 label, which starts with a letter; the Deployment's need not.
    const name = options.name ?? this.deployment.name;
    validateDns1035Label(options.name === undefined ? 'exposeViaService() name (the deploymentName by default)' : 'exposeViaService() name', name);
    const port = options.port ?? 80;
    validatePort('exposeViaService() port', port);
    if (options.serviceType === kplus.ServiceType.EXTERNAL_NAME) {
      throw new Error('exposeViaService() serviceType must select the pods, and an ExternalName Service forwards to a DNS name instead: '
        + 'use ClusterIP, NodePort or LoadBalancer, got "ExternalName"');
    }
    this.service = this.deployment.exposeViaService({
      name,
      serviceType: options.serviceType,
      ports: [{ port, targetPort: this.webPort, name: 'http' }],
    });
    return this.service;
  }
}

const MAX_INT32 = 2147483647;
/** cdk8s-plus's and Kubernetes's default `progressDeadline`. */
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

const PROP_TYPES: FieldTypes<LoggingSidecarDeploymentProps> = {
  ...WEB_SERVER_AND_SIDECAR_TYPES,
  ...POD_SPEC_OPTION_TYPES,
  deploymentName: STRING,
  metadata: METADATA,
  podMetadata: METADATA,
  replicas: NUMBER,
  strategy: madeBy('be a DeploymentStrategy (such as DeploymentStrategy.recreate())'),
  minReady: DURATION,
  progressDeadline: DURATION,
};

const SERVICE_OPTION_TYPES: FieldTypes<LoggingSidecarServiceOptions> = {
  name: STRING,
  port: NUMBER,
  serviceType: typeOf(`be a ServiceType (${Object.values(kplus.ServiceType).join(', ')})`,
    value => Object.values<unknown>(kplus.ServiceType).includes(value)),
};

/**
 * A rolling update's maxSurge and maxUnavailable as the API server takes them:
 * whole numbers from 0, or percentages, maxUnavailable's at most 100%.
 * (cdk8s-plus refuses both being zero itself.)
 */
function validateStrategy(strategy: kplus.DeploymentStrategy): void {
  // As for tolerations, only cdk8s-plus's internal _toKube() tells what a strategy holds.
  if (typeof strategy._toKube !== 'function') return;
  const rollingUpdate = strategy._toKube().rollingUpdate as { [field: string]: { value?: unknown } | undefined } | undefined;
  for (const field of ['maxSurge', 'maxUnavailable']) {
    const value = rollingUpdate?.[field]?.value;
    if (value === undefined) {
      continue;
    }
    const percent = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
    const valid = typeof value === 'number'
      ? Number.isInteger(value) && value >= 0 && value <= MAX_INT32
      : percent !== null && (field === 'maxSurge' || Number(percent[1]) <= 100);
    if (!valid) {
      throw new Error(`strategy ${field} must be a whole number from 0 or a whole percentage`
        + `${field === 'maxUnavailable' ? ' up to 100%' : ''}, got ${show(value)}`);
    }
  }
}

/** The pod template's labels and annotations; it has no name or namespace of its own. */
function validatePodMetadata(podMetadata: ApiObjectMetadata): void {
  for (const field of ['name', 'namespace'] as const) {
    if (podMetadata[field] !== undefined) {
      throw new Error(`podMetadata.${field} must not be set, the pods take theirs from the Deployment, got ${show(podMetadata[field])}`);
    }
  }
  validateMetadata('podMetadata', podMetadata, 'deploymentName');
}
