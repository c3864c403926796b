import { Duration } from 'cdk8s';
import { checkProps, DURATION, FieldTypes, instanceOf, mapOf, STRING } from '../../runtime-types';
import { show, showDuration } from '../../validation';
import { NGINX_ERROR_PARSER, NGINX_MAIN_PARSER } from './nginx-formats';
import { FluentBitJsonParserOptions, FluentBitMultilineOptions, FluentBitMultilineParserOptions, FluentBitRegexParserOptions } from './parser-options';
import { namedGroups, validateRegex, validateTimeFormat } from './parser-values';

/**
 * How the Fluent Bit shipper turns one file's lines into records. Every value
 * is checked when the parser is created; a regular expression is written into
 * the configuration so that Fluent Bit reads it as given.
 */
export class FluentBitParser {
  /** nginx's `main` access log format, which the official image writes. */
  public static nginxMain(): FluentBitParser {
    return new FluentBitParser('FluentBitParser.nginxMain()', { shared: NGINX_MAIN_PARSER });
  }

  /** nginx's error log: `2024/05/01 12:00:00 [error] 29#29: *1 message`. */
  public static nginxError(): FluentBitParser {
    return new FluentBitParser('FluentBitParser.nginxError()', { shared: NGINX_ERROR_PARSER });
  }

  /** One JSON object per line, such as nginx writes with `log_format ... escape=json`; its fields become the record. */
  public static json(options: FluentBitJsonParserOptions = {}): FluentBitParser {
    const what = 'FluentBitParser.json()';
    checkProps(`${what} options`, options, JSON_OPTION_TYPES, `${what} `);
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
    checkProps(`${what} options`, options, REGEX_OPTION_TYPES, `${what} `);
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
    checkProps(`${what} options`, options, MULTILINE_OPTION_TYPES, `${what} `);
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
      throw new Error(`${what} flushTimeout must be a whole number of milliseconds from ${MIN_FLUSH_MILLIS} to ${MAX_FLUSH_MILLIS}, got ${showDuration(flushTimeout)}`);
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
    checkProps(`${what} options`, options, JOINED_OPTION_TYPES, `${what} `);
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

/** What parsing one file takes, as `_toFluentBit()` returns it. @internal */
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

/** The parser of a joined record must parse it as one: a multiline parser would join lines again. */
function joinedRecordParser(prop: string, parser: FluentBitParser | undefined): FluentBitParser | undefined {
  if (parser?._isMultiline) {
    throw new Error(`${prop} must ${JOINED_RECORD_PARSER}, got ${parser}`);
  }
  return parser;
}

const JOINED_RECORD_PARSER = 'parse one record, made with a FluentBitParser method such as FluentBitParser.regex()';
const JSON_OPTION_TYPES: FieldTypes<FluentBitJsonParserOptions> = { timeKey: STRING, timeFormat: STRING };
const REGEX_OPTION_TYPES: FieldTypes<FluentBitRegexParserOptions> = {
  regex: STRING,
  timeKey: STRING,
  timeFormat: STRING,
  types: mapOf("map named groups to types, such as { status: 'integer' }"),
};
const JOINED_OPTION_TYPES: FieldTypes<FluentBitMultilineOptions> = {
  parser: instanceOf(FluentBitParser, JOINED_RECORD_PARSER),
};
const MULTILINE_OPTION_TYPES: FieldTypes<FluentBitMultilineParserOptions> = {
  ...JOINED_OPTION_TYPES,
  firstLine: STRING,
  continuation: STRING,
  flushTimeout: DURATION,
};
