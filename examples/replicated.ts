import { Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LoggingSidecarDeployment, LogShipper } from '../lib';

/**
 * Replicated: three hardened nginx pods with health checks, each shipping
 * every line once through the stream shipper, on Linux nodes only, behind a
 * ClusterIP Service on port 80 for the web port alone.
 */
export class ReplicatedChart extends Chart {
  public readonly web: LoggingSidecarDeployment;
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    this.web = new LoggingSidecarDeployment(this, 'web', {
      deploymentName: 'webserver-replicated',
      replicas: 3,
      hardened: true,
      healthChecks: true,
      shipper: LogShipper.stream(),
      metadata: { labels: { 'app.kubernetes.io/name': 'webserver' } },
      podMetadata: { labels: { 'app.kubernetes.io/name': 'webserver' } },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
    });
    this.service = this.web.exposeViaService();
  }
}
