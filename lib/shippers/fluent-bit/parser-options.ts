import { Duration } from 'cdk8s';
// Type only: parser.ts takes these options, so a value import would make the two modules load each other.
import type { FluentBitParser } from './parser';

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
