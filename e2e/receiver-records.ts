import { ReceiverExpectation } from './cases';
import { CheckFailure } from './errors';
import { lastLines } from './exec';
import { Arrival, Channel, indent, jsonObject } from './expectations';
import { containerLogs } from './podman';
import { Receiver } from './receivers';
import { ExpectedLine, FieldCheck, USER_AGENT } from './traffic';

/** A record as a receiver got it, with what the protocol carried beside it. */
interface ReceivedArrival extends Arrival {
  /** loki: the stream's labels. */
  readonly labels?: { readonly [name: string]: unknown };
  /** elasticsearch: the index of the Bulk API `create`. */
  readonly index?: unknown;
  /** The record's time as the protocol carries it, in milliseconds since the epoch; undefined when it could not be read. */
  readonly timeMsSent?: number;
  /** The time as sent, for messages. */
  readonly timeShown: string;
}

/**
 * What a receiver got, one arrival per log line, from the JSON lines its
 * stdout output prints:
 * - loki: a push, `{"streams":[{"stream":{labels},"values":[["<ns>","<line>"],...]}]}`;
 *   with `line_format json` each line is the record as JSON;
 * - elasticsearch: one document, `{"@meta":{"create":{"_index":...}},"@timestamp":...,<record>}`;
 * - splunk: one HEC event, `{"time":<seconds>,"event":{<record>}}`.
 * `addedFields` as in Channel.
 */
export function receiverChannel(r: ReceiverExpectation, receiver: Receiver, sidecar: string, addedFields?: { readonly [field: string]: FieldCheck }): Channel {
  const where = `${r.host}:${r.port}`;
  return {
    name: `the ${r.protocol} receiver (${where})`,
    verb: 'received',
    format: 'json-records',
    tagged: false,
    addedFields,
    read: async () => (await containerLogs(receiver.container)).flatMap(line => arrivals(r, line.timeMs, jsonObject(line.text))),
    extraChecks: (arrival, line) => receivedProblems(arrival as ReceivedArrival, line, r),
    hint: async () => {
      const out = async (name: string) => indent(lastLines((await containerLogs(name).catch(() => [])).map(l => l.text).join('\n'), 5) || '(nothing at all)');
      return `does ${r.host} resolve to the receiver (hostAliases), and does the shipper's ${r.protocol} output reach port ${r.port}? `
        + `Last sidecar output:\n${await out(sidecar)}\n       Last receiver output:\n${await out(receiver.container)}`
        + (receiver.front ? `\n       Last output of the nginx in front (status, user, tenant):\n${await out(receiver.front)}` : '');
    },
  };
}

function arrivals(r: ReceiverExpectation, timeMs: number, json: { [field: string]: unknown } | undefined): ReceivedArrival[] {
  if (!json) return [];
  switch (r.protocol) {
    case 'loki': {
      if (!Array.isArray(json.streams)) return [];
      return (json.streams as any[]).flatMap(stream => (stream?.values ?? []).map(([ns, text]: [unknown, unknown]) => {
        const nsText = String(ns);
        return {
          timeMs, text: String(text), record: jsonObject(String(text)) ?? { log: text }, labels: stream.stream ?? {},
          ...nanoseconds(nsText), timeShown: nsText,
        };
      }));
    }
    case 'elasticsearch': {
      if (!('@timestamp' in json)) return [];
      const stamp = String(json['@timestamp']);
      return [{ timeMs, text: JSON.stringify(json), record: json, index: (json['@meta'] as any)?.create?._index, timeMsSent: Date.parse(stamp), timeShown: stamp }];
    }
    case 'splunk': {
      if (typeof json.event !== 'object' || json.event === null) return [];
      return [{ timeMs, text: JSON.stringify(json.event), record: json.event as any, timeMsSent: typeof json.time === 'number' ? json.time * 1000 : undefined, timeShown: String(json.time) }];
    }
  }
}

/** Loki's nanoseconds as milliseconds, without losing a fraction of a second. */
function nanoseconds(ns: string): { timeMsSent?: number } {
  if (!/^\d+$/.test(ns)) return {};
  const n = BigInt(ns);
  return { timeMsSent: Number(n / 1_000_000n) + Number(n % 1_000_000n) / 1e6 };
}

/**
 * The stream labels (loki) and the index (elasticsearch) are the manifest's,
 * and the record's time is the line's own (the parser's time_key, whole
 * seconds as nginx writes them), not when it was read.
 */
function receivedProblems(arrival: ReceivedArrival, line: ExpectedLine, r: ReceiverExpectation): string[] {
  const problems: string[] = [];
  const sorted = (labels: { readonly [name: string]: unknown }) => JSON.stringify(Object.keys(labels).sort().map(k => [k, labels[k]]));
  if (r.protocol === 'loki' && sorted(arrival.labels ?? {}) !== sorted(r.labels ?? {})) {
    problems.push(`its stream labels are ${JSON.stringify(arrival.labels)}, expected ${JSON.stringify(r.labels ?? {})}`);
  }
  if (r.index !== undefined && arrival.index !== r.index) problems.push(`it was created in index ${JSON.stringify(arrival.index)}, expected ${JSON.stringify(r.index)}`);
  const ms = arrival.timeMsSent;
  if (ms === undefined || Number.isNaN(ms)) return [...problems, `its time ${JSON.stringify(arrival.timeShown)} cannot be read`];
  const sentS = Math.floor(line.sentAtMs / 1000);
  // nginx writes whole seconds; a fraction means Fluent Bit stamped the time it read the line.
  if (Math.abs(ms - Math.round(ms / 1000) * 1000) > 0.5) {
    problems.push(`its time ${arrival.timeShown} has a fraction of a second: it is when the line was read, not the time nginx wrote in it (${line.record.parser}'s time_key)`);
  } else if (ms / 1000 < sentS - 1 || ms / 1000 > sentS + 2) {
    problems.push(`its time ${arrival.timeShown} is not the line's time (the request was sent at ${new Date(line.sentAtMs).toISOString()}): is ${line.record.parser}'s time_format right?`);
  }
  return problems;
}

/**
 * What the nginx in front of a receiver logged of the shipper's requests
 * (those not sent by the e2e itself): each one passed on (2xx) and made as
 * the user and for the tenant the case says. Returns a line for the output.
 */
export async function checkFrontLog(r: ReceiverExpectation, receiver: Receiver): Promise<string> {
  if (!receiver.front) throw new Error('no nginx in front of this receiver');
  const lines = (await containerLogs(receiver.front)).map(l => l.text);
  const requests = lines.map(text => ({ text, m: /^(\d{3}) (\S+) (\S+) user=(\S*) tenant=(\S*) agent="(.*)"$/.exec(text) }))
    .filter(x => x.m && x.m[6] !== USER_AGENT);
  if (requests.length === 0) throw new CheckFailure(`the nginx in front of the ${r.protocol} receiver logged no request of the shipper; its output:\n${indent(lastLines(lines.join('\n'), 5))}`);
  const wrong = requests.filter(({ m }) => !m![1].startsWith('2') || (r.basicAuth && m![4] !== r.basicAuth.username) || (r.tenant && m![5] !== r.tenant));
  if (wrong.length) {
    throw new CheckFailure(`the nginx in front of the ${r.protocol} receiver logged ${wrong.length} of ${requests.length} requests of the shipper `
      + `not passed on as ${r.basicAuth?.username ?? 'anyone'}${r.tenant ? ` for tenant ${r.tenant}` : ''} (status user tenant):\n${indent(wrong.slice(0, 3).map(w => w.text).join('\n'))}`);
  }
  const agents = [...new Set(requests.map(({ m }) => m![6]))];
  return `${requests.length} requests of ${agents.join(', ')} to ${[...new Set(requests.map(({ m }) => `${m![2]} ${m![3]}`))].join(', ')}, `
    + `each passed on (${[...new Set(requests.map(({ m }) => m![1]))].join(', ')}) as user ${r.basicAuth?.username ?? '-'}${r.tenant ? `, tenant ${r.tenant}` : ''}`;
}
