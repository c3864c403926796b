import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Size, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { LoggingSidecarPod, LoggingSidecarPodProps } from '../lib';
import { validateDnsLabel, validateDnsSubdomain, validateWholeSeconds } from '../lib/validation';
import { argvOf } from './kubelet';
import { hostileString, validProps } from './props-arbitraries';
import { loadManifest, names, violationsOf } from './validation-helpers';

// Bounded so that the whole file runs in about a second; a failure prints the
// seed and the shrunk counterexample, which `fc.assert(..., { seed, path })` replays.
const RUNS = { numRuns: 60 };

function synth(props: LoggingSidecarPodProps): any[] {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', props);
  return Testing.synth(chart);
}

let workDir: string;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'props-property-'));
});
afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe('valid props', () => {
  test('always synthesize a manifest the validator accepts', () => {
    fc.assert(fc.property(validProps, (props) => {
      expect(violationsOf(synth(props))).toEqual([]);
    }), { numRuns: 100 });
  });

  test('survive the trip through a YAML file unchanged', () => {
    fc.assert(fc.property(validProps, (props) => {
      const objects = synth(props);
      const file = path.join(workDir, 'roundtrip.k8s.yaml');
      Yaml.save(file, objects);
      expect(loadManifest(file)).toEqual(objects);
    }), { numRuns: 25 });
  });
});

/**
 * Runs the sidecar's command, as the kubelet hands it over, with the system's
 * real `sh` in an empty directory, with stand-ins for `cat` (prints the
 * arguments it received) and `sleep` (ends the loop after one pass). Returns what `cat` received and what
 * the directory holds afterwards, which must be only the sentinel file.
 */
function runSidecarOnce(command: string[]): { catArgs: string[], left: string[] } {
  const bin = path.join(workDir, 'bin');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'cat'), '#!/bin/sh\nfor a in "$@"; do printf \'%s\\0\' "$a"; done\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'sleep'), '#!/bin/sh\nkill -9 "$PPID"\n', { mode: 0o755 });
  }
  const runDir = fs.mkdtempSync(path.join(workDir, 'run-'));
  fs.writeFileSync(path.join(runDir, 'sentinel'), '');
  const result = spawnSync(command[0], command.slice(1), {
    cwd: runDir,
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: runDir },
    encoding: 'utf8',
    timeout: 5000,
  });
  const left = fs.readdirSync(runDir);
  fs.rmSync(runDir, { recursive: true, force: true });
  expect(result.signal).toBe('SIGKILL'); // by the sleep stand-in, after exactly one pass
  return { catArgs: result.stdout.split('\0').slice(0, -1), left };
}

/**
 * The construct either accepts the props, or refuses them with a message that
 * names the prop and shows the offending value (one of `values`).
 */
function constructOrRefuse(prop: string, values: readonly string[], props: LoggingSidecarPodProps): any[] | undefined {
  try {
    return synth(props);
  } catch (error) {
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^${prop}[ [.]`));
    expect(values.some(value => message.includes(JSON.stringify(value)))).toBe(true);
    return undefined;
  }
}

describe('hostile strings', () => {
  // Props that only reach the manifest: a hostile value is refused, or it is a
  // name that the validator accepts in the manifest.
  test.each([
    'podName', 'webContainerName', 'sidecarContainerName', 'webImage', 'sidecarImage', 'volumeName',
  ] as const)('%s: refused with a message naming the prop, or valid in the manifest', (prop) => {
    fc.assert(fc.property(hostileString, (value) => {
      const objects = constructOrRefuse(prop, [value], { [prop]: value });
      if (objects) {
        expect(violationsOf(objects)).toEqual([]);
      }
    }), RUNS);
  });

  test('logDirectory: refused, or read by a real sh as one literal path with no side effect', () => {
    fc.assert(fc.property(hostileString, (logDirectory) => {
      const objects = constructOrRefuse('logDirectory', [logDirectory], { logDirectory });
      if (!objects) return;
      expect(violationsOf(objects)).toEqual([]);
      const sidecar = objects[0].spec.containers[1];
      expect(sidecar.volumeMounts[0].mountPath).toBe(logDirectory);
      expect(runSidecarOnce(argvOf(sidecar))).toEqual({
        catArgs: [`${logDirectory}/access.log`, `${logDirectory}/error.log`],
        left: ['sentinel'],
      });
    }), RUNS);
  });

  test('logFiles: refused, or read by a real sh as literal names with no side effect', () => {
    fc.assert(fc.property(fc.array(hostileString, { minLength: 1, maxLength: 3 }), (logFiles) => {
      const objects = constructOrRefuse('logFiles', logFiles, { logFiles });
      if (!objects) return;
      const sidecar = objects[0].spec.containers[1];
      expect(runSidecarOnce(argvOf(sidecar))).toEqual({
        catArgs: logFiles.map(f => `/var/log/nginx/${f}`),
        left: ['sentinel'],
      });
    }), RUNS);
  });
});

describe('the validator and the construct agree on names', () => {
  const accepts = (check: (prop: string, value: string) => void, value: string) => {
    try {
      check('name', value);
      return true;
    } catch {
      return false;
    }
  };
  const candidates = fc.oneof(
    fc.stringMatching(/^[-a-z0-9.]{0,70}$/),
    fc.string({ maxLength: 70 }),
    fc.constantFrom('a'.repeat(63), 'a'.repeat(64), `${'a'.repeat(63)}.${'b'.repeat(63)}`),
  );

  test('DNS-1123 labels', () => {
    fc.assert(fc.property(candidates, (value) => {
      expect(names.isDnsLabel(value)).toBe(accepts(validateDnsLabel, value));
    }), { numRuns: 300 });
  });

  test('DNS-1123 subdomains', () => {
    fc.assert(fc.property(candidates, (value) => {
      expect(names.isDnsSubdomain(value)).toBe(accepts(validateDnsSubdomain, value));
    }), { numRuns: 300 });
  });
});

describe('bad input the construct refuses, found by the property tests', () => {
  test.each([
    ['a negative cpu request without a limit', { webResources: { cpu: { request: kplus.Cpu.millis(-5) } } },
      'webResources.cpu.request must be a CPU quantity such as "250m" or "0.5", got "-5m"'],
    ['a cpu limit that is not a number', { webResources: { cpu: { limit: kplus.Cpu.units(NaN) } } },
      'webResources.cpu.limit must be a CPU quantity such as "250m" or "0.5", got "NaN"'],
    ['a memory request that is not a number', { webResources: { memory: { request: Size.mebibytes(NaN) } } },
      'webResources.memory.request must be a finite size, got NaNMi'],
    ['a logDirectory with a lone surrogate half', { logDirectory: '/var/log/\ud800x' },
      'logDirectory must not contain a lone surrogate half, got "/var/log/\\ud800x"'],
  ] as Array<[string, LoggingSidecarPodProps, string]>)('fails on %s', (_, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  // Through the shared check: which construct passes readInterval on is being reworked (log shippers).
  test('fails on a readInterval too long for sleep to be given a whole number', () => {
    expect(() => validateWholeSeconds('readInterval', Duration.seconds(1e21)))
      .toThrow('readInterval must be at most 9007199254740991 seconds, got 1e+21 seconds');
  });
});
