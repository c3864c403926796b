/**
 * The shippers `npm run bench:shipping` measures, one entry each. A new
 * shipper is one more entry pointing at its manifest, or synthesizing it.
 * Every container of the pod but `webContainer` counts as the shipper's: its
 * sidecar, and what it brings beside it (Fluent Bit's state keeper), whose
 * CPU and memory are added to the sidecar's.
 */
import { Chart } from 'cdk8s';
import { LoggingSidecarPod, LogShipper } from '../lib';

export interface BenchShipper {
  /** Names the shipper in the JSON and the chart. */
  readonly name: string;
  /** The manifest, relative to the repository root; or else `synthesize`. */
  readonly manifest?: string;
  /** Builds the manifest from the constructs, synthesized into a temporary file for the run; or else `manifest`. */
  readonly synthesize?: (chart: Chart) => void;
  readonly webContainer: string;
  /** Where the web server writes access.log, to count what it logged. */
  readonly webLogDirectory: string;
  readonly sidecarContainer: string;
  readonly webPort: number;
  /**
   * How long to keep watching after the load stops, so that lines still on
   * their way are not counted as lost: at least one read interval.
   */
  readonly drainSeconds: number;
}

export const SHIPPERS: readonly BenchShipper[] = [
  {
    name: 'cat-loop (seed, 30 s)',
    manifest: 'dist/webserver.k8s.yaml',
    webContainer: 'nginx-container',
    webLogDirectory: '/var/log/nginx',
    sidecarContainer: 'sidecar-container',
    webPort: 80,
    drainSeconds: 40,
  },
  {
    // The seed pod with only the shipper changed, so the two differ in nothing else.
    name: 'stream',
    synthesize: chart => new LoggingSidecarPod(chart, 'webserver', { shipper: LogShipper.stream() }),
    webContainer: 'nginx-container',
    webLogDirectory: '/var/log/nginx',
    sidecarContainer: 'sidecar-container',
    webPort: 80,
    drainSeconds: 5,
  },
  {
    // The seed pod with only the shipper changed: Fluent Bit with its default output, stdout
    // (JSON records in the sidecar's log, read through conmon like the others' lines), and the
    // state keeper it brings beside it. Its tail inputs look for new lines every second
    // (refresh_interval, besides inotify) and it flushes every second.
    name: 'fluent-bit (stdout)',
    synthesize: chart => new LoggingSidecarPod(chart, 'webserver', { shipper: LogShipper.fluentBit() }),
    webContainer: 'nginx-container',
    webLogDirectory: '/var/log/nginx',
    sidecarContainer: 'sidecar-container',
    webPort: 80,
    drainSeconds: 5,
  },
];
