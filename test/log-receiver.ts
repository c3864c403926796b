import * as fs from 'fs';
import * as path from 'path';
import { FluentBit, freePort, startFluentBit } from './fluent-bit-process';

// The receiving end of a real round trip: a second Fluent Bit whose `http`
// input takes what the `loki` output sends, whose `elasticsearch` input takes
// the Bulk API requests of the `es` output, and whose `splunk` input takes the
// HEC events of the `splunk` output (checking the token). These are Fluent
// Bit's implementations of those protocols, not Loki, Elasticsearch or Splunk.

export interface LogReceiver {
  readonly lokiPort: number;
  readonly elasticsearchPort: number;
  readonly splunkPort: number;
  readonly forwardPort: number;
  readonly splunkToken: string;
  readonly process: FluentBit;
  /** The log lines received through each protocol, in arrival order, as `{ file, ...parsed fields }`. */
  readonly records: () => { loki: any[]; elasticsearch: any[]; splunk: any[]; forward: any[] };
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | string>;
}

export interface ReceiverPorts {
  readonly lokiPort: number;
  readonly elasticsearchPort: number;
  readonly splunkPort: number;
  readonly forwardPort: number;
}

export interface ReceiverOptions {
  /** The token the splunk input requires. @default 'right-token' */
  readonly splunkToken?: string;
  /** The shared key the forward input requires. @default - none */
  readonly forwardSharedKey?: string;
  /** Serve every input over TLS with this certificate; with `clientCaFile`, require a client certificate of that CA. */
  readonly tls?: { certFile: string; keyFile: string; clientCaFile?: string };
}

/** Picks the receiver's ports, so that it can be stopped and started again on the same ones. */
export async function receiverPorts(): Promise<ReceiverPorts> {
  return { lokiPort: await freePort(), elasticsearchPort: await freePort(), splunkPort: await freePort(), forwardPort: await freePort() };
}

export async function startReceiver(dir: string, ports: ReceiverPorts, options: ReceiverOptions = {}): Promise<LogReceiver> {
  const splunkToken = options.splunkToken ?? 'right-token';
  const tls = options.tls ? {
    'tls': 'on',
    'tls.crt_file': options.tls.certFile,
    'tls.key_file': options.tls.keyFile,
    ...(options.tls.clientCaFile ? { 'tls.verify': 'on', 'tls.ca_file': options.tls.clientCaFile } : { 'tls.verify': 'off' }),
  } : {};
  // With its default http2 on, an HTTP input serving TLS leaves HTTP/1.1 requests unanswered.
  const httpTls = options.tls ? { ...tls, http2: 'off' } : {};
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => ({ name: 'file', path: dir, file: `${name}.jsonl`, format: 'plain' });
  const config = {
    service: { 'flush': '1', 'log_level': 'info', 'http_server': 'on', 'http_listen': '127.0.0.1', 'http_port': String(await freePort()) },
    pipeline: {
      inputs: [
        // The http input tags each request with its URI path (loki.api.v1.push).
        { name: 'http', listen: '127.0.0.1', port: String(ports.lokiPort), tag: 'loki', ...httpTls },
        { name: 'elasticsearch', listen: '127.0.0.1', port: String(ports.elasticsearchPort), tag: 'es', ...httpTls },
        { name: 'splunk', listen: '127.0.0.1', port: String(ports.splunkPort), tag: 'splunk', splunk_token: splunkToken, ...httpTls },
        // Forwarded records keep the sender's tag (nginx.<file>), which the forward output matches below.
        {
          name: 'forward', listen: '127.0.0.1', port: String(ports.forwardPort), tag_prefix: 'forward.', ...tls,
          ...(options.forwardSharedKey ? { shared_key: options.forwardSharedKey, self_hostname: 'receiver' } : {}),
        },
      ],
      outputs: [
        { ...file('loki'), match_regex: '^loki' },
        { ...file('elasticsearch'), match: 'es' },
        { ...file('splunk'), match: 'splunk' },
        { ...file('forward'), match: 'forward.*' },
      ],
    },
  };
  const process = await startFluentBit(config, dir, `receiver-${Date.now()}`);
  const read = (name: string): any[] => {
    const jsonl = path.join(dir, `${name}.jsonl`);
    if (!fs.existsSync(jsonl)) return [];
    return fs.readFileSync(jsonl, 'utf8').split('\n').filter(line => line.endsWith('}')).map(line => JSON.parse(line));
  };
  return {
    ...ports,
    splunkToken,
    process,
    records: () => ({
      // One push carries streams of [timestamp, line] values; each line is the record as JSON.
      // The http output's records arrive on the same input, as they are.
      loki: read('loki').flatMap(push => push.streams?.flatMap((s: any) => s.values.map((v: any) => ({ labels: s.stream, ...JSON.parse(v[1]) }))) ?? [push]),
      elasticsearch: read('elasticsearch'),
      splunk: read('splunk').map(event => event.event),
      forward: read('forward'),
    }),
    stop: signal => process.stop(signal),
  };
}
