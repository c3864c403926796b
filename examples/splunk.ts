import { Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { FluentBitFile, FluentBitOutput, LoggingSidecarPod, LogShipper } from '../lib';

/**
 * Fluent Bit sends nginx's logs to a Splunk HTTP Event Collector over TLS:
 * the HEC token from the Secret `splunk-hec-token`, the server verified
 * against the CA bundle published in the ConfigMap `splunk-ca`.
 */
export class SplunkChart extends Chart {
  public readonly webserver: LoggingSidecarPod;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    const token = kplus.Secret.fromSecretName(this, 'HecToken', 'splunk-hec-token');
    const bundle = kplus.ConfigMap.fromConfigMapName(this, 'SplunkCa', 'splunk-ca');
    this.webserver = new LoggingSidecarPod(this, 'webserver', {
      podName: 'webserver-splunk',
      hardened: true,
      healthChecks: true,
      shipper: LogShipper.fluentBit({
        outputs: [
          FluentBitOutput.splunk({
            host: 'splunk-hec.logging.svc.cluster.local',
            tls: true,
            tlsCa: FluentBitFile.fromConfigMap(bundle, 'ca.crt'),
            token: { secret: token, key: 'token' },
          }),
        ],
      }),
    });
  }
}
