/**
 * The shippers `npm run bench:shipping` measures, one entry each. A new
 * shipper is one more entry pointing at its synthesized manifest.
 */
export interface BenchShipper {
  /** Names the shipper in the JSON and the chart. */
  readonly name: string;
  /** The manifest, relative to the repository root. */
  readonly manifest: string;
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
  // { name: 'stream', manifest: 'dist/examples/stream.k8s.yaml', webContainer: 'nginx-container',
  //   sidecarContainer: 'sidecar-container', webPort: 80, drainSeconds: 5 },
];
