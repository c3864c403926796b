import { ApiObject, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LoggingSidecarPod, LoggingSidecarPodProps } from '../lib';

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

  test('two pods with the same podName in one chart are left to the user to rename', () => {
    // Names are the user's to choose; the construct ids differ, so cdk8s itself is fine.
    const chart = Testing.chart();
    new LoggingSidecarPod(chart, 'A');
    new LoggingSidecarPod(chart, 'B');
    expect(Testing.synth(chart).map(p => p.metadata.name)).toEqual(['webserver', 'webserver']);
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
    ['logDirectory with a newline', { logDirectory: '/var/log\nrm' }, 'logDirectory must not contain control characters, got "/var/log\\nrm"'],
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
