import { E2eCase, ShipperExpectation } from './cases';
import { CheckFailure } from './errors';
import { lastLines, sleep } from './exec';
import { containerLogs, LogLine } from './podman';
import { ExpectedLine } from './traffic';

/** What the sidecar printed for the lines the e2e caused. */
export interface ShippingReport {
  /** Per expected line: how often it was printed and after how long (first time). */
  readonly lines: readonly { readonly line: ExpectedLine; readonly count: number; readonly delayMs: number }[];
}

/** How long after the last request a line may take, by the shipper's promise. */
export function shippingDeadlineMs(shipper: ShipperExpectation): number {
  switch (shipper.kind) {
    case 'reprint-every-interval': return (shipper.intervalSeconds + shipper.slackSeconds) * 1000;
    case 'exactly-once': return shipper.maxDelaySeconds * 1000;
  }
}

/**
 * Watches the sidecar's output until every expected line is there (or the
 * shipper's deadline passed), then holds the shipper to its promise. Each
 * failure names the line and what a broken manifest would cause it.
 */
export async function checkShipped(c: E2eCase, sidecar: string, expected: readonly ExpectedLine[]): Promise<ShippingReport> {
  const lastSent = Math.max(...expected.map(e => e.sentAtMs));
  const deadline = lastSent + shippingDeadlineMs(c.shipper);
  let logs: LogLine[] = [];
  for (;;) {
    logs = await containerLogs(sidecar);
    if (expected.every(e => matching(logs, e, c).length > 0) || Date.now() > deadline) break;
    await sleep(1000);
  }
  if (c.shipper.kind === 'exactly-once') {
    // A duplicate may come late: keep watching for the settle time.
    await sleep(c.shipper.settleSeconds * 1000);
    logs = await containerLogs(sidecar);
  }

  const report = expected.map(line => {
    const hits = matching(logs, line, c);
    return { line, count: hits.length, delayMs: hits.length ? hits[0].timeMs - line.sentAtMs : NaN };
  });
  const tail = lastLines(logs.map(l => l.text).join('\n'), 5) || '(nothing at all)';
  const limitS = shippingDeadlineMs(c.shipper) / 1000;

  for (const r of report) {
    if (r.count === 0) {
      throw new CheckFailure(`${c.sidecarContainer} never printed ${r.line.what} within ${limitS} s `
        + `(looked for ${JSON.stringify(r.line.needle)}${c.taggedWithFileName ? ` on a line starting ${JSON.stringify(tagOf(r.line))}` : ''}): `
        + `is the shared volume mounted at the path nginx writes (${c.webLogDirectory}) and does the sidecar read ${c.sidecarLogDirectory}/${r.line.file}? `
        + `Last sidecar output:\n${indent(tail)}`);
    }
    if (r.delayMs > shippingDeadlineMs(c.shipper) + 1000) {
      throw new CheckFailure(`${c.sidecarContainer} printed ${r.line.what} only after ${(r.delayMs / 1000).toFixed(1)} s, `
        + `the shipper promises ${limitS} s`);
    }
    if (c.shipper.kind === 'exactly-once' && r.count !== 1) {
      throw new CheckFailure(`${c.sidecarContainer} printed ${r.line.what} ${r.count} times; the shipper promises exactly once`);
    }
  }
  return { lines: report };
}

function matching(logs: readonly LogLine[], line: ExpectedLine, c: E2eCase): LogLine[] {
  return logs.filter(l => l.text.includes(line.needle) && (!c.taggedWithFileName || l.text.startsWith(tagOf(line))));
}

/** How a shipper that tags lines with their file prefixes this one. */
function tagOf(line: ExpectedLine): string {
  return `[${line.file}] `;
}

function indent(text: string): string {
  return text.split('\n').map(l => `      | ${l}`).join('\n');
}
