import { isIP } from 'net';
import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LABEL_VALUE, QUALIFIED_NAME } from './checks/names';
import { SHIPPER_VOLUME_PREFIX } from './logging-sidecar-checks';
import { validateLabels } from './metadata-checks';
import { addNodeSelector } from './pod-template';
import {
  arrayOf, BOOLEAN, DURATION, FieldTypes, madeBy, mapOf, named, required, shape, STRING, STRINGS, typeOf,
} from './runtime-types';
import { show, validateDnsLabel, validateDnsSubdomain, validateReadBackAsWritten, validateWholeSeconds } from './validation';

/**
 * Pod-level settings of `LoggingSidecarPod` and `LoggingSidecarDeployment`,
 * named and typed as in cdk8s-plus's `PodProps`. With none set the pod spec is
 * the seed's.
 */
export interface PodSpecOptions {
  /**
   * The service account the pod runs as (`serviceAccountName`).
   * @default - the namespace's `default` service account
   */
  readonly serviceAccount?: kplus.IServiceAccount;

  /**
   * Mount the service account's API token into the containers. Neither nginx
   * nor the shippers talk to the Kubernetes API, so it stays unmounted unless asked for.
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;

  /**
   * Run only on nodes with all these labels (`nodeSelector`), such as `{ 'kubernetes.io/os': 'linux' }`.
   * For affinity, use `scheduling` on the workload.
   * @default - any node
   */
  readonly nodeSelector?: { [label: string]: string };

  /**
   * Taints of nodes the pod may run on anyway (`tolerations`),
   * such as `[NodeTaintQuery.is('dedicated', 'web')]`.
   * @default - none
   */
  readonly tolerations?: kplus.NodeTaintQuery[];

  /**
   * DNS settings of the pod: hostname, subdomain, policy, nameservers, searches, options.
   * @default - policy ClusterFirst, the hostname is the pod's name
   */
  readonly dns?: kplus.PodDnsProps;

  /**
   * Extra entries of the pod's `/etc/hosts`.
   * @default - none
   */
  readonly hostAliases?: kplus.HostAlias[];

  /**
   * Secret with the credentials to pull the images (`imagePullSecrets`), of type
   * `kubernetes.io/dockerconfigjson`, such as a cdk8s-plus `DockerConfigSecret`.
   * @default - none: the images are public
   */
  readonly dockerRegistryAuth?: kplus.ISecret;

  /**
   * More volumes for the pod, to mount into its containers with `webContainer.mount()`
   * or into containers added later. Their names must differ from the log volume's and
   * from the names the sidecar reserves (`log-shipper-…`, and `nginx-tmp` when hardened).
   * @default - none
   */
  readonly volumes?: kplus.Volume[];

  /**
   * Time between SIGTERM and SIGKILL when the pod stops: what the shipper has
   * to ship the last lines in (the stream shipper stops within 10 s, Fluent Bit's grace is 10 s).
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;
}

/** The runtime type of each pod-level option. */
export const POD_SPEC_OPTION_TYPES: FieldTypes<PodSpecOptions> = {
  serviceAccount: named('be a cdk8s-plus service account (such as ServiceAccount.fromServiceAccountName(scope, id, name))'),
  automountServiceAccountToken: BOOLEAN,
  nodeSelector: mapOf('be an object of node label names to values', STRING),
  tolerations: arrayOf('be an array of NodeTaintQuery (such as NodeTaintQuery.is(\'dedicated\', \'web\'))',
    madeBy('be a NodeTaintQuery (such as NodeTaintQuery.is(\'dedicated\', \'web\'))')),
  dns: shape<kplus.PodDnsProps>('be an object such as { hostname: \'web\', nameservers: [\'10.0.0.10\'] }', {
    hostname: STRING,
    subdomain: STRING,
    hostnameAsFQDN: BOOLEAN,
    policy: typeOf(`be a DnsPolicy (${Object.values(kplus.DnsPolicy).join(', ')})`, value => Object.values<unknown>(kplus.DnsPolicy).includes(value)),
    nameservers: STRINGS,
    searches: STRINGS,
    options: arrayOf('be an array of { name, value? } DNS options', shape<kplus.DnsOption>('be an object such as { name: \'ndots\', value: \'2\' }', {
      name: STRING,
      value: STRING,
    })),
  }),
  hostAliases: arrayOf('be an array of { ip, hostnames } entries', shape<kplus.HostAlias>('be an object such as { ip: \'10.0.0.1\', hostnames: [\'db.local\'] }', {
    ip: required(STRING),
    hostnames: required(STRINGS),
  })),
  dockerRegistryAuth: named('be a cdk8s-plus Secret (such as a DockerConfigSecret or Secret.fromSecretName(scope, id, name))'),
  volumes: arrayOf('be an array of cdk8s-plus volumes (such as Volume.fromConfigMap(...))', named(
    'be a cdk8s-plus Volume (such as Volume.fromConfigMap(...))', 'asVolume')),
  terminationGracePeriod: DURATION,
};

/** Names of the volumes the pod itself adds, which `volumes` must not take. */
export interface ReservedVolumes {
  /** The shared log volume's name. */
  readonly logVolume: string;
  /** Other names taken by the web server. */
  readonly others: string[];
}

/**
 * Checks the pod-level options' values, after their types: before anything is
 * created. `namespace` is the pod's, when known, for the objects it names.
 */
export function validatePodSpecOptions(options: PodSpecOptions, reserved: ReservedVolumes, namespace?: string): void {
  validateLabels('nodeSelector', options.nodeSelector ?? {});
  (options.tolerations ?? []).forEach((query, i) => validateToleration(`tolerations[${i}]`, query));
  if (options.dns) {
    validateDns(options.dns);
  }
  (options.hostAliases ?? []).forEach((alias, i) => {
    validateIpAddress(`hostAliases[${i}].ip`, alias.ip);
    if (alias.hostnames.length === 0) {
      throw new Error(`hostAliases[${i}].hostnames must list at least one host name, got []`);
    }
    alias.hostnames.forEach((hostname, j) => validateDnsSubdomain(`hostAliases[${i}].hostnames[${j}]`, hostname));
  });
  if (options.serviceAccount) {
    validateDnsSubdomain('serviceAccount name', options.serviceAccount.name);
    validateSameNamespace('serviceAccount', options.serviceAccount, namespace);
  }
  if (options.dockerRegistryAuth) {
    validateDnsSubdomain('dockerRegistryAuth name', options.dockerRegistryAuth.name);
    validateSameNamespace('dockerRegistryAuth', options.dockerRegistryAuth, namespace);
  }
  validateVolumes(options.volumes ?? [], reserved);
  if (options.terminationGracePeriod !== undefined) {
    // Zero is allowed: the pod is killed at once.
    validateWholeSeconds('terminationGracePeriod', options.terminationGracePeriod, Number.MAX_SAFE_INTEGER, 0);
  }
}

/** The options cdk8s-plus takes as they are, for the workload's constructor. */
export function podSpecProps(options: PodSpecOptions): kplus.AbstractPodProps {
  return {
    serviceAccount: options.serviceAccount,
    automountServiceAccountToken: options.automountServiceAccountToken,
    dns: options.dns,
    hostAliases: options.hostAliases,
    dockerRegistryAuth: options.dockerRegistryAuth,
    volumes: options.volumes,
    terminationGracePeriod: options.terminationGracePeriod,
  };
}

/** The options cdk8s-plus has no prop for, applied to the workload once it exists. */
export function applyPodSpecOptions(workload: kplus.AbstractPod, options: PodSpecOptions): void {
  if (options.nodeSelector && Object.keys(options.nodeSelector).length > 0) {
    addNodeSelector(workload, options.nodeSelector);
  }
  if (options.tolerations && options.tolerations.length > 0) {
    (workload as kplus.Pod | kplus.Deployment).scheduling.tolerate(kplus.Node.tainted(...options.tolerations));
  }
}

/**
 * What the API server checks of `dns`, with our messages, and what cdk8s-plus
 * allows: at most 3 nameservers (both), at most 6 search domains (cdk8s-plus
 * throws at synth beyond 6; Kubernetes 1.28 takes 32 of 2048 characters in all,
 * which 6 domains of at most 253 characters cannot exceed).
 */
function validateDns(dns: kplus.PodDnsProps): void {
  if (dns.hostname !== undefined) {
    validateDnsLabel('dns.hostname', dns.hostname);
  }
  if (dns.subdomain !== undefined) {
    validateDnsLabel('dns.subdomain', dns.subdomain);
  }
  const nameservers = dns.nameservers ?? [];
  if (nameservers.length > 3) {
    throw new Error(`dns.nameservers must list at most 3 addresses, got ${show(nameservers)}`);
  }
  nameservers.forEach((address, i) => validateIpAddress(`dns.nameservers[${i}]`, address));
  if (dns.policy === kplus.DnsPolicy.NONE && nameservers.length === 0) {
    throw new Error('dns.nameservers must list at least one address with dns.policy DnsPolicy.NONE, got []');
  }
  const searches = dns.searches ?? [];
  if (searches.length > 6) {
    throw new Error(`dns.searches must list at most 6 domains, got ${show(searches)}`);
  }
  // A trailing dot marks a fully qualified domain, which resolv.conf allows.
  searches.forEach((domain, i) => validateDnsSubdomain(`dns.searches[${i}]`, domain.replace(/\.$/, '')));
  (dns.options ?? []).forEach((option, i) => {
    if (option.name === '' || /\s/.test(option.name)) {
      throw new Error(`dns.options[${i}].name must be a resolver option name such as "ndots", got ${show(option.name)}`);
    }
    validateReadBackAsWritten(`dns.options[${i}].name`, option.name);
    if (option.value !== undefined) {
      validateReadBackAsWritten(`dns.options[${i}].value`, option.value);
    }
  });
}

/**
 * A toleration as cdk8s-plus writes it: its key a qualified name, its value a
 * label value, as the API server requires.
 */
function validateToleration(prop: string, query: kplus.NodeTaintQuery): void {
  // cdk8s-plus has no public accessor for what a query holds, only its internal _toKube(): a version
  // without it skips these checks, and the manifest validation still reads the result.
  if (typeof query._toKube !== 'function') return;
  const toleration = query._toKube();
  if (toleration.key !== undefined && !QUALIFIED_NAME.matches(toleration.key)) {
    throw new Error(`${prop} key must be ${QUALIFIED_NAME.description}, got ${show(toleration.key)}`);
  }
  if (toleration.value !== undefined && !LABEL_VALUE.matches(toleration.value)) {
    throw new Error(`${prop} value must be ${LABEL_VALUE.description}, got ${show(toleration.value)}`);
  }
  for (const [field, text] of [['key', toleration.key], ['value', toleration.value]] as const) {
    if (text !== undefined) {
      validateReadBackAsWritten(`${prop} ${field}`, text);
    }
  }
}

/**
 * A pod can only use a service account or a pull secret of its own namespace.
 * One defined in the app (not one named with `fromServiceAccountName()`, whose
 * namespace is the pod's) is compared when both namespaces are known.
 */
function validateSameNamespace(prop: string, referenced: object, namespace: string | undefined): void {
  let own: string | undefined;
  try {
    own = Construct.isConstruct(referenced) ? ApiObject.of(referenced).metadata.namespace : undefined;
  } catch {
    own = undefined; // an imported reference, with no object of its own
  }
  if (namespace !== undefined && own !== undefined && own !== namespace) {
    throw new Error(`${prop} must be in the pod's namespace ${show(namespace)}, since a pod can only use one of its own namespace, `
      + `got ${show((referenced as { name: string }).name)} in namespace ${show(own)}`);
  }
}

/** An IPv4 or IPv6 address, as `hostAliases` and `dns.nameservers` take: no IPv6 zone, which the API server refuses. */
function validateIpAddress(prop: string, value: string): void {
  if (isIP(value) === 0 || value.includes('%')) {
    throw new Error(`${prop} must be an IPv4 or IPv6 address such as "10.0.0.10", got ${show(value)}`);
  }
}

function validateVolumes(volumes: kplus.Volume[], reserved: ReservedVolumes): void {
  const seen = new Map<string, number>();
  volumes.forEach((volume, i) => {
    validateDnsLabel(`volumes[${i}] name`, volume.name);
    const earlier = seen.get(volume.name);
    if (earlier !== undefined) {
      throw new Error(`volumes[${i}] name repeats volumes[${earlier}]'s, each volume needs a name of its own, got ${show(volume.name)}`);
    }
    seen.set(volume.name, i);
    if (volume.name === reserved.logVolume) {
      throw new Error(`volumes[${i}] name must differ from the log volume's (volumeName), got ${show(volume.name)}`);
    }
    if (reserved.others.includes(volume.name) || volume.name.startsWith(SHIPPER_VOLUME_PREFIX)) {
      throw new Error(`volumes[${i}] name must not be one the pod reserves (${[...reserved.others, `${SHIPPER_VOLUME_PREFIX}…`].map(n => show(n)).join(', ')}), `
        + `got ${show(volume.name)}`);
    }
  });
}
