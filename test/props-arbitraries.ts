// fast-check generators for LoggingSidecarPod props: valid ones (anything the
// construct accepts) and hostile strings (what a careless or malicious caller
// might pass to a prop that ends up in a shell command or a manifest).
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { LoggingSidecarPodProps } from '../lib';

const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);

const dnsSubdomain = fc.array(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/), { minLength: 1, maxLength: 4 })
  .map(labels => labels.join('.'));

// The image grammar of lib/validation.ts, piece by piece.
const image = fc.record({
  registry: fc.option(fc.tuple(
    fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,8}){0,2}$/),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  ).map(([host, port]) => (port === undefined ? host : `${host}:${port}`)), { nil: undefined }),
  path: fc.array(fc.stringMatching(/^[a-z0-9]{1,8}([._-][a-z0-9]{1,8}){0,2}$/), { minLength: 1, maxLength: 3 }),
  tag: fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: undefined }),
  digest: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: undefined }),
}).map(({ registry, path, tag, digest }) => {
  // A registry host needs a '.' or a port to be read as a host, or it is a path component.
  const host = registry && /[.:]/.test(registry) ? `${registry}/` : '';
  return `${host}${path.join('/')}${tag ? `:${tag}` : ''}${digest ? `@sha256:${digest}` : ''}`;
});

// Directory names may hold anything but '/' and control characters: the sidecar quotes them.
const directorySegment = fc.string({
  unit: fc.constantFrom(...'abcXYZ019 ._-\'"`$(){}[];|&<>*?~#!\\:@%+=,üé日本✓'.split('')),
  minLength: 1,
  maxLength: 10,
}).filter(segment => segment !== '.' && segment !== '..');

const logDirectory = fc.array(directorySegment, { minLength: 1, maxLength: 4 }).map(segments => `/${segments.join('/')}`);

const logFiles = fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,20}$/), { minLength: 1, maxLength: 4 });

/** A request no larger than its limit; either may be left out. */
const resources: fc.Arbitrary<kplus.ContainerResources> = fc.record({
  cpu: fc.tuple(fc.integer({ min: 1, max: 16000 }), fc.integer({ min: 0, max: 16000 }), fc.boolean(), fc.boolean())
    .map(([request, extra, withRequest, withLimit]) => ({
      request: withRequest ? kplus.Cpu.millis(request) : undefined,
      limit: withLimit ? kplus.Cpu.millis(request + extra) : undefined,
    })),
  memory: fc.tuple(fc.integer({ min: 1, max: 65536 }), fc.integer({ min: 0, max: 65536 }), fc.boolean(), fc.boolean())
    .map(([request, extra, withRequest, withLimit]) => ({
      request: withRequest ? Size.mebibytes(request) : undefined,
      limit: withLimit ? Size.mebibytes(request + extra) : undefined,
    })),
});

/** Props the construct accepts, every one of them set or left to its default. */
export const validProps: fc.Arbitrary<LoggingSidecarPodProps> = fc.record({
  podName: dnsSubdomain,
  webContainerName: dnsLabel,
  webImage: image,
  webPort: fc.integer({ min: 1, max: 65535 }),
  webResources: resources,
  sidecarContainerName: dnsLabel,
  sidecarImage: image,
  sidecarResources: resources,
  volumeName: dnsLabel,
  logDirectory,
  logFiles,
  readInterval: fc.integer({ min: 1, max: 7 * 24 * 3600 }).map(s => Duration.seconds(s)),
}, { requiredKeys: [] }).filter(p => (p.webContainerName ?? 'nginx-container') !== (p.sidecarContainerName ?? 'sidecar-container'));

/** The pieces a hostile string is made of: shell syntax, quotes, whitespace, YAML syntax, unicode. */
export const HOSTILE_PIECES = [
  '\'', '"', '`', '$(', ')', '${', '}', '$HOME', '$', '$$', '$(HOSTNAME)', '\\', ';', '|', '&', '&&', '>', '<', '*', '?', '~', '#', '!',
  ' ', '\t', '\n', '\r', '\0', '\u2028', '\u0085', '\u009b', '\ufffe', '\u00a0', 'touch pwned', 'rm -rf .',
  ': ', '- ', '{', '[', ']', '%', '@', '---', '...', '/', '.', '..', '-', '_', ':',
  'ü', '日本', '✓', '\u{1f600}', '\ud800', 'A', 'z', '0', 'log',
];

/** A string made of hostile pieces, sometimes shaped like an absolute path so that path props get past their first check. */
export const hostileString = fc.array(fc.constantFrom(...HOSTILE_PIECES), { minLength: 1, maxLength: 8 })
  .chain(pieces => fc.constantFrom(pieces.join(''), `/${pieces.join('')}`, `/var/log/${pieces.join('')}`));
