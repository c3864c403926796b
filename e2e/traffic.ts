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
}

/** One GET, bounded by `timeoutMs`; resolves to the status, or 0 when nothing answered. */
export function get(url: string, timeoutMs: number, agent?: http.Agent): Promise<number> {
  return new Promise(resolve => {
    const req = http.get(url, { timeout: timeoutMs, agent, headers: { 'user-agent': 'cdk8s-logging-sidecar-e2e' } }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Polls until the server answers 200, at most `timeoutMs`; returns whether it did. */
export async function waitForHttp(base: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await get(`${base}/`, 1000) === 200) return true;
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
    expected.push({ what: `GET ${target} (access log)`, file: 'access.log', needle: `"GET ${target} HTTP/1.1" 200`, sentAtMs });
  }
  const missing = `/e2e-${runId}-missing`;
  const sentAtMs = Date.now();
  const status = await get(`${base}${missing}`, 5000);
  if (status !== 404) throw new Error(`GET ${missing} answered ${status || 'nothing'}, expected 404`);
  expected.push({ what: `GET ${missing} (access log, 404)`, file: 'access.log', needle: `"GET ${missing} HTTP/1.1" 404`, sentAtMs });
  expected.push({
    what: `the error-log line for GET ${missing}`,
    file: 'error.log',
    needle: `${missing}" failed (2: No such file or directory)`,
    sentAtMs,
  });
  return expected;
}
