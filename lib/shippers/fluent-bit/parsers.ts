import { Duration } from 'cdk8s';
import { show } from '../../validation';

/**
 * The access log in nginx's `main` format, the one the official image writes:
 * `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 * "$http_referer" "$http_user_agent" "$http_x_forwarded_for"`. Fluent Bit's
 * stock `nginx` parser expects a host field after the address and no
 * forwarded-for field, so on these lines it shifts `user` into `host` and
 * drops the forwarded-for address. nginx escapes `"` inside variables as
 * `\x22`, which is what lets the quoted fields be matched with `[^"]*`.
 */
export const NGINX_MAIN_REGEX = '^(?<remote>[^ ]*) - (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] '
  + '"(?<method>\\S+)(?: +(?<path>[^"]*?)(?: +(?<protocol>\\S*))?)?" (?<code>\\d{3}) (?<size>\\d+) '
  + '"(?<referer>[^"]*)" "(?<agent>[^"]*)" "(?<forwarded_for>[^"]*)"$';

/** nginx's error log: `2024/05/01 12:00:00 [error] 29#29: *1 message`. */
export const NGINX_ERROR_REGEX = '^(?<time>\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}) \\[(?<level>\\w+)\\] '
  + '(?<pid>\\d+)#(?<tid>\\d+): (?:\\*(?<connection>\\d+) )?(?<message>.*)$';

/** The `parsers:` every configuration has: nginx's two formats. */
export function nginxParsers(): Array<Record<string, string>> {
  return [
    {
      name: 'nginx_main',
      format: 'regex',
      regex: NGINX_MAIN_REGEX,
      time_key: 'time',
      time_format: '%d/%b/%Y:%H:%M:%S %z',
      types: 'code:integer size:integer',
    },
    {
      name: 'nginx_error',
      format: 'regex',
      regex: NGINX_ERROR_REGEX,
      time_key: 'time',
      time_format: '%Y/%m/%d %H:%M:%S',
    },
  ];
}

/** Access logs are parsed as `main`, error logs as nginx errors, anything else is shipped as it is. */
export function parserFor(file: string): FluentBitParser {
  if (file.includes('access')) return FluentBitParser.nginxMain();
  if (file.includes('error')) return FluentBitParser.nginxError();
  return FluentBitParser.none();
}

/** Options of `FluentBitParser.json()`. */
export interface FluentBitJsonParserOptions {
  /**
   * Field holding the record's time: it becomes the record's timestamp and leaves the record.
   * @default 'time'
   */
  readonly timeKey?: string;

  /**
   * strptime format of the `timeKey` field.
   * @default '%Y-%m-%dT%H:%M:%S%z' (nginx's `$time_iso8601`, such as `2024-05-01T12:00:00+02:00`)
   */
  readonly timeFormat?: string;
}

/** Options of `FluentBitParser.regex()`. */
export interface FluentBitRegexParserOptions {
  /**
   * Regular expression in Onigmo (Ruby) syntax, searched in each line; each named group such
   * as `(?<level>\w+)` becomes a field. A line it does not match is shipped as it is, in `log`.
   */
  readonly regex: string;

  /**
   * Named group holding the record's time: it becomes the record's timestamp and leaves the record.
   * @default - the time the line was read
   */
  readonly timeKey?: string;

  /**
   * strptime format of the `timeKey` group, such as `%Y-%m-%d %H:%M:%S`; a time without a zone is UTC.
   * @default - none; required with `timeKey`
   */
  readonly timeFormat?: string;

  /**
   * Named groups that are not strings, with their type: `integer`, `float`, `bool` or `hex`.
   * @default - every field is a string
   */
  readonly types?: { [field: string]: string };
}

/** Options every multiline parser has. */
export interface FluentBitMultilineOptions {
  /**
   * Parser of the joined record, such as `FluentBitParser.regex()`; in its regex, `.` matches line breaks too.
   * @default - the joined lines are shipped as they are, in `log`
   */
  readonly parser?: FluentBitParser;
}

/** Options of `FluentBitParser.multiline()`. */
export interface FluentBitMultilineParserOptions extends FluentBitMultilineOptions {
  /** Regular expression (Onigmo) searched in each line, matching the first line of a record, such as `^\d{4}-\d{2}-\d{2} `. */
  readonly firstLine: string;

  /**
   * Regular expression (Onigmo) matching a line that continues the record, such as `^\s+at `.
   * A line matching neither starts a record of its own.
   * @default - every line `firstLine` does not match
   */
  readonly continuation?: string;

  /**
   * How long an unfinished record waits for its next line; the last record of a burst is
   * shipped between one and two times this after its last line. At least 500 ms, as Fluent Bit requires.
   * @default Duration.seconds(4)
   */
  readonly flushTimeout?: Duration;
}

/**
 * How the Fluent Bit shipper turns one file's lines into records. Every value
 * is checked when the parser is created; a regular expression is written into
 * the configuration so that Fluent Bit reads it as given.
 */
export class FluentBitParser {
  /** nginx's `main` access log format, which the official image writes. */
  public static nginxMain(): FluentBitParser {
    return new FluentBitParser('FluentBitParser.nginxMain()', { shared: 'nginx_main' });
  }

  /** nginx's error log: `2024/05/01 12:00:00 [error] 29#29: *1 message`. */
  public static nginxError(): FluentBitParser {
    return new FluentBitParser('FluentBitParser.nginxError()', { shared: 'nginx_error' });
  }

  /** One JSON object per line, such as nginx writes with `log_format ... escape=json`; its fields become the record. */
  public static json(options: FluentBitJsonParserOptions = {}): FluentBitParser {
    const what = 'FluentBitParser.json()';
    const timeKey = options.timeKey ?? 'time';
    if (typeof timeKey !== 'string' || !FIELD_NAME.test(timeKey)) {
      throw new Error(`${what} timeKey must be 1 to 64 letters, digits, '_', '@', '.' or '-', got ${show(timeKey)}`);
    }
    const timeFormat = options.timeFormat ?? ISO_8601;
    validateTimeFormat(`${what} timeFormat`, timeFormat);
    return new FluentBitParser(what, { settings: { format: 'json', time_key: timeKey, time_format: timeFormat } });
  }

  /** No parsing: each line is shipped as it is, in `log`. */
  public static none(): FluentBitParser {
    return new FluentBitParser('FluentBitParser.none()', {});
  }

  /** A regular expression of the user's, whose named groups become the record's fields. */
  public static regex(options: FluentBitRegexParserOptions): FluentBitParser {
    const what = 'FluentBitParser.regex()';
    validateRegex(`${what} regex`, options.regex);
    const groups = namedGroups(options.regex);
    if (groups.length === 0) {
      throw new Error(`${what} regex must capture at least one field with a named group such as (?<level>\\w+), got ${show(options.regex)}`);
    }
    const settings: { [key: string]: string } = { format: 'regex' };
    if (options.timeKey !== undefined || options.timeFormat !== undefined) {
      if (options.timeKey === undefined || options.timeFormat === undefined) {
        throw new Error(`${what} timeKey and timeFormat must be given together, got timeKey ${show(options.timeKey)} and timeFormat ${show(options.timeFormat)}`);
      }
      if (!groups.includes(options.timeKey)) {
        throw new Error(`${what} timeKey must be one of the regex's named groups ${show(groups)}, got ${show(options.timeKey)}`);
      }
      validateTimeFormat(`${what} timeFormat`, options.timeFormat);
      settings.time_key = options.timeKey;
      settings.time_format = options.timeFormat;
    }
    const types = options.types ?? {};
    if (typeof types !== 'object' || types === null || Array.isArray(types)) {
      throw new Error(`${what} types must map named groups to types, such as { status: 'integer' }, got ${show(types)}`);
    }
    for (const [field, type] of Object.entries(types)) {
      if (!groups.includes(field)) {
        throw new Error(`${what} types must name the regex's named groups ${show(groups)}, got ${show(field)}`);
      }
      // Fluent Bit leaves a field of a type it does not know a string, without a word.
      if (!FIELD_TYPES.includes(type)) {
        throw new Error(`${what} types.${field} must be one of ${FIELD_TYPES.map(t => show(t)).join(', ')}, got ${show(type)}`);
      }
    }
    if (Object.keys(types).length > 0) {
      settings.types = Object.entries(types).map(([field, type]) => `${field}:${type}`).join(' ');
    }
    return new FluentBitParser(what, { regex: options.regex, settings });
  }

  /**
   * Joins the lines of one record, such as a message and its stack trace,
   * from a line matching `firstLine` up to the next line that does not continue it.
   */
  public static multiline(options: FluentBitMultilineParserOptions): FluentBitParser {
    const what = 'FluentBitParser.multiline()';
    validateRegex(`${what} firstLine`, options.firstLine);
    if (options.continuation !== undefined) {
      validateRegex(`${what} continuation`, options.continuation);
    }
    const flushTimeout = options.flushTimeout ?? Duration.seconds(4);
    let flushMillis: number;
    try {
      flushMillis = flushTimeout.toMilliseconds();
    } catch {
      flushMillis = NaN;
    }
    if (!(flushMillis >= MIN_FLUSH_MILLIS && flushMillis <= MAX_FLUSH_MILLIS)) {
      throw new Error(`${what} flushTimeout must be a whole number of milliseconds from ${MIN_FLUSH_MILLIS} to ${MAX_FLUSH_MILLIS}, got ${flushTimeout.toHumanString()}`);
    }
    return new FluentBitParser(what, {}, {
      firstLine: options.firstLine,
      // A line is a continuation when firstLine is found nowhere in it, as Fluent Bit searches.
      continuation: options.continuation ?? `\\A(?!.*(?:${options.firstLine}))`,
      flushMillis,
      parser: joinedRecordParser(`${what} parser`, options.parser),
    });
  }

  /**
   * One of Fluent Bit's multiline parsers for stack traces: `java` (also C# and
   * JavaScript), `python`, `go` or `ruby`. Lines that are no part of a trace stay records of their own.
   */
  public static builtInMultiline(name: string, options: FluentBitMultilineOptions = {}): FluentBitParser {
    const what = 'FluentBitParser.builtInMultiline()';
    if (!BUILT_IN_MULTILINE.includes(name)) {
      throw new Error(`${what} name must be one of ${BUILT_IN_MULTILINE.map(n => show(n)).join(', ')}, got ${show(name)}`);
    }
    return new FluentBitParser(`FluentBitParser.builtInMultiline(${show(name)})`, {}, {
      builtIn: name,
      parser: joinedRecordParser(`${what} parser`, options.parser),
    });
  }

  private constructor(
    /** How the parser was made, for error messages. */
    private readonly what: string,
    private readonly line: LineParser,
    private readonly join?: Join,
  ) {}

  /**
   * What parsing `file` with this parser takes: the tail input's settings, the
   * parsers and multiline parsers it names, and the filters of records tagged
   * `tag`. Names derive from the file's, so each is the file's own.
   * @internal
   */
  public _toFluentBit(file: string, tag: string): FluentBitParsing {
    if (!this.join) {
      const parser = this.lineParser(`${file}.parser`, false);
      return { input: parser ? { parser: parser.name } : {}, parsers: parser?.definition ? [parser.definition] : [], multilineParsers: [], filters: [] };
    }
    const multilineParsers: Array<Record<string, unknown>> = [];
    let name = this.join.builtIn;
    if (!name) {
      name = `${file}.multiline`;
      multilineParsers.push({
        name,
        type: 'regex',
        flush_timeout: String(this.join.flushMillis),
        rules: [
          { state: 'start_state', regex: delimited(this.join.firstLine!), next_state: 'cont' },
          { state: 'cont', regex: delimited(this.join.continuation!), next_state: 'cont' },
        ],
      });
    }
    const record = this.join.parser?.lineParser(`${file}.parser`, true);
    const filter = (parser: string) => ({ name: 'parser', match: tag, key_name: 'log', parser, reserve_data: 'on' });
    return {
      // Fluent Bit ignores tail's `parser` beside `multiline.parser`: the joined record is parsed by filters.
      input: { 'multiline.parser': name },
      parsers: [TRIM_PARSER, ...(record?.definition ? [record.definition] : [])],
      multilineParsers,
      filters: [filter(TRIM_PARSER.name), ...(record ? [filter(record.name)] : [])],
    };
  }

  /** The parser of one line or one joined record, if any: a shared one's name, or a definition named `name`. */
  private lineParser(name: string, joined: boolean): { name: string; definition?: { [key: string]: string } } | undefined {
    if (this.line.shared) return { name: this.line.shared };
    if (!this.line.settings) return undefined;
    const regex: { [key: string]: string } = this.line.regex === undefined ? {} : { regex: delimited(this.line.regex, joined ? 'm' : '') };
    return { name, definition: { name, format: this.line.settings.format, ...regex, ...this.line.settings } };
  }

  /** @internal */
  public get _isMultiline(): boolean {
    return this.join !== undefined;
  }

  /** How the parser was made, such as `FluentBitParser.json()`. */
  public toString(): string {
    return this.what;
  }
}

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
  const each = files.map(file => (chosen[file] ?? parserFor(file))._toFluentBit(file, tagOf(file)));
  const parsers = new Map<string, { [key: string]: string }>();
  each.flatMap(p => p.parsers).forEach(p => parsers.set(p.name, p));
  return {
    inputs: each.map(p => p.input),
    parsers: [...parsers.values()],
    multilineParsers: each.flatMap(p => p.multilineParsers),
    filters: each.flatMap(p => p.filters),
  };
}

/** @internal */
export interface FluentBitParsing {
  readonly input: { [key: string]: string };
  readonly parsers: Array<{ [key: string]: string }>;
  readonly multilineParsers: Array<Record<string, unknown>>;
  readonly filters: Array<Record<string, unknown>>;
}

/** A parser of one line: one every configuration has, or settings of its own (with a regex, written delimited). */
interface LineParser {
  readonly shared?: string;
  readonly regex?: string;
  readonly settings?: { [key: string]: string };
}

/** How lines are joined: a built-in multiline parser or rules, and the parser of the joined record. */
interface Join {
  readonly builtIn?: string;
  readonly firstLine?: string;
  readonly continuation?: string;
  readonly flushMillis?: number;
  readonly parser?: FluentBitParser;
}

const ISO_8601 = '%Y-%m-%dT%H:%M:%S%z';
const FIELD_NAME = /^[A-Za-z0-9_@.-]{1,64}$/;
const FIELD_TYPES = ['integer', 'float', 'bool', 'hex', 'string'];
/** Fluent Bit's multiline parsers for stack traces; `docker` and `cri` read container runtimes' files, not an application's. */
const BUILT_IN_MULTILINE = ['go', 'java', 'python', 'ruby'];
/** Fluent Bit refuses a shorter flush_timeout ("is too low") and will not start. */
const MIN_FLUSH_MILLIS = 500;
const MAX_FLUSH_MILLIS = 3600 * 1000;

/**
 * In multiline mode, tail keeps each line's newline, so a joined record (and a
 * line on its own) ends with one; this parser takes it off, leaving `log`.
 */
const TRIM_PARSER = { name: 'multiline_trim', format: 'regex', regex: '/\\A(?<log>.*?)\\n?\\z/m' };

/**
 * Fluent Bit reads a regex that starts with `/` and ends with `/` (and option
 * letters) as delimited, and strips what it takes for delimiters: wrapped in
 * `/.../`, a regex is read exactly as given.
 */
function delimited(regex: string, options = ''): string {
  return `/${regex}/${options}`;
}

/** Named groups of an Onigmo regex, `(?<name>...)` or `(?'name'...)`, skipping escaped parentheses. */
function namedGroups(regex: string): string[] {
  const unescaped = regex.replace(/\\./g, '__');
  return [...unescaped.matchAll(/\(\?(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/g)].map(m => m[1] ?? m[2]);
}

function validateRegex(prop: string, regex: string): void {
  if (typeof regex !== 'string' || regex.length === 0) {
    throw new Error(`${prop} must be a non-empty regular expression, got ${show(regex)}`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(regex)) {
    throw new Error(`${prop} must be one line without control characters (write \\t or \\n to match one), got ${show(regex)}`);
  }
  if (regex.includes('${')) {
    throw new Error(`${prop} must not contain "\${", which Fluent Bit replaces with an environment variable (write \\$\\{ to match it), got ${show(regex)}`);
  }
}

function validateTimeFormat(prop: string, format: string): void {
  // eslint-disable-next-line no-control-regex
  if (typeof format !== 'string' || format.length > 128 || !format.includes('%') || /[\x00-\x1f\x7f]/.test(format) || format.includes('${')) {
    throw new Error(`${prop} must be a strptime format such as "%Y-%m-%d %H:%M:%S" of at most 128 characters, `
      + `without control characters or "\${", got ${show(format)}`);
  }
}

function joinedRecordParser(prop: string, parser: FluentBitParser | undefined): FluentBitParser | undefined {
  if (parser === undefined) return undefined;
  if (!(parser instanceof FluentBitParser) || parser._isMultiline) {
    throw new Error(`${prop} must parse one record, made with a FluentBitParser method such as FluentBitParser.regex(), got ${parser instanceof FluentBitParser ? parser : show(parser)}`);
  }
  return parser;
}
