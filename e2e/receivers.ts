import * as fs from 'fs';
import { Yaml } from 'cdk8s';
import { ReceiverExpectation } from './cases';
import { Arrival, Channel, indent, jsonObject } from './expectations';
import { lastLines } from './exec';
import { containerLogs, playedContainerName } from './podman';
import { ExpectedLine } from './traffic';

/**
 * The receiving end of a shipper's output, played in a pod of its own on
 * podman's bridge: Fluent Bit (the image the manifests use for the sidecar,
 * so stand-in or official alike) with the input for the protocol, printing
 * every request it accepts to its stdout as one JSON line. This is Fluent
 * Bit's implementation of the protocol's receiving side, not the real service
 * (for Loki: no storage, no label or order checks); the e2e reads what the
 * shipper sent from that stdout.
 */
export interface Receiver {
  readonly podName: string;
  readonly container: string;
  /** The Pod and its ConfigMap, for `podman kube play`. */
  readonly objects: readonly any[];
  /** Where its health endpoint answers, on the pod IP. */
  readonly healthPort: number;
  readonly healthPath: string;
}

const IMAGE = 'cr.fluentbit.io/fluent/fluent-bit:3.2.10';
const CONFIG_DIR = '/fluent-bit/etc/receiver';

export function receiverFor(r: ReceiverExpectation, index: number): Receiver {
  const podName = `cdk8s-e2e-${r.protocol}-receiver${index ? `-${index + 1}` : ''}`;
  const config = {
    service: { 'flush': '0.2', 'log_level': 'info', 'http_server': 'on', 'http_listen': '0.0.0.0', 'http_port': '2020', 'health_check': 'on', 'grace': '0' },
    pipeline: {
      // Loki's push API is JSON over HTTP: the http input takes each body as one record.
      // It tags records with the URI path (loki.api.v1.push), hence `*`.
      inputs: [{ name: 'http', listen: '0.0.0.0', port: String(r.port) }],
      outputs: [{ name: 'stdout', match: '*', format: 'json_lines' }],
    },
  };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName },
    spec: {
      restartPolicy: 'Never',
      containers: [{
        name: 'receiver',
        image: IMAGE,
        imagePullPolicy: 'Always',
        args: ['-c', `${CONFIG_DIR}/fluent-bit.yaml`],
        // No `ports`: podman 4.3 would publish them on the host. The pod IP is enough.
        volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
      }],
      volumes: [{ name: 'config', configMap: { name: podName } }],
    },
  };
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: podName }, data: { 'fluent-bit.yaml': Yaml.stringify(config) } };
  return { podName, container: playedContainerName(podName, 'receiver'), objects: [pod, configMap], healthPort: 2020, healthPath: '/api/v1/health' };
}

/** A record as the Loki receiver got it: one value of one stream of one push. */
interface LokiArrival extends Arrival {
  readonly labels: { readonly [name: string]: unknown };
  /** The value's timestamp, nanoseconds since the epoch, as sent. */
  readonly timeNs: string;
}

/**
 * What the receiver got, one arrival per log line: pushes are
 * `{"streams":[{"stream":{labels},"values":[["<ns>","<line>"],...]}]}`, and
 * with `line_format json` each line is the record as JSON.
 */
export function receiverChannel(r: ReceiverExpectation, receiver: Receiver, sidecar: string): Channel {
  const where = `${r.host}:${r.port}`;
  return {
    name: `the ${r.protocol} receiver (${where})`,
    verb: 'received',
    format: 'json-records',
    tagged: false,
    read: async () => {
      const arrivals: LokiArrival[] = [];
      for (const line of await containerLogs(receiver.container)) {
        const push = jsonObject(line.text);
        if (!Array.isArray(push?.streams)) continue;
        for (const stream of push!.streams as any[]) {
          for (const [timeNs, text] of stream?.values ?? []) {
            arrivals.push({ timeMs: line.timeMs, text: String(text), record: jsonObject(String(text)) ?? { log: text }, labels: stream.stream ?? {}, timeNs: String(timeNs) });
          }
        }
      }
      return arrivals;
    },
    extraChecks: (arrival, line) => lokiProblems(arrival as LokiArrival, line, r),
    hint: async () => {
      const out = async (name: string) => indent(lastLines((await containerLogs(name).catch(() => [])).map(l => l.text).join('\n'), 5) || '(nothing at all)');
      return `does ${r.host} resolve to the receiver (hostAliases), and does the shipper's ${r.protocol} output reach port ${r.port}? `
        + `Last sidecar output:\n${await out(sidecar)}\n       Last receiver output:\n${await out(receiver.container)}`;
    },
  };
}

/** The stream labels are the manifest's, and the timestamp is the line's own time (the parser's time_key), not when it was read. */
function lokiProblems(arrival: LokiArrival, line: ExpectedLine, r: ReceiverExpectation): string[] {
  const problems: string[] = [];
  const sorted = (labels: { readonly [name: string]: unknown }) => JSON.stringify(Object.keys(labels).sort().map(k => [k, labels[k]]));
  if (sorted(arrival.labels) !== sorted(r.labels)) {
    problems.push(`its stream labels are ${JSON.stringify(arrival.labels)}, expected ${JSON.stringify(r.labels)}`);
  }
  if (!/^\d+$/.test(arrival.timeNs)) return [...problems, `its timestamp ${JSON.stringify(arrival.timeNs)} is not nanoseconds`];
  const ns = BigInt(arrival.timeNs);
  const seconds = Number(ns / 1_000_000_000n);
  const sentS = Math.floor(line.sentAtMs / 1000);
  const shown = new Date(Number(ns / 1_000_000n)).toISOString();
  // nginx writes whole seconds; a fraction means Fluent Bit stamped the time it read the line.
  if (ns % 1_000_000_000n !== 0n) {
    problems.push(`its timestamp ${shown} has a fraction of a second: it is when the line was read, not the time nginx wrote in it (${line.record.parser}'s time_key)`);
  } else if (seconds < sentS - 1 || seconds > sentS + 2) {
    problems.push(`its timestamp ${shown} is not the line's time (the request was sent at ${new Date(line.sentAtMs).toISOString()}): is ${line.record.parser}'s time_format right?`);
  }
  return problems;
}

/**
 * A copy of a manifest whose Pod also maps each host name to an IP in
 * /etc/hosts (`spec.hostAliases`), the e2e's stand-in for cluster DNS. The
 * only change; the rest of the file is the original's, object for object.
 */
export function writeWithHostAliases(source: string, target: string, aliases: readonly { readonly ip: string; readonly hostnames: readonly string[] }[]): void {
  const objects = Yaml.load(source).filter(o => o);
  for (const o of objects) {
    if (o.kind !== 'Pod') continue;
    o.spec.hostAliases = [...(o.spec.hostAliases ?? []), ...aliases.map(a => ({ ip: a.ip, hostnames: [...a.hostnames] }))];
  }
  fs.writeFileSync(target, Yaml.stringify(...objects));
}
