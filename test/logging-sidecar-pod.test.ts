import { ApiObject, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LoggingSidecarPod, LoggingSidecarPodProps, LogShipper } from '../lib';

function synthPod(props?: LoggingSidecarPodProps): any {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', props);
  const manifests = Testing.synth(chart);
  expect(manifests).toHaveLength(1);
  return manifests[0];
}

function containerNamed(pod: any, name: string): any {
  const container = pod.spec.containers.find((c: any) => c.name === name);
  expect(container).toBeDefined();
  return container;
}

describe('defaults', () => {
  test('snapshot', () => {
    expect(synthPod()).toMatchSnapshot();
  });

  test('resolved defaults are readable on the construct', () => {
    const construct = new LoggingSidecarPod(Testing.chart(), 'pod');
    expect(construct.logDirectory).toBe('/var/log/nginx');
    expect(construct.logFiles).toEqual(['access.log', 'error.log']);
    expect(construct.hardened).toBe(false);
    expect(construct.sidecar.shipper.displayName).toBe('LogShipper.catLoop()');
    expect(construct.sidecar.rotateLogsAt).toBeUndefined();
  });
});

describe('escape hatches', () => {
  test('the cdk8s-plus pod, containers and volume are exposed', () => {
    const construct = new LoggingSidecarPod(Testing.chart(), 'pod');
    expect(construct.pod).toBeInstanceOf(kplus.Pod);
    expect(construct.pod.node.id).toBe('Resource');
    expect(construct.pod.containers).toEqual([construct.webContainer, construct.sidecarContainer]);
    expect(construct.webContainer.name).toBe('nginx-container');
    expect(construct.sidecarContainer.name).toBe('sidecar-container');
    expect(construct.logVolume.name).toBe('shared-logs');
    expect(construct.pod.volumes).toEqual([construct.logVolume]);
  });

  test('the pod accepts labels, env and JSON patches after construction', () => {
    const chart = Testing.chart();
    const construct = new LoggingSidecarPod(chart, 'pod');
    construct.pod.metadata.addLabel('team', 'web');
    construct.sidecarContainer.env.addVariable('TZ', kplus.EnvValue.fromValue('UTC'));
    ApiObject.of(construct.pod).addJsonPatch(JsonPatch.add('/spec/priorityClassName', 'high'));

    const [pod] = Testing.synth(chart);
    expect(pod.metadata.labels.team).toBe('web');
    expect(containerNamed(pod, 'sidecar-container').env).toEqual([{ name: 'TZ', value: 'UTC' }]);
    expect(pod.spec.priorityClassName).toBe('high');
  });

  test('logFiles returns a copy that cannot change the construct', () => {
    const construct = new LoggingSidecarPod(Testing.chart(), 'pod');
    construct.logFiles.push('other.log');
    expect(construct.logFiles).toEqual(['access.log', 'error.log']);
  });

  test('the logFiles prop array is copied at construction', () => {
    const logFiles = ['access.log'];
    const construct = new LoggingSidecarPod(Testing.chart(), 'pod', { logFiles });
    logFiles.push('error.log');
    expect(construct.logFiles).toEqual(['access.log']);
  });
});

describe('every default can be overridden', () => {
  test('podName', () => {
    expect(synthPod({ podName: 'shop.web-1' }).metadata.name).toBe('shop.web-1');
  });

  test('webContainerName and webImage', () => {
    const pod = synthPod({ webContainerName: 'web', webImage: 'registry.example.com:5000/team/nginx:1.27.3' });
    expect(containerNamed(pod, 'web').image).toBe('registry.example.com:5000/team/nginx:1.27.3');
  });

  test('sidecarContainerName and sidecarImage', () => {
    const digest = `busybox@sha256:${'a'.repeat(64)}`;
    const pod = synthPod({ sidecarContainerName: 'logs', sidecarImage: digest });
    expect(containerNamed(pod, 'logs').image).toBe(digest);
  });

  test('webPort', () => {
    const pod = synthPod({ webPort: 8080 });
    expect(containerNamed(pod, 'nginx-container').ports).toEqual([{ containerPort: 8080, name: 'http' }]);
  });

  test('volumeName is used by the volume and both mounts', () => {
    const pod = synthPod({ volumeName: 'logs' });
    expect(pod.spec.volumes).toEqual([{ name: 'logs', emptyDir: {} }]);
    for (const container of pod.spec.containers) {
      expect(container.volumeMounts).toEqual([{ name: 'logs', mountPath: '/var/log/nginx' }]);
    }
  });

  test('logDirectory moves both mounts and the paths the sidecar reads', () => {
    const pod = synthPod({ logDirectory: '/srv/logs' });
    for (const container of pod.spec.containers) {
      expect(container.volumeMounts).toEqual([{ name: 'shared-logs', mountPath: '/srv/logs' }]);
    }
    expect(containerNamed(pod, 'sidecar-container').command[2])
      .toBe('while true; do cat /srv/logs/access.log /srv/logs/error.log; sleep 30; done');
  });

  test('logFiles are read in the given order', () => {
    const pod = synthPod({ logFiles: ['error.log', 'access.log', 'upstream_2.log'] });
    expect(containerNamed(pod, 'sidecar-container').command[2]).toBe(
      'while true; do cat /var/log/nginx/error.log /var/log/nginx/access.log /var/log/nginx/upstream_2.log; sleep 30; done');
  });

  test('readInterval in any unit that is whole seconds', () => {
    const pod = synthPod({ readInterval: Duration.minutes(2) });
    expect(containerNamed(pod, 'sidecar-container').command[2]).toMatch(/; sleep 120; done$/);
  });

  test('readInterval up to 9007199254740991 seconds, the largest sleep gets as digits', () => {
    const pod = synthPod({ readInterval: Duration.seconds(9007199254740991) });
    expect(containerNamed(pod, 'sidecar-container').command[2]).toMatch(/; sleep 9007199254740991; done$/);
    expect(() => synthPod({ readInterval: Duration.seconds(9007199254740992) }))
      .toThrow('readInterval must be at most 9007199254740991 seconds, got 9007199254740992 seconds');
  });

  test('a logDirectory with spaces and quotes is passed to the shell quoted', () => {
    const pod = synthPod({ logDirectory: "/var/log/my app's logs" });
    expect(containerNamed(pod, 'sidecar-container').command[2]).toBe(
      "while true; do cat '/var/log/my app'\\''s logs/access.log' '/var/log/my app'\\''s logs/error.log'; sleep 30; done");
  });

  test('webResources and sidecarResources replace the defaults as a whole', () => {
    const pod = synthPod({
      webResources: { memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) } },
      sidecarResources: { cpu: { request: kplus.Cpu.millis(5), limit: kplus.Cpu.units(1) } },
    });
    expect(containerNamed(pod, 'nginx-container').resources).toEqual({
      requests: { memory: '256Mi' },
      limits: { memory: '256Mi' },
    });
    expect(containerNamed(pod, 'sidecar-container').resources).toEqual({
      requests: { cpu: '5m' },
      limits: { cpu: '1' },
    });
  });
});

describe('reuse from another chart', () => {
  test('two pods with different props in one chart synthesize side by side', () => {
    // GIVEN a chart of the user's own
    const chart = new Chart(Testing.app(), 'shop');

    // WHEN it adds the construct twice
    new LoggingSidecarPod(chart, 'Frontend', { podName: 'frontend' });
    new LoggingSidecarPod(chart, 'Admin', { podName: 'admin', logDirectory: '/logs', readInterval: Duration.seconds(5) });

    // THEN both pods come out whole and distinct
    const pods = Testing.synth(chart);
    expect(pods.map(p => p.metadata.name)).toEqual(['frontend', 'admin']);
    expect(new Set(pods.map(p => p.metadata.labels['cdk8s.io/metadata.addr'])).size).toBe(2);
    expect(pods[1].spec.containers[1].command[2]).toBe('while true; do cat /logs/access.log /logs/error.log; sleep 5; done');
    expect(pods[0].spec.containers[1].command[2]).toMatch(/\/var\/log\/nginx\/access.log .*sleep 30/);
  });

  test('two pods with the same podName in one chart fail synth, naming both', () => {
    const chart = Testing.chart();
    new LoggingSidecarPod(chart, 'A');
    new LoggingSidecarPod(chart, 'B');
    expect(() => Testing.synth(chart)).toThrow('Pod "webserver" with no namespace (the namespace kubectl applies it to) is defined twice, '
      + 'at test/A and at test/B: applied, the second would replace the first; give one of them another name');
  });

  test('two constructs with the same id in one scope are refused by constructs', () => {
    const chart = Testing.chart();
    new LoggingSidecarPod(chart, 'Web');
    expect(() => new LoggingSidecarPod(chart, 'Web')).toThrow(/There is already a Construct with name 'Web'/);
  });
});

describe('bad input', () => {
  test.each([
    ['podName', { podName: 'Web_Server' }, 'podName must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit), got "Web_Server"'],
    ['podName', { podName: '' }, 'podName must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit), got ""'],
    ['podName', { podName: 'a'.repeat(254) }, `got "${'a'.repeat(254)}"`],
    ['webContainerName', { webContainerName: 'nginx.container' }, 'webContainerName must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "nginx.container"'],
    ['sidecarContainerName', { sidecarContainerName: '-sidecar' }, 'sidecarContainerName must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "-sidecar"'],
    ['volumeName', { volumeName: 'a'.repeat(64) }, `volumeName must be a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit), got "${'a'.repeat(64)}"`],
    ['duplicate container names', { webContainerName: 'app', sidecarContainerName: 'app' }, 'sidecarContainerName must differ from webContainerName, both are "app"'],
    ['webImage with whitespace', { webImage: 'nginx latest' }, 'webImage must be an image reference such as "nginx:1.27" or "registry.example.com/team/app@sha256:<64 hex digits>" (it does not follow the image reference grammar), got "nginx latest"'],
    ['sidecarImage with a newline', { sidecarImage: 'ubuntu:latest\n' }, 'sidecarImage must be an image reference such as "nginx:1.27" or "registry.example.com/team/app@sha256:<64 hex digits>" (it does not follow the image reference grammar), got "ubuntu:latest\\n"'],
    ['webImage in upper case', { webImage: 'Nginx' }, 'got "Nginx"'],
    ['webImage with a sha256 digest one digit short', { webImage: 'nginx@sha256:' + 'a'.repeat(63) },
      `webImage must be an image reference such as "nginx:1.27" or "registry.example.com/team/app@sha256:<64 hex digits>" (its sha256 digest has 63 hex digits, not 64), got "nginx@sha256:${'a'.repeat(63)}"`],
    ['webImage with an unknown digest algorithm', { webImage: 'nginx@md5:' + 'a'.repeat(32) }, '(its digest algorithm "md5" is none of sha256, sha384, sha512)'],
    // A name every object inherits: it was looked up as a length, and the message showed Object's constructor.
    ['webImage with the digest algorithm constructor', { webImage: 'nginx@constructor:' + 'a'.repeat(64) }, '(its digest algorithm "constructor" is none of sha256, sha384, sha512)'],
    ['webImage with an upper-case digest', { webImage: 'nginx@sha256:' + 'A'.repeat(64) }, '(its digest must be lower-case hex)'],
    ['webImage with a name over 255 characters', { webImage: 'registry.example.com/' + 'a/'.repeat(120) + 'nginx:1' }, '(its name (registry and repository) is 266 characters, more than 255)'],
    ['webImage with an upper-case repository', { webImage: 'Team/nginx' }, `webImage must be an image reference such as "nginx:1.27" or "registry.example.com/team/app@sha256:<64 hex digits>" (it does not follow the image reference grammar), got "Team/nginx"`],
    ['webImage empty', { webImage: '' }, 'webImage must be an image reference such as "nginx:1.27" or "registry.example.com/team/app@sha256:<64 hex digits>" (it does not follow the image reference grammar), got ""'],
    ['webPort zero', { webPort: 0 }, 'webPort must be a whole number from 1 to 65535, got 0'],
    ['webPort too large', { webPort: 65536 }, 'webPort must be a whole number from 1 to 65535, got 65536'],
    ['webPort fractional', { webPort: 80.5 }, 'webPort must be a whole number from 1 to 65535, got 80.5'],
    ['relative logDirectory', { logDirectory: 'var/log' }, 'logDirectory must be an absolute path, got "var/log"'],
    ['root logDirectory', { logDirectory: '/' }, 'logDirectory must not be the root directory, got "/"'],
    ['logDirectory with a trailing slash', { logDirectory: '/var/log/' }, 'logDirectory must not end with "/", got "/var/log/"'],
    ['logDirectory with ..', { logDirectory: '/var/../etc' }, 'logDirectory must be normalized (no empty, "." or ".." segments), got "/var/../etc"'],
    ['logDirectory with //', { logDirectory: '/var//log' }, 'logDirectory must be normalized (no empty, "." or ".." segments), got "/var//log"'],
    ['logDirectory with a newline', { logDirectory: '/var/log\nrm' }, 'logDirectory must not contain a control character (U+000A), got "/var/log\\nrm"'],
    // YAML refuses C1 controls; kubectl would read U+0085 as a space, and lose or choke on U+2028.
    ['logDirectory with a C1 control', { logDirectory: '/var/log\u0090' }, 'logDirectory must not contain a control character (U+0090), got "/var/log\u0090"'],
    ['logDirectory with a next-line character', { logDirectory: '/var/log\u0085x' }, 'logDirectory must not contain a control character (U+0085), got "/var/log\u0085x"'],
    ['logDirectory with a line separator', { logDirectory: '/var/log\u2028x' }, 'logDirectory must not contain a line or paragraph separator (U+2028), got "/var/log\u2028x"'],
    ['logDirectory with a noncharacter', { logDirectory: '/var/log\uFDD0' }, 'logDirectory must not contain a noncharacter (U+FDD0), got "/var/log\uFDD0"'],
    ['logDirectory with U+FFFE', { logDirectory: '/var/\uFFFE' }, 'logDirectory must not contain a noncharacter (U+FFFE), got "/var/\uFFFE"'],
    ['logDirectory with a lone surrogate half', { logDirectory: '/var/\uD800log' }, 'logDirectory must not contain a lone surrogate half, got "/var/\\ud800log"'],
    // cdk8s writes these unquoted; kubectl's YAML reader takes them for integers.
    ['podName kubectl reads as an octal number', { podName: '0o17' }, 'podName must not be a string that kubectl reads as another type: cdk8s writes it unquoted and kubectl reads it as the integer 15, got "0o17"'],
    ['webContainerName kubectl reads as a number', { webContainerName: '0o7' }, 'webContainerName must not be a string that kubectl reads as another type: cdk8s writes it unquoted and kubectl reads it as the integer 7, got "0o7"'],
    ['volumeName kubectl reads as a number', { volumeName: '0o10' }, 'volumeName must not be a string that kubectl reads as another type: cdk8s writes it unquoted and kubectl reads it as the integer 8, got "0o10"'],
    ['webImage kubectl reads as a hexadecimal number', { webImage: '0_x1f' }, 'webImage must not be a string that kubectl reads as another type: cdk8s writes it unquoted and kubectl reads it as the integer 31, got "0_x1f"'],
    ['sidecarImage kubectl reads as a float', { sidecarImage: '1e_3' }, 'sidecarImage must not be a string that kubectl reads as another type: cdk8s writes it unquoted and kubectl reads it as the number 1000, got "1e_3"'],
    ['empty logFiles', { logFiles: [] }, 'logFiles must list at least one file name, got []'],
    ['logFiles with a path', { logFiles: ['access.log', 'sub/error.log'] }, 'logFiles[1] must be a plain file name of letters, digits, \'.\', \'_\' and \'-\' (no \'/\', spaces or shell metacharacters, not starting with \'.\' or \'-\'), got "sub/error.log"'],
    ['logFiles with ..', { logFiles: ['..'] }, 'logFiles[0] must be a plain file name'],
    ['logFiles starting with -', { logFiles: ['-n'] }, 'got "-n"'],
    ['logFiles with a command substitution', { logFiles: ['$(reboot).log'] }, 'got "$(reboot).log"'],
    ['logFiles with a semicolon', { logFiles: ['a.log;rm'] }, 'got "a.log;rm"'],
    ['logFiles with a glob', { logFiles: ['*.log'] }, 'got "*.log"'],
    ['logFiles with a space', { logFiles: ['access log'] }, 'got "access log"'],
    ['repeated logFiles', { logFiles: ['access.log', 'access.log'] }, 'logFiles[1] repeats "access.log", each file must be listed once'],
    ['zero readInterval', { readInterval: Duration.seconds(0) }, 'readInterval must be at least 1 second, got 0 seconds'],
    ['fractional readInterval', { readInterval: Duration.millis(1500) }, 'readInterval must be a whole number of seconds, got 1 second 500 millis'],
    ['cpu request above limit', { webResources: { cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.millis(500) } } }, 'webResources.cpu.request must not exceed webResources.cpu.limit, got "1" > "500m"'],
    ['memory request above limit', { sidecarResources: { memory: { request: Size.gibibytes(1), limit: Size.mebibytes(64) } } }, 'sidecarResources.memory.request must not exceed sidecarResources.memory.limit, got 1024Mi > 64Mi'],
  ] as Array<[string, LoggingSidecarPodProps, string]>)('fails on %s', (_, props, message) => {
    expect(() => new LoggingSidecarPod(Testing.chart(), 'pod', props)).toThrow(message);
  });

  test('fails before adding anything to the chart', () => {
    const chart = Testing.chart();
    expect(() => new LoggingSidecarPod(chart, 'pod', { logFiles: [] })).toThrow();
    expect(Testing.synth(chart)).toEqual([]);
  });
});

describe('bad numbers, sizes and durations', () => {
  const MAX_MI = 2 ** 43 - 1;
  test.each([
    ['a memory limit that is not whole mebibytes', { webResources: { memory: { limit: Size.kibibytes(1536) } } },
      `webResources.memory.limit must be a whole number of mebibytes from 1 to ${MAX_MI}, got 1536Ki`],
    ['a memory request that is NaN', { sidecarResources: { memory: { request: Size.mebibytes(NaN) } } },
      'sidecarResources.memory.request must be a finite size, got NaNMi'],
    ['a memory limit that is Infinity', { sidecarResources: { memory: { limit: Size.gibibytes(Infinity) } } },
      'sidecarResources.memory.limit must be a finite size, got InfinityMi'],
    ['a memory limit that would print as 1e+21Mi', { webResources: { memory: { limit: Size.mebibytes(1e21) } } },
      `webResources.memory.limit must be a whole number of mebibytes from 1 to ${MAX_MI}, got 1e+21Mi`],
    ['a memory limit one mebibyte above what Kubernetes keeps', { webResources: { memory: { limit: Size.mebibytes(MAX_MI + 1) } } },
      `webResources.memory.limit must be a whole number of mebibytes from 1 to ${MAX_MI}, got ${MAX_MI + 1}Mi`],
    ['a zero memory request', { webResources: { memory: { request: Size.mebibytes(0) } } },
      `webResources.memory.request must be a whole number of mebibytes from 1 to ${MAX_MI}, got 0Ki`],
    ['a cpu limit of a fraction of a millicore', { webResources: { cpu: { limit: kplus.Cpu.millis(1.5) } } },
      'webResources.cpu.limit must be a whole number of millicores from 1m to 9007199254740991m (at most 3 decimals in cores), got "1.5m"'],
    ['a cpu request in cores below a millicore', { sidecarResources: { cpu: { request: kplus.Cpu.units(0.0005) } } },
      'sidecarResources.cpu.request must be a whole number of millicores from 1m to 9007199254740991m (at most 3 decimals in cores), got "0.0005"'],
    ['a zero cpu request', { webResources: { cpu: { request: kplus.Cpu.millis(0) } } },
      'webResources.cpu.request must be a whole number of millicores from 1m to 9007199254740991m (at most 3 decimals in cores), got "0m"'],
    ['a cpu limit past what a number holds exactly', { webResources: { cpu: { limit: kplus.Cpu.millis(2 ** 53) } } },
      'webResources.cpu.limit must be a whole number of millicores from 1m to 9007199254740991m (at most 3 decimals in cores), got "9007199254740992m"'],
    ['a cpu limit in exponent notation', { webResources: { cpu: { limit: kplus.Cpu.millis(1e21) } } },
      'webResources.cpu.limit must be a CPU quantity such as "250m" or "0.5", got "1e+21m"'],
    ['a negative cpu limit', { webResources: { cpu: { limit: kplus.Cpu.millis(-1) } } },
      'webResources.cpu.limit must be a CPU quantity such as "250m" or "0.5", got "-1m"'],
    ['a volumeSizeLimit that is not whole mebibytes', { shipper: LogShipper.stream(), volumeSizeLimit: Size.kibibytes(256 * 1024 + 512) },
      `volumeSizeLimit must be a whole number of mebibytes from 1 to ${MAX_MI}, got 262656Ki`],
    ['a volumeSizeLimit that is NaN', { shipper: LogShipper.stream(), volumeSizeLimit: Size.gibibytes(NaN) }, 'volumeSizeLimit must be a finite size, got NaNMi'],
    ['a rotateLogsAt that is not whole kibibytes', { shipper: LogShipper.stream(), rotateLogsAt: Size.kibibytes(2048.5) },
      `rotateLogsAt must be a whole number of kibibytes from 1024 to ${MAX_MI * 1024}, got 2048.5Ki`],
    ['a rotateLogsAt below 1Mi', { shipper: LogShipper.stream(), rotateLogsAt: Size.kibibytes(512) },
      `rotateLogsAt must be a whole number of kibibytes from 1024 to ${MAX_MI * 1024}, got 512Ki`],
    ['a readInterval that is NaN', { readInterval: Duration.seconds(NaN) }, 'readInterval must be a whole number of seconds, got NaN seconds'],
    ['a readInterval that is Infinity', { readInterval: Duration.minutes(Infinity) }, 'readInterval must be a whole number of seconds, got Infinity minutes'],
    ['a webPort that is NaN', { webPort: NaN }, 'webPort must be a whole number from 1 to 65535, got NaN'],
    ['a webPort that is Infinity', { webPort: Infinity }, 'webPort must be a whole number from 1 to 65535, got Infinity'],
    ['a negative webPort', { webPort: -80 }, 'webPort must be a whole number from 1 to 65535, got -80'],
  ] as Array<[string, LoggingSidecarPodProps, string]>)('fails on %s', (_, props, message) => {
    expect(() => new LoggingSidecarPod(Testing.chart(), 'pod', props)).toThrow(message);
  });

  test('the largest memory Kubernetes keeps is written as a plain number of mebibytes', () => {
    const pod = synthPod({ webResources: { memory: { limit: Size.mebibytes(MAX_MI) } } });
    expect(containerNamed(pod, 'nginx-container').resources.limits.memory).toBe(`${MAX_MI}Mi`);
  });

  test('fails on a bad volumeSizeLimit before adding anything to the chart', () => {
    const chart = Testing.chart();
    expect(() => new LoggingSidecarPod(chart, 'pod', { shipper: LogShipper.stream(), volumeSizeLimit: Size.kibibytes(1536) })).toThrow('volumeSizeLimit');
    expect(Testing.synth(chart)).toEqual([]);
  });
});

describe('bad types, as plain JavaScript or another jsii language may pass them', () => {
  test.each([
    ['props that are null', null, 'LoggingSidecarPod props must be an object, got null'],
    ['a number as readInterval', { readInterval: 30 }, 'readInterval must be a Duration (such as Duration.seconds(30)), got 30'],
    ['a number as volumeSizeLimit', { shipper: LogShipper.stream(), volumeSizeLimit: 256 }, 'volumeSizeLimit must be a Size (such as Size.mebibytes(64)), got 256'],
    ['a string as webPort', { webPort: '8080' }, 'webPort must be a number, got "8080"'],
    ['a string as hardened', { hardened: 'yes' }, 'hardened must be true or false, got "yes"'],
    ['a number as healthChecks', { healthChecks: 1 }, 'healthChecks must be true or false, got 1'],
    ['null as podName', { podName: null }, 'podName must be a string, got null'],
    ['null as sidecarContainerName', { sidecarContainerName: null }, 'sidecarContainerName must be a string, got null'],
    ['an empty object as shipper', { shipper: {} }, 'shipper must be made with a LogShipper method such as LogShipper.stream(), got {}'],
    ['a shipper factory not called', { shipper: LogShipper.stream }, 'shipper must be made with a LogShipper method such as LogShipper.stream(), got the function stream (not called)'],
    ['a string as webResources', { webResources: '500m' },
      'webResources must be an object such as { cpu: { limit: Cpu.millis(500) }, memory: { limit: Size.mebibytes(128) } }, got "500m"'],
    ['a number as a memory limit', { webResources: { memory: { limit: 128 } } }, 'webResources.memory.limit must be a Size (such as Size.mebibytes(64)), got 128'],
    ['a number as a cpu request', { sidecarResources: { cpu: { request: 0.5 } } }, 'sidecarResources.cpu.request must be a Cpu (such as Cpu.millis(250)), got 0.5'],
    ['a Cpu where its request and limit go, which cdk8s-plus would ignore', { webResources: { cpu: kplus.Cpu.millis(500) } },
      'webResources.cpu must be an object such as { request: Cpu.millis(250), limit: Cpu.millis(250) }, got {"amount":"500m"}'],
    ['a string as logFiles', { logFiles: 'access.log' }, 'logFiles must be an array of file names, got "access.log"'],
    ['a sparse logFiles', { logFiles: ['access.log', , 'error.log'] },
      'logFiles must be an array of file names, without holes, got a sparse array with nothing at index 1: ["access.log",null,"error.log"]'],
    ['null in logFiles', { logFiles: ['access.log', null] }, 'logFiles[1] must be a string, got null'],
  ] as Array<[string, any, string]>)('fails on %s', (_, props, message) => {
    expect(() => new LoggingSidecarPod(Testing.chart(), 'pod', props)).toThrow(message);
  });
});
