import { FluentBitParser } from './parser';

/**
 * The parsing of each file, in order: the parser named for it in `chosen`,
 * else the one its name suggests. Parsers and filters are listed once each.
 */
export function parsingOf(files: string[], chosen: { [file: string]: FluentBitParser }, tagOf: (file: string) => string): {
  inputs: Array<{ [key: string]: string }>;
  parsers: Array<{ [key: string]: string }>;
  multilineParsers: Array<Record<string, unknown>>;
  filters: Array<Record<string, unknown>>;
} {
  // Own keys only: a log file may be named `toString` or `constructor`, which every object inherits.
  const each = files.map(file => (Object.hasOwn(chosen, file) ? chosen[file] : parserFor(file))._toFluentBit(file, tagOf(file)));
  const parsers = new Map<string, { [key: string]: string }>();
  each.flatMap(p => p.parsers).forEach(p => parsers.set(p.name, p));
  return {
    inputs: each.map(p => p.input),
    parsers: [...parsers.values()],
    multilineParsers: each.flatMap(p => p.multilineParsers),
    filters: each.flatMap(p => p.filters),
  };
}

/** Access logs are parsed as `main`, error logs as nginx errors, anything else is shipped as it is. */
export function parserFor(file: string): FluentBitParser {
  if (file.includes('access')) return FluentBitParser.nginxMain();
  if (file.includes('error')) return FluentBitParser.nginxError();
  return FluentBitParser.none();
}
