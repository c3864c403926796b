import { Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { FluentBitAuth, FluentBitFile, FluentBitOutput, LoggingSidecarPod, LogShipper } from '../lib';

/**
 * Fluent Bit ships nginx's logs to a multi-tenant Loki over TLS: the tenant
 * `team-web`, basic auth with the password from the Secret
 * `loki-credentials`, the server verified against the CA in the Secret
 * `loki-ca`, and each stream labelled with the pod's name and namespace.
 */
export class LokiTlsChart extends Chart {
  public readonly webserver: LoggingSidecarPod;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    const credentials = kplus.Secret.fromSecretName(this, 'LokiCredentials', 'loki-credentials');
    const ca = kplus.Secret.fromSecretName(this, 'LokiCa', 'loki-ca');
    this.webserver = new LoggingSidecarPod(this, 'webserver', {
      podName: 'webserver-loki',
      hardened: true,
      healthChecks: true,
      shipper: LogShipper.fluentBit({
        outputs: [
          FluentBitOutput.loki({
            host: 'loki-gateway.monitoring.svc.cluster.local',
            port: 443,
            tls: true,
            tlsCa: FluentBitFile.fromSecret(ca, 'ca.crt'),
            tenantId: 'team-web',
            auth: FluentBitAuth.basic({ username: 'team-web', password: { secret: credentials, key: 'password' } }),
            labels: { job: 'nginx', app: 'webserver', pod: '${POD_NAME}', namespace: '${POD_NAMESPACE}' },
          }),
        ],
      }),
    });
  }
}
