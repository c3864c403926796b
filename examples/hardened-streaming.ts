import { Chart, ChartProps, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { LoggingSidecarPod, LogShipper } from '../lib';

/**
 * Production-shaped: the "restricted" Pod Security Standard, health checks,
 * every line shipped once as it is written, tagged with its file, and the
 * log volume capped at 256Mi with the shipper rotating each file at 32Mi.
 * A regular sidecar, not a native one, so it also runs on Kubernetes 1.28.
 */
export class HardenedStreamingChart extends Chart {
  public readonly webserver: LoggingSidecarPod;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    this.webserver = new LoggingSidecarPod(this, 'webserver', {
      podName: 'webserver-hardened',
      hardened: true,
      healthChecks: true,
      shipper: LogShipper.stream({ tagWithFileName: true }),
      volumeSizeLimit: Size.mebibytes(256),
    });
  }
}
