import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Every relative link and image of README.md and docs/*.md points at a file or
// directory that exists, and every #anchor, in the same file or another
// Markdown file, at one of its headings, as GitHub makes anchors of them.
// External links (http:, https:, mailto:) are not followed: the tests run
// without a network, so they are skipped on purpose.

const ROOT = path.join(__dirname, '..');

/** GitHub's anchor for a heading: lower case, punctuation dropped except `-` and `_`, each space a `-`. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text
    .replace(/`/g, '')
    .replace(/\*\*|__/g, '')
    .replace(/<[^>]+>/g, '');
  return text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** The Markdown without what cannot hold a link: fenced code, inline code and HTML comments. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/(`+)(?:(?!\n\n)[\s\S])*?\1/g, 'code');
}

/** The anchors a Markdown file's headings (and `id`/`name` attributes) give it. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
  for (const match of withoutFences.matchAll(/^#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$/gm)) {
    const base = slug(match[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  for (const match of prose(markdown).matchAll(/<[a-z]+[^>]*\s(?:id|name)="([^"]+)"/gi)) result.add(match[1]);
  return result;
}

/** Every link target of a Markdown file: inline links and images, reference definitions, `href`s and `src`s. */
function targets(markdown: string): string[] {
  const text = prose(markdown);
  return [
    ...[...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map(m => m[1]),
    ...[...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map(m => m[1]),
    ...[...text.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"/gi)].map(m => m[1]),
  ];
}

/** What is wrong with each link of the given Markdown files, as `file: target: problem`. */
function brokenLinks(root: string, files: string[]): string[] {
  const problems: string[] = [];
  const anchorsOf = new Map<string, Set<string>>();
  const anchorsIn = (file: string) => {
    if (!anchorsOf.has(file)) anchorsOf.set(file, anchors(fs.readFileSync(file, 'utf8')));
    return anchorsOf.get(file) ?? new Set<string>();
  };
  for (const file of files) {
    const absolute = path.join(root, file);
    for (const target of targets(fs.readFileSync(absolute, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // external: not fetched, see above
      const hash = target.indexOf('#');
      const linkPath = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
      const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
      if (linkPath.startsWith('/')) {
        problems.push(`${file}: ${target}: an absolute path, which GitHub resolves against the site, not the repository`);
        continue;
      }
      const resolved = linkPath === '' ? absolute : path.resolve(path.dirname(absolute), linkPath);
      if (!fs.existsSync(resolved)) {
        problems.push(`${file}: ${target}: no file ${path.relative(root, resolved)}`);
        continue;
      }
      if (anchor === undefined) continue;
      if (resolved.endsWith('.md')) {
        if (!anchorsIn(resolved).has(anchor)) {
          problems.push(`${file}: ${target}: no heading with the anchor #${anchor} in ${path.relative(root, resolved)}`);
        }
      } else if (!/^L\d+(-L\d+)?$/.test(anchor)) {
        problems.push(`${file}: ${target}: #${anchor} is neither a heading nor a line of ${path.relative(root, resolved)}`);
      }
    }
  }
  return problems;
}

const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).sort().map(f => `docs/${f}`)];

test('the docs have links to check', () => {
  const count = DOCS.reduce((n, f) => n + targets(fs.readFileSync(path.join(ROOT, f), 'utf8')).length, 0);
  expect(count).toBeGreaterThan(30);
});

test('every relative link, image and anchor of README.md and docs/ resolves', () => {
  expect(brokenLinks(ROOT, DOCS)).toEqual([]);
});

test('every doc in docs/ is linked from README.md', () => {
  const linked = new Set(targets(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'))
    .map(t => t.split('#')[0]).filter(t => t.startsWith('docs/') && t.endsWith('.md')));
  expect(DOCS.filter(f => f.startsWith('docs/') && !linked.has(f))).toEqual([]);
});

test('anchors are made as GitHub makes them', () => {
  expect(slug('Hardened: the "restricted" Pod Security Standard')).toBe('hardened-the-restricted-pod-security-standard');
  expect(slug('Any workload: `LoggingSidecar`')).toBe('any-workload-loggingsidecar');
  expect(slug("The stream shipper's promises")).toBe('the-stream-shippers-promises');
  expect(slug('What podman 4.3 does and does not honour')).toBe('what-podman-43-does-and-does-not-honour');
  expect(slug('Running it for real: `npm run e2e`')).toBe('running-it-for-real-npm-run-e2e');
  expect(slug('Bounded disk: size limit and rotation')).toBe('bounded-disk-size-limit-and-rotation');
  expect(slug('snake_case and kebab-case -- kept')).toBe('snake_case-and-kebab-case----kept');
  expect(slug('[Linked](x.md) heading')).toBe('linked-heading');
  expect([...anchors('# Setup\n\n## Setup\n\n```sh\n# not a heading\n```\n')]).toEqual(['setup', 'setup-1']);
});

test('fails on a broken link, anchor or image', () => {
  // GIVEN two small docs with one good and one broken link of each kind
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-links-'));
  try {
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(path.join(dir, 'picture.svg'), '<svg/>');
    fs.writeFileSync(path.join(dir, 'docs', 'guide.md'), '# The guide\n\n## Two: `words`\n\nBack to [the top](../README.md#start).\n');
    fs.writeFileSync(path.join(dir, 'README.md'), [
      '# Start',
      '',
      '![picture](picture.svg) ![missing picture](missing.svg)',
      '[guide](docs/guide.md) [no guide](docs/nothing.md)',
      '[anchor](docs/guide.md#two-words) [wrong anchor](docs/guide.md#three-words)',
      '[here](#start) [not here](#finish)',
      '[site](https://example.com/nothing#nowhere) `[code](not-a-link.md)`',
      '',
      '```sh',
      'echo "[fenced](not-a-link.md)"',
      '```',
      '',
    ].join('\n'));

    // WHEN the links are checked
    const problems = brokenLinks(dir, ['README.md', 'docs/guide.md']);

    // THEN exactly the broken ones are reported
    expect(problems).toEqual([
      'README.md: missing.svg: no file missing.svg',
      'README.md: docs/nothing.md: no file docs/nothing.md',
      'README.md: docs/guide.md#three-words: no heading with the anchor #three-words in docs/guide.md',
      'README.md: #finish: no heading with the anchor #finish in README.md',
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
