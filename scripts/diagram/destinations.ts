import { FluentBitOutputSettings } from './fluent-bit-config';

/** Where a shipper's output goes, before it is given its place in the pod graph. */
export interface Destination {
  readonly via: string;
  readonly title: string;
  readonly details: string[];
}

/** Fluent Bit's output plugins by what they send to; others are shown by their plugin name. */
const TITLES: { readonly [plugin: string]: string } = {
  loki: 'Grafana Loki',
  es: 'Elasticsearch',
  opensearch: 'OpenSearch',
  splunk: 'Splunk HEC',
  http: 'HTTP endpoint',
  forward: 'Fluentd / Fluent Bit (forward)',
};

/**
 * A container's standard output, read with `kubectl logs`: where a shipper
 * that prints the lines sends them. `logsTarget` is what `kubectl logs` is given for the pod.
 */
export function stdoutDestination(logsTarget: string, container: string): Destination {
  return { via: 'stdout', title: 'stdout', details: [`kubectl logs ${logsTarget}`, `-c ${container}`] };
}

/** Where a Fluent Bit output sends the records; `stdout` is the container's own. */
export function fluentBitDestination(output: FluentBitOutputSettings, logsTarget: string, container: string): Destination {
  if (output.name === 'stdout') {
    return stdoutDestination(logsTarget, container);
  }
  const hostPort = output.host === undefined ? undefined : output.port === undefined ? output.host : `${output.host}:${output.port}`;
  const address = [hostPort, output.uri].filter(part => part !== undefined).join('');
  return {
    via: output.tls ? `${output.name}, TLS` : output.name,
    title: TITLES[output.name] ?? `Fluent Bit output ${output.name}`,
    details: address === '' ? [] : [address],
  };
}
