import { E2eCase, PrintedFormat, ShipperExpectation } from './cases';
import { CheckFailure } from './errors';
import { lastLines, sleep } from './exec';
import { containerLogs } from './podman';
import { ExpectedLine, ExpectedRecord, FieldCheck } from './traffic';

/** What the sidecar (or a receiver) got of the lines the e2e caused. */
export interface ShippingReport {
  /** Per expected line: how often it arrived and after how long (first time). */
  readonly lines: readonly { readonly line: ExpectedLine; readonly count: number; readonly delayMs: number }[];
  /** For records: the last line's record as it arrived, to show what the parsing made of it. */
  readonly sample?: string;
}

/** One thing that arrived where shipped lines can be seen: a printed line, or a record. */
export interface Arrival {
  /** When it arrived (conmon's timestamp of the line that carried it). */
  readonly timeMs: number;
  /** The text as printed; for a record, its JSON. */
  readonly text: string;
  /** The record, where the output is records. */
  readonly record?: { readonly [field: string]: unknown };
}

/** Where shipped lines can be seen: the sidecar's own output, or a receiver's. */
export interface Channel {
  /** Names it in messages. */
  readonly name: string;
  /** What it does with a line, in messages: `printed`, `received`. */
  readonly verb: string;
  readonly format: PrintedFormat;
  /** Each line starts with its file's tag, `[access.log] `. */
  readonly tagged: boolean;
  /** Everything that arrived so far. */
  readonly read: () => Promise<Arrival[]>;
  /** Fields every record must also have, with these values: what the shipper's filters add (the pod's metadata). */
  readonly addedFields?: { readonly [field: string]: FieldCheck };
  /** What else an arrival of `line` must satisfy (labels, timestamps); each problem as a phrase. */
  readonly extraChecks?: (arrival: Arrival, line: ExpectedLine) => string[];
  /** What to look at when a line never arrives. */
  readonly hint: () => Promise<string>;
}

/** The sidecar's own output (stdout and stderr, as kubectl logs shows them); `addedFields` as in Channel. */
export function sidecarChannel(c: E2eCase, container: string, addedFields?: { readonly [field: string]: FieldCheck }): Channel {
  const format = c.printed === 'json-records' ? 'json-records' : 'lines';
  return {
    name: c.sidecarContainer,
    verb: 'printed',
    format,
    tagged: c.taggedWithFileName === true,
    addedFields,
    read: async () => (await containerLogs(container)).map(l => ({ timeMs: l.timeMs, text: l.text, record: format === 'json-records' ? jsonObject(l.text) : undefined })),
    hint: async () => `is the shared volume mounted at the path nginx writes (${c.webLogDirectory}) and does the sidecar read ${c.sidecarLogDirectory}? `
      + `Last sidecar output:\n${indent(lastLines((await containerLogs(container)).map(l => l.text).join('\n'), 5) || '(nothing at all)')}`,
  };
}

/** How long after the last request a line may take, by the shipper's promise. */
export function shippingDeadlineMs(shipper: ShipperExpectation): number {
  switch (shipper.kind) {
    case 'reprint-every-interval': return (shipper.intervalSeconds + shipper.slackSeconds) * 1000;
    case 'exactly-once': return shipper.maxDelaySeconds * 1000;
  }
}

/**
 * Watches a channel until every expected line is there (or the shipper's
 * deadline passed), then holds the shipper to its promise. Each failure names
 * the line and what a broken manifest would cause it.
 */
export async function checkShipped(c: E2eCase, channel: Channel, expected: readonly ExpectedLine[]): Promise<ShippingReport> {
  const lastSent = Math.max(...expected.map(e => e.sentAtMs));
  const deadline = lastSent + shippingDeadlineMs(c.shipper);
  let arrivals: Arrival[] = [];
  for (;;) {
    arrivals = await channel.read();
    if (expected.every(e => matching(arrivals, e, channel).length > 0) || Date.now() > deadline) break;
    await sleep(500);
  }
  if (c.shipper.kind === 'exactly-once') {
    // A duplicate may come late: keep watching for the settle time.
    await sleep(c.shipper.settleSeconds * 1000);
    arrivals = await channel.read();
  }

  const report = expected.map(line => {
    const hits = matching(arrivals, line, channel);
    return { line, hits, count: hits.length, delayMs: hits.length ? hits[0].timeMs - line.sentAtMs : NaN };
  });
  const limitS = shippingDeadlineMs(c.shipper) / 1000;

  for (const r of report) {
    if (r.count === 0) {
      const lookedFor = channel.format === 'json-records'
        ? `a JSON record with ${r.line.record.key[0]} ${describeCheck(r.line.record.key[1])}, or one holding ${JSON.stringify(r.line.needle)} unparsed`
        : `${JSON.stringify(r.line.needle)}${channel.tagged ? ` on a line starting ${JSON.stringify(tagOf(r.line))}` : ''}`;
      throw new CheckFailure(`${channel.name} never ${channel.verb} ${r.line.what} within ${limitS} s (looked for ${lookedFor}): ${await channel.hint()}`);
    }
    for (const hit of r.hits) {
      const problems = [...(hit.record ? fieldProblems(hit.record, r.line.record, c, r.line, channel.addedFields ?? {}) : []), ...(channel.extraChecks?.(hit, r.line) ?? [])];
      if (problems.length) {
        throw new CheckFailure(`${channel.name} ${channel.verb} ${r.line.what}, but ${problems.join('; ')}. The record: ${hit.text}`);
      }
    }
    if (r.delayMs > shippingDeadlineMs(c.shipper) + 1000) {
      throw new CheckFailure(`${channel.name} ${channel.verb} ${r.line.what} only after ${(r.delayMs / 1000).toFixed(1)} s, the shipper promises ${limitS} s`);
    }
    if (c.shipper.kind === 'exactly-once' && r.count !== 1) {
      throw new CheckFailure(`${channel.name} ${channel.verb} ${r.line.what} ${r.count} times; the shipper promises exactly once`);
    }
  }
  const last = report[report.length - 1];
  return { lines: report, sample: channel.format === 'json-records' ? `${last.line.what}: ${last.hits[0].text}` : undefined };
}

/** One line of a report: how many lines, how often each, and how soon. */
export function summarize(report: ShippingReport, verb: string): string {
  const counts = report.lines.map(l => l.count);
  const delays = report.lines.map(l => l.delayMs / 1000);
  return `${report.lines.length} lines, ${verb} ${Math.min(...counts)}-${Math.max(...counts)} times each, `
    + `first after ${Math.min(...delays).toFixed(2)}-${Math.max(...delays).toFixed(2)} s${report.sample ? `; ${report.sample}` : ''}`;
}

/**
 * The arrivals that are this line. As text: those containing its needle (with
 * its tag). As records: those whose key field names it, and also those that
 * hold the raw line in some field (an unparsed record), so that a broken
 * parser shows up as a wrong record rather than a lost one.
 */
export function matching(arrivals: readonly Arrival[], line: ExpectedLine, channel: Channel): Arrival[] {
  if (channel.format === 'lines') {
    return arrivals.filter(a => a.text.includes(line.needle) && (!channel.tagged || a.text.startsWith(tagOf(line))));
  }
  const [field, check] = line.record.key;
  return arrivals.filter(a => a.record && (fieldMatches(a.record[field], check)
    || Object.values(a.record).some(v => typeof v === 'string' && v.includes(line.needle))));
}

/** What is wrong with a record of `line`, against what its parser makes of it and what the filters add; empty when nothing. */
function fieldProblems(record: { readonly [field: string]: unknown }, expected: ExpectedRecord, c: E2eCase, line: ExpectedLine,
  added: { readonly [field: string]: FieldCheck }): string[] {
  const problems: string[] = [];
  // The tail input names the file each record came from (path_key).
  const fields: { [field: string]: FieldCheck } = { ...expected.fields, file: `${c.sidecarLogDirectory}/${line.file}` };
  for (const [field, check] of Object.entries(fields)) {
    if (!fieldMatches(record[field], check)) {
      problems.push(`${field} is ${field in record ? JSON.stringify(record[field]) : 'missing'}, ${expected.parser} gives ${describeCheck(check)}`);
    }
  }
  const missing = Object.entries(added).filter(([field, check]) => !fieldMatches(record[field], check))
    .map(([field, check]) => `${field} is ${field in record ? JSON.stringify(record[field]) : 'missing'}, expected ${describeCheck(check)}`);
  return [
    ...problems.length ? [`it is not the record ${expected.parser} makes of the line: ${problems.join(', ')}`] : [],
    ...missing.length ? [`it lacks what the shipper's filters add to every record: ${missing.join(', ')}`] : [],
  ];
}

function fieldMatches(value: unknown, check: FieldCheck): boolean {
  if (typeof check === 'string' || typeof check === 'number') return value === check;
  if ('includes' in check) return typeof value === 'string' && value.includes(check.includes);
  if ('integer' in check) return typeof value === 'number' && Number.isInteger(value);
  return typeof value === 'string' && new RegExp(check.pattern).test(value);
}

function describeCheck(check: FieldCheck): string {
  if (typeof check === 'number') return `the number ${check}`;
  if (typeof check === 'string') return JSON.stringify(check);
  if ('includes' in check) return `a string containing ${JSON.stringify(check.includes)}`;
  if ('integer' in check) return 'an integer';
  return `a string matching /${check.pattern}/`;
}

/** A line that is a JSON object, as an object; undefined for anything else (the shipper's own log lines). */
export function jsonObject(text: string): { [field: string]: unknown } | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** How a shipper that tags lines with their file prefixes this one. */
function tagOf(line: ExpectedLine): string {
  return `[${line.file}] `;
}

export function indent(text: string): string {
  return text.split('\n').map(l => `      | ${l}`).join('\n');
}
