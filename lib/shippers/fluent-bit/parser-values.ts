import { show } from '../../validation';
import { unreadableCharacters } from '../../yaml-reading';

// The checks of the values parsers write into Fluent Bit's configuration,
// beyond what the YAML serializer quotes: Fluent Bit substitutes `${` with an
// environment variable in every value, and a control character would end or
// change a regex or a time format without a word.

/** A regular expression written into the configuration: one line, as Fluent Bit keeps it. */
export function validateRegex(prop: string, regex: string): void {
  if (typeof regex !== 'string' || regex.length === 0) {
    throw new Error(`${prop} must be a non-empty regular expression, got ${show(regex)}`);
  }
  const unreadable = unreadableCharacters(regex);
  if (unreadable) {
    throw new Error(`${prop} must not contain ${unreadable}: write \\t, \\n or \\x{85} to match one, got ${show(regex)}`);
  }
  if (regex.includes('${')) {
    throw new Error(`${prop} must not contain "\${", which Fluent Bit replaces with an environment variable (write \\$\\{ to match it), got ${show(regex)}`);
  }
}

/** A strptime format, as `time_format`. */
export function validateTimeFormat(prop: string, format: string): void {
  if (typeof format !== 'string' || format.length > 128 || !format.includes('%') || unreadableCharacters(format) || format.includes('${')) {
    throw new Error(`${prop} must be a strptime format such as "%Y-%m-%d %H:%M:%S" of at most 128 characters, `
      + `without control characters or "\${", got ${show(format)}`);
  }
}

/** Named groups of an Onigmo regex, `(?<name>...)` or `(?'name'...)`, skipping escaped parentheses. */
export function namedGroups(regex: string): string[] {
  const unescaped = regex.replace(/\\./g, '__');
  return [...unescaped.matchAll(/\(\?(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/g)].map(m => m[1] ?? m[2]);
}
