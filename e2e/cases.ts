/**
 * What each manifest promises, one entry per manifest the e2e plays. Adding a
 * shipper or an example is one entry here; the checks are generic.
 */
import { Chart, Duration, Size } from 'cdk8s';
import { LoggingSidecarPod, LogShipper } from '../lib';
import { DEFAULT_NAMESPACE } from './played-copy';

/**
 * How the sidecar ships log lines.
 *
 * - `reprint-every-interval`: the seed's `cat` loop. It prints each file
 *   whole every `intervalSeconds`, so every line shows up at least once within
 *   one interval (plus `slackSeconds` for start-up and scheduling), and again
 *   on every later read: duplicates are expected.
 * - `exactly-once`: a streaming shipper. Every line shows up once, within
 *   `maxDelaySeconds`, and no second time while the e2e watches for
 *   `settleSeconds` more.
 */
export type ShipperExpectation =
  | { readonly kind: 'reprint-every-interval'; readonly intervalSeconds: number; readonly slackSeconds: number }
  | { readonly kind: 'exactly-once'; readonly maxDelaySeconds: number; readonly settleSeconds: number };

/**
 * How the sidecar prints what it ships.
 *
 * - `lines`: each log line as nginx wrote it, looked for as text.
 * - `json-records`: one JSON object per line (Fluent Bit's `json_lines`) with
 *   the fields nginx's line was parsed into (`nginx_main` for access.log,
 *   `nginx_error` for error.log, and the file it came from): looked for, and
 *   held to every field, as a record.
 */
export type PrintedFormat = 'lines' | 'json-records';

/**
 * A service outside the pod that the shipper sends to. The e2e plays a
 * receiver for it in a pod of its own on podman's bridge, and plays a copy of
 * the manifest whose Pod also has `spec.hostAliases` mapping `host` to that
 * pod's IP: the stand-in for cluster DNS. The receiver is Fluent Bit's own
 * input for the protocol (the Fluent Bit image), not the real service; where
 * the service checks credentials Fluent Bit cannot (basic auth, a Loki
 * tenant), nginx (the nginx image) stands in front of it and checks them.
 */
export interface ReceiverExpectation {
  /**
   * - `loki`: a Fluent Bit `http` input takes the pushes (`POST /loki/api/v1/push`, JSON streams);
   * - `elasticsearch`: a Fluent Bit `elasticsearch` input takes the Bulk API requests (`POST /_bulk`);
   * - `splunk`: a Fluent Bit `splunk` input takes the HEC events (`POST /services/collector/event`).
   */
  readonly protocol: 'loki' | 'elasticsearch' | 'splunk';
  /** The name the manifest sends to, as cluster DNS would resolve it. */
  readonly host: string;
  readonly port: number;
  /**
   * loki: the stream labels every push must carry, exactly.
   * @default - no labels
   */
  readonly labels?: { readonly [name: string]: string };
  /**
   * elasticsearch: the index every document must be created in.
   * @default - not checked
   */
  readonly index?: string;
  /**
   * The receiver serves TLS with a certificate for `host` signed by a CA the
   * e2e makes with openssl for the run; the manifest reads that CA from this
   * Secret or ConfigMap key, which the e2e fills with it.
   * @default - plain HTTP
   */
  readonly tlsCa?: ObjectKey;
  /**
   * The receiver requires HTTP basic auth as `username`, with a password the
   * e2e makes for the run and puts in this Secret key.
   * @default - no authentication
   */
  readonly basicAuth?: { readonly username: string; readonly password: ObjectKey };
  /**
   * loki: the receiver takes pushes for this tenant only (`X-Scope-OrgID`).
   * @default - any tenant
   */
  readonly tenant?: string;
  /**
   * splunk: the receiver requires a HEC token (`Authorization: Splunk TOKEN`)
   * the e2e makes for the run and puts in this Secret key.
   * @default - no token
   */
  readonly token?: ObjectKey;
}

/** One key of a Secret or of a ConfigMap the manifest names but does not define: the cluster's, filled by the e2e. */
export interface ObjectKey {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly name: string;
  readonly key: string;
}

/**
 * The shipper rotates the log files (`--rotate-bytes`, in the sidecar or in a
 * container beside it), and the e2e writes enough log for several rotations.
 */
export interface RotationExpectation {
  /** The size the manifest rotates each file at (the rotating container's `--rotate-bytes`). */
  readonly rotateAtBytes: number;
  /** The shared emptyDir's sizeLimit, which the volume must stay under (podman does not enforce it). */
  readonly volumeSizeLimitBytes: number;
  /** How much access log the e2e writes, with long unique request paths. */
  readonly logBytes: number;
  /** How fast, steadily: rotation is by polling, so a burst overshoots the size by what one poll lets through. */
  readonly logBytesPerSecond: number;
  /**
   * The container that rotates, when it is not the sidecar: a companion of the
   * shipper (Fluent Bit's rotator). It must run and print nothing while it
   * rotates: it only speaks when something went wrong (a rotation undone, a
   * copy deleted before it was read, nginx out of reach).
   * @default - the sidecar rotates
   */
  readonly rotator?: string;
}

/**
 * A container beside the sidecar that keeps the shipper's state usable: Fluent
 * Bit's state keeper, which moves a damaged position database aside so that
 * Fluent Bit (which exits at start on one) does not crash-loop. After the
 * case's traffic has been shipped, the e2e overwrites one position database
 * with garbage through the state volume's directory on the host, waits for the
 * keeper to say it moved it aside, kills Fluent Bit's process (as a crash or
 * the OOM killer would: the pod's restartPolicy restarts it), and expects it
 * healthy again, shipping new requests exactly as the case promises.
 */
export interface StateKeeperExpectation {
  /** The keeper's container. */
  readonly container: string;
  /** The log file whose position database (its tail input's `db` in the manifest's Fluent Bit configuration) is damaged. */
  readonly damagedDatabaseOf: 'access.log' | 'error.log';
  /** How soon the keeper must say it moved the file aside: its interval and some slack. */
  readonly movedAsideWithinSeconds: number;
  /** How soon Fluent Bit must answer its health check again after the kill. */
  readonly healthyWithinSeconds: number;
}

export interface E2eCase {
  /** Names the case in output and in `--case`. */
  readonly name: string;
  /** The manifest, relative to the repository root; or else `synthesize`. */
  readonly manifest?: string;
  /** Builds the manifest from the constructs, synthesized into a temporary file for the run; or else `manifest`. */
  readonly synthesize?: (chart: Chart) => void;
  /**
   * Why the manifest cannot be played here; the case checks that the manifest
   * exists and names the case's containers, then prints SKIP with the reason.
   * @default - played
   */
  readonly skip?: string;
  /** The container that serves HTTP and writes the logs. */
  readonly webContainer: string;
  /** The directory the web server writes access.log and error.log to (a fact of the image). */
  readonly webLogDirectory: string;
  /** The container that ships the logs. */
  readonly sidecarContainer: string;
  /** The directory the sidecar reads, as seen inside the sidecar. */
  readonly sidecarLogDirectory: string;
  /** The HTTP port of the web container. */
  readonly webPort: number;
  /** What the sidecar promises about the lines it prints. */
  readonly shipper: ShipperExpectation;
  /**
   * The shipper prefixes each line with its file, as `[access.log] `: every
   * line is looked for with that prefix.
   * @default false
   */
  readonly taggedWithFileName?: boolean;
  /**
   * How the sidecar prints the lines it ships; `nothing` when its only outputs
   * are the receivers (it prints its own log only), where the lines are then
   * looked for.
   * @default 'lines'
   */
  readonly printed?: PrintedFormat | 'nothing';
  /**
   * Where else the shipper sends every line, as parsed records, under the
   * same promise as `shipper` (also exactly once, where it says so).
   * @default - only the sidecar's output
   */
  readonly receivers?: readonly ReceiverExpectation[];
  /**
   * The shipper rotates the logs; checked under a log volume of several rotations.
   * @default - no rotation expected
   */
  readonly rotation?: RotationExpectation;
  /**
   * A state keeper runs beside the sidecar; checked by damaging a position database.
   * @default - none expected
   */
  readonly stateKeeper?: StateKeeperExpectation;
}

const MiB = 2 ** 20;

/** The rotation cases: a few MiB of log rotated at 1 MiB several times, in an 8 MiB volume. */
const ROTATION_PROPS = { rotateLogsAt: Size.mebibytes(1), volumeSizeLimit: Size.mebibytes(8) };
/** 1 s, so that the 0.6 MiB/s of ROTATION_LOAD stays under 1 MiB per rotateWait and each file rotates on time. */
const ROTATE_WAIT = Duration.seconds(1);
const ROTATION_LOAD: RotationExpectation = { rotateAtBytes: 1 * MiB, volumeSizeLimitBytes: 8 * MiB, logBytes: 4 * MiB, logBytesPerSecond: 0.6 * MiB };

/**
 * The Fluent Bit examples' hardened pod (nginx-unprivileged, Fluent Bit as
 * uid 101 beside its state keeper); in the backend examples the one output
 * is the backend, so the sidecar prints none of the lines. Flushes every
 * second; a line sent twice (a retry) is a failure.
 */
const FLUENT_BIT_EXAMPLE = {
  webContainer: 'nginx-container',
  webLogDirectory: '/var/log/nginx',
  sidecarContainer: 'sidecar-container',
  sidecarLogDirectory: '/var/log/nginx',
  webPort: 8080,
  shipper: { kind: 'exactly-once', maxDelaySeconds: 5, settleSeconds: 3 },
  printed: 'nothing',
} as const;

export const CASES: readonly E2eCase[] = [
  {
    name: 'webserver',
    manifest: 'dist/webserver.k8s.yaml',
    webContainer: 'nginx-container',
    webLogDirectory: '/var/log/nginx',
    sidecarContainer: 'sidecar-container',
    sidecarLogDirectory: '/var/log/nginx',
    webPort: 80,
    shipper: { kind: 'reprint-every-interval', intervalSeconds: 30, slackSeconds: 10 },
  },
  {
    // nginxinc/nginx-unprivileged as uid 101 with a read-only root, and the tagging stream shipper.
    name: 'hardened-streaming',
    manifest: 'dist/examples/hardened-streaming.k8s.yaml',
    webContainer: 'nginx-container',
    webLogDirectory: '/var/log/nginx',
    sidecarContainer: 'sidecar-container',
    sidecarLogDirectory: '/var/log/nginx',
    webPort: 8080,
    shipper: { kind: 'exactly-once', maxDelaySeconds: 2, settleSeconds: 5 },
    taggedWithFileName: true,
  },
  {
    // A LoggingSidecarDeployment's pod (hardened, health checks, the stream shipper), played from its template.
    name: 'replicated',
    manifest: 'dist/examples/replicated.k8s.yaml',
    webContainer: 'nginx-container',
    webLogDirectory: '/var/log/nginx',
    sidecarContainer: 'sidecar-container',
    sidecarLogDirectory: '/var/log/nginx',
    webPort: 8080,
    shipper: { kind: 'exactly-once', maxDelaySeconds: 2, settleSeconds: 5 },
  },
  {
    // The seed pod with the stream shipper rotating at 1Mi, so that a few MiB of log rotate several times.
    name: 'rotation',
    synthesize: chart => new LoggingSidecarPod(chart, 'webserver', {
      podName: 'webserver-rotation',
      shipper: LogShipper.stream({ rotateWait: ROTATE_WAIT }),
      ...ROTATION_PROPS,
    }),
    webContainer: 'nginx-container',
    webLogDirectory: '/var/log/nginx',
    sidecarContainer: 'sidecar-container',
    sidecarLogDirectory: '/var/log/nginx',
    webPort: 80,
    shipper: { kind: 'exactly-once', maxDelaySeconds: 2, settleSeconds: 6 },
    rotation: ROTATION_LOAD,
  },
  {
    // Fluent Bit (uid 101, read-only root) parses both logs and sends them to Loki and to its stdout.
    name: 'fluent-bit-loki',
    manifest: 'dist/examples/fluent-bit-loki.k8s.yaml',
    ...FLUENT_BIT_EXAMPLE,
    // It prints every record to its stdout too.
    printed: 'json-records',
    receivers: [{ protocol: 'loki', host: 'loki-gateway.monitoring.svc.cluster.local', port: 80, labels: { job: 'nginx', app: 'webserver' } }],
    // Looks every 2 s.
    stateKeeper: { container: 'sidecar-container-state-keeper', damagedDatabaseOf: 'access.log', movedAsideWithinSeconds: 4, healthyWithinSeconds: 10 },
  },
  {
    // The seed pod with Fluent Bit (its default stdout output) and its rotator beside it, rotating at 1Mi.
    name: 'fluent-bit-rotation',
    synthesize: chart => new LoggingSidecarPod(chart, 'webserver', {
      podName: 'webserver-fluent-bit-rotation',
      shipper: LogShipper.fluentBit({ rotateWait: ROTATE_WAIT }),
      ...ROTATION_PROPS,
    }),
    webContainer: 'nginx-container',
    webLogDirectory: '/var/log/nginx',
    sidecarContainer: 'sidecar-container',
    sidecarLogDirectory: '/var/log/nginx',
    webPort: 80,
    // Flushes every second and finds the new file within its 1 s refresh_interval.
    shipper: { kind: 'exactly-once', maxDelaySeconds: 5, settleSeconds: 4 },
    printed: 'json-records',
    rotation: { ...ROTATION_LOAD, rotator: 'sidecar-container-rotator' },
  },
  {
    // Loki over TLS for the tenant team-web, basic auth with the password from a Secret, the CA from a Secret.
    name: 'loki-tls',
    manifest: 'dist/examples/loki-tls.k8s.yaml',
    ...FLUENT_BIT_EXAMPLE,
    receivers: [{
      protocol: 'loki',
      host: 'loki-gateway.monitoring.svc.cluster.local',
      port: 443,
      labels: { job: 'nginx', app: 'webserver', pod: 'webserver-loki', namespace: DEFAULT_NAMESPACE },
      tlsCa: { kind: 'Secret', name: 'loki-ca', key: 'ca.crt' },
      basicAuth: { username: 'team-web', password: { kind: 'Secret', name: 'loki-credentials', key: 'password' } },
      tenant: 'team-web',
    }],
  },
  {
    // Elasticsearch (as ECK names its Secrets) over TLS, basic auth as elastic with the password from a Secret.
    name: 'elasticsearch',
    manifest: 'dist/examples/elasticsearch.k8s.yaml',
    ...FLUENT_BIT_EXAMPLE,
    receivers: [{
      protocol: 'elasticsearch',
      host: 'elasticsearch-es-http.logging.svc.cluster.local',
      port: 9200,
      index: 'nginx',
      tlsCa: { kind: 'Secret', name: 'elasticsearch-es-http-certs-public', key: 'ca.crt' },
      basicAuth: { username: 'elastic', password: { kind: 'Secret', name: 'elasticsearch-es-elastic-user', key: 'elastic' } },
    }],
  },
  {
    // Splunk HEC over TLS, the token from a Secret, the CA from a ConfigMap.
    name: 'splunk',
    manifest: 'dist/examples/splunk.k8s.yaml',
    ...FLUENT_BIT_EXAMPLE,
    receivers: [{
      protocol: 'splunk',
      host: 'splunk-hec.logging.svc.cluster.local',
      port: 8088,
      tlsCa: { kind: 'ConfigMap', name: 'splunk-ca', key: 'ca.crt' },
      token: { kind: 'Secret', name: 'splunk-hec-token', key: 'token' },
    }],
  },
];
