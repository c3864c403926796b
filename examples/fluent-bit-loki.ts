import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { FluentBitOutput, LoggingSidecarPod, LogShipper } from '../lib';

/**
 * Fluent Bit ships nginx's logs, parsed, to Grafana Loki in the `monitoring`
 * namespace, and prints them to the sidecar's own log too.
 */
export class FluentBitLokiChart extends Chart {
  public readonly webserver: LoggingSidecarPod;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    this.webserver = new LoggingSidecarPod(this, 'webserver', {
      podName: 'webserver-fluent-bit',
      hardened: true,
      healthChecks: true,
      shipper: LogShipper.fluentBit({
        outputs: [
          FluentBitOutput.loki({
            host: 'loki-gateway.monitoring.svc.cluster.local',
            port: 80,
            labels: { job: 'nginx', app: 'webserver' },
          }),
          FluentBitOutput.stdout(),
        ],
      }),
    });
  }
}
