import * as http from 'http';
import { jsonObject } from '../e2e/expectations';
import { get } from '../e2e/traffic';

/** One request of the load, with the time it left. */
export interface SentRequest {
  readonly seq: number;
  readonly sentAtMs: number;
  status: number;
}

/**
 * A steady, open-loop HTTP load: request i leaves at start + i/rate whatever
 * the answers, so a slow server does not slow the load (wrk's closed loop
 * would). Bounded in count (rate x duration) and each request in time; every
 * path carries the run id and a sequence number the bench matches lines by.
 */
export async function steadyLoad(base: string, runId: string, ratePerSecond: number, durationSeconds: number): Promise<SentRequest[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const total = Math.round(ratePerSecond * durationSeconds);
  const sent: SentRequest[] = [];
  const pending: Promise<void>[] = [];
  const start = Date.now();
  for (let seq = 0; seq < total; seq++) {
    const due = start + (seq * 1000) / ratePerSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise(r => setTimeout(r, wait));
    const request: SentRequest = { seq, sentAtMs: Date.now(), status: 0 };
    sent.push(request);
    pending.push(get(`${base}/?bench=${runId}-${seq}`, 5000, agent).then(status => { request.status = status; }));
  }
  await Promise.all(pending);
  agent.destroy();
  return sent;
}

/** The path of request `seq`, as nginx logs it in the request line. */
export function requestNeedle(runId: string): RegExp {
  return new RegExp(`"GET /\\?bench=${runId}-(\\d+) HTTP/1\\.1"`);
}

/**
 * Which request of the load a line a shipper printed is, or undefined. The
 * line is either nginx's access-log line as is (the cat loop, the stream
 * shipper) or a JSON record (Fluent Bit's `json_lines`): then the request is
 * its `path` field, as a parser such as nginx_main makes it (`/?bench=ID-SEQ`),
 * or else the raw line held unparsed in any string field (`log`), so that a
 * parser that fails still counts the line as shipped.
 */
export function printedRequest(runId: string): (text: string) => number | undefined {
  const raw = requestNeedle(runId);
  const parsedPath = new RegExp(`^/\\?bench=${runId}-(\\d+)$`);
  const seq = (m: RegExpExecArray | null) => (m ? Number(m[1]) : undefined);
  return text => {
    const record = jsonObject(text);
    if (!record) return seq(raw.exec(text));
    const parsed = typeof record.path === 'string' ? seq(parsedPath.exec(record.path)) : undefined;
    if (parsed !== undefined) return parsed;
    for (const value of Object.values(record)) {
      const found = typeof value === 'string' ? seq(raw.exec(value)) : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  };
}
