import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { shellQuote } from '../lib/shell';

const HOSTILE = [
  '',
  ' ',
  "it's",
  "''",
  '"double"',
  '$(touch pwned)',
  '`touch pwned`',
  '${HOME}',
  '$HOME',
  'a; touch pwned',
  'a && touch pwned',
  'a | touch pwned',
  'a > pwned',
  '*',
  '~',
  '~root',
  '\\',
  'line one\nline two',
  'tab\there',
  '-n',
  '#comment',
  '!event',
  'ünïcødé ✓ 日本',
  "'; touch pwned; echo '",
];

describe('shellQuote', () => {
  test('leaves words of safe characters as they are', () => {
    expect(shellQuote('/var/log/nginx/access.log')).toBe('/var/log/nginx/access.log');
    expect(shellQuote('a-b_c.d,e:f@g%h+i=j')).toBe('a-b_c.d,e:f@g%h+i=j');
  });

  test('wraps anything else in single quotes, escaping single quotes', () => {
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  test('fails on a NUL byte, which no argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow('a shell word cannot contain a NUL byte, got "a\\u0000b"');
  });

  describe('a real sh receives exactly the word and runs nothing', () => {
    let workDir: string;
    beforeAll(() => {
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shell-quote-'));
    });
    afterAll(() => {
      fs.rmSync(workDir, { recursive: true, force: true });
    });

    test.each(HOSTILE)('%j', (word) => {
      const out = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(word)}`], { cwd: workDir, encoding: 'utf8' });
      expect(out).toBe(word);
      expect(fs.readdirSync(workDir)).toEqual([]);
    });
  });
});
