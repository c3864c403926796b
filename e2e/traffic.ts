import * as http from 'http';
import { sleep } from './exec';

/** A line the e2e caused and expects the sidecar to print. */
export interface ExpectedLine {
  /** For messages: which request and which log. */
  readonly what: string;
  /** The file the web server writes it to. */
  readonly file: 'access.log' | 'error.log';
  /** Text that occurs in that line and nowhere else. */
  readonly needle: string;
  readonly sentAtMs: number;
  /** The record a shipper that parses nginx's logs makes of the line. */
  readonly record: ExpectedRecord;
}

/**
 * A field of a parsed record: exactly this string or number (a number must be
 * a JSON number, not a string of digits), a string containing a text, any
 * integer, or a string matching a regular expression.
 */
export type FieldCheck = string | number | { readonly includes: string } | { readonly integer: true } | { readonly pattern: string };

/** What a parser makes of one line: the field that singles the line out, and every field it must have. */
export interface ExpectedRecord {
  /** The parser, as the shipper names it. */
  readonly parser: 'nginx_main' | 'nginx_error';
  /** A field, and its value, that only this line's record has. */
  readonly key: readonly [string, FieldCheck];
  readonly fields: { readonly [field: string]: FieldCheck };
}

/** The user agent of every request the e2e sends; nginx logs it. */
export const USER_AGENT = 'cdk8s-logging-sidecar-e2e';
const DIGITS = { pattern: '^[0-9]+$' };

/** One GET, bounded by `timeoutMs`; resolves to the status, or 0 when nothing answered. */
export function get(url: string, timeoutMs: number, agent?: http.Agent): Promise<number> {
  return new Promise(resolve => {
    const req = http.get(url, { timeout: timeoutMs, agent, headers: { 'user-agent': USER_AGENT } }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Polls until the server answers 200 on `urlPath`, at most `timeoutMs`; returns whether it did. */
export async function waitForHttp(base: string, timeoutMs: number, urlPath = '/'): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await get(`${base}${urlPath}`, 1000) === 200) return true;
    await sleep(250);
  }
  return false;
}

/**
 * Sends requests only this run knows (a random id in every path): `pages`
 * successful ones, and one for a missing file, which the official nginx
 * config answers with 404 and an error-log line.
 */
export async function sendProbeRequests(base: string, runId: string, pages: number): Promise<ExpectedLine[]> {
  const expected: ExpectedLine[] = [];
  for (let i = 1; i <= pages; i++) {
    const target = `/?e2e=${runId}-${i}`;
    const sentAtMs = Date.now();
    const status = await get(`${base}${target}`, 5000);
    if (status !== 200) throw new Error(`GET ${target} answered ${status || 'nothing'}, expected 200`);
    expected.push({ what: `GET ${target} (access log)`, file: 'access.log', needle: `"GET ${target} HTTP/1.1" 200`, sentAtMs, record: accessRecord(target, 200) });
  }
  const missing = `/e2e-${runId}-missing`;
  const sentAtMs = Date.now();
  const status = await get(`${base}${missing}`, 5000);
  if (status !== 404) throw new Error(`GET ${missing} answered ${status || 'nothing'}, expected 404`);
  expected.push({ what: `GET ${missing} (access log, 404)`, file: 'access.log', needle: `"GET ${missing} HTTP/1.1" 404`, sentAtMs, record: accessRecord(missing, 404) });
  const failed = `${missing}" failed (2: No such file or directory)`;
  expected.push({
    what: `the error-log line for GET ${missing}`,
    file: 'error.log',
    needle: failed,
    sentAtMs,
    // nginx's error format: `2025/01/31 12:00:00 [error] 29#29: *1 open() "..." failed (...), client: ...`.
    record: { parser: 'nginx_error', key: ['message', { includes: failed }], fields: { level: 'error', pid: DIGITS, tid: DIGITS, connection: DIGITS, message: { includes: `open() "` } } },
  });
  return expected;
}

/** The official image's `main` format, as nginx_main parses it: status and size as integers. */
function accessRecord(target: string, code: number): ExpectedRecord {
  return {
    parser: 'nginx_main',
    key: ['path', target],
    fields: {
      remote: { pattern: '^[0-9.]+$' }, user: '-', method: 'GET', path: target, protocol: 'HTTP/1.1',
      code, size: { integer: true }, referer: '-', agent: USER_AGENT, forwarded_for: '-',
    },
  };
}
