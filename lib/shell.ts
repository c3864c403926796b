/**
 * Characters that a POSIX shell never treats specially inside a word, so a
 * word made only of them can stay unquoted. Keeping safe words unquoted is
 * what lets the default command stay byte-for-byte the seed's command.
 */
const SHELL_SAFE_WORD = /^[A-Za-z0-9_\/.,:@%+=-]+$/;

/**
 * Quotes one word for a POSIX shell (`sh -c`): the shell sees exactly `word`,
 * whatever it contains, as a single argument with no expansion.
 *
 * Every user-supplied string that reaches a shell goes through here.
 */
export function shellQuote(word: string): string {
  if (word.includes('\0')) {
    // A NUL byte cannot be passed through exec(2) at all; refuse rather than truncate.
    throw new Error(`a shell word cannot contain a NUL byte, got ${JSON.stringify(word)}`);
  }
  if (SHELL_SAFE_WORD.test(word)) {
    return word;
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
