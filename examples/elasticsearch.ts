import { Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { FluentBitAuth, FluentBitFile, FluentBitOutput, LoggingSidecarPod, LogShipper } from '../lib';

/**
 * Fluent Bit indexes nginx's logs in an Elasticsearch run by the Elastic
 * operator (ECK) as `elasticsearch`: the user `elastic` with its password
 * from the Secret ECK creates, over TLS verified against the CA ECK
 * publishes.
 */
export class ElasticsearchChart extends Chart {
  public readonly webserver: LoggingSidecarPod;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    const user = kplus.Secret.fromSecretName(this, 'ElasticUser', 'elasticsearch-es-elastic-user');
    const certificates = kplus.Secret.fromSecretName(this, 'ElasticCa', 'elasticsearch-es-http-certs-public');
    this.webserver = new LoggingSidecarPod(this, 'webserver', {
      podName: 'webserver-elasticsearch',
      hardened: true,
      healthChecks: true,
      shipper: LogShipper.fluentBit({
        outputs: [
          FluentBitOutput.elasticsearch({
            host: 'elasticsearch-es-http.logging.svc.cluster.local',
            tls: true,
            tlsCa: FluentBitFile.fromSecret(certificates, 'ca.crt'),
            auth: FluentBitAuth.basic({ username: 'elastic', password: { secret: user, key: 'elastic' } }),
            index: 'nginx',
          }),
        ],
      }),
    });
  }
}
