import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LoggingSidecarPod, LoggingSidecarPodProps, LogShipper } from '../lib';
import { restrictedViolations } from './pod-security-standards';
import { argvOf } from './kubelet';

function synthPod(props: LoggingSidecarPodProps): any {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', props);
  return Testing.synth(chart).find(m => m.kind === 'Pod');
}
const containerNamed = (pod: any, name: string) =>
  [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c: any) => c.name === name);

describe('hardened: the Pod Security Standards "restricted" level', () => {
  test.each([
    ['the cat loop', LogShipper.catLoop()],
    ['the stream shipper', LogShipper.stream()],
    ['Fluent Bit', LogShipper.fluentBit()],
  ])('meets every control with %s', (_, shipper) => {
    expect(restrictedViolations(synthPod({ hardened: true, shipper }).spec)).toEqual([]);
  });

  test('meets every control as a native sidecar with rotation', () => {
    const pod = synthPod({ hardened: true, nativeSidecar: true, shipper: LogShipper.stream(), volumeSizeLimit: Size.mebibytes(400) });
    expect(restrictedViolations(pod.spec)).toEqual([]);
  });

  test('the seed pod does not, and the checker says why', () => {
    const violations = restrictedViolations(synthPod({}).spec);
    expect(violations).toEqual(expect.arrayContaining([
      'capabilities (restricted): container nginx-container does not drop ALL',
      'running as non-root: container nginx-container',
      'seccomp: container sidecar-container',
    ]));
  });

  test('runs an unprivileged nginx on 8080 as user 101 with a read-only root filesystem', () => {
    const pod = synthPod({ hardened: true });
    const nginx = containerNamed(pod, 'nginx-container');
    expect(nginx.image).toBe('nginxinc/nginx-unprivileged:1.27.4');
    expect(nginx.ports).toEqual([{ containerPort: 8080, name: 'http' }]);
    for (const container of pod.spec.containers) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true, runAsUser: 101, runAsGroup: 101, readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false, privileged: false,
        capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      });
    }
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101, fsGroup: 101 });
  });

  test('gives nginx an emptyDir for /tmp and mounts the logs read-only in the sidecar', () => {
    const pod = synthPod({ hardened: true });
    expect(containerNamed(pod, 'nginx-container').volumeMounts).toContainEqual({ name: 'nginx-tmp', mountPath: '/tmp' });
    expect(pod.spec.volumes).toContainEqual({ name: 'nginx-tmp', emptyDir: { sizeLimit: '64Mi' } });
    expect(containerNamed(pod, 'sidecar-container').volumeMounts).toEqual([{ name: 'shared-logs', mountPath: '/var/log/nginx', readOnly: true }]);
    expect(containerNamed(pod, 'nginx-container').volumeMounts).toContainEqual({ name: 'shared-logs', mountPath: '/var/log/nginx' });
  });

  test('mounts the logs writable in the sidecar when it rotates them', () => {
    const pod = synthPod({ hardened: true, shipper: LogShipper.stream(), rotateLogsAt: Size.mebibytes(8) });
    expect(containerNamed(pod, 'sidecar-container').volumeMounts).toEqual([
      { name: 'shared-logs', mountPath: '/var/log/nginx' },
      { name: 'shared-logs', mountPath: '/var/lib/logging-sidecar', subPath: '.logging-sidecar-state' },
    ]);
  });

  test.each([
    'mirror.example.com/nginxinc/nginx-unprivileged:1.27.4',
    'bitnami/nginx:1.27',
    'registry.example.com/web/nginx@sha512:' + 'c'.repeat(128),
    'localhost:5000/library/nginx-unprivileged@sha384:' + 'd'.repeat(96),
  ])('accepts %s, which is not the official nginx image, when hardened', image => {
    expect(containerNamed(synthPod({ hardened: true, webImage: image }), 'nginx-container').image).toBe(image);
  });

  test.each([
    ['the official nginx image', { webImage: 'nginx:1.27' }, 'webImage must run as a non-root user with hardened: true, and the official nginx image runs as root; use "nginxinc/nginx-unprivileged:1.27.4" or another unprivileged image, got "nginx:1.27"'],
    ['the official nginx image by its full name', { webImage: 'docker.io/library/nginx@sha256:' + 'a'.repeat(64) }, 'the official nginx image runs as root'],
    ...['mirror.example.com/library/nginx:1.27', '127.0.0.1:5123/library/nginx', 'registry.local:5000/docker.io/library/nginx@sha256:' + 'b'.repeat(64),
      'index.docker.io/nginx:stable', 'public.ecr.aws/nginx/nginx:1.27'].map(image => [`the official nginx image as ${image}`, { webImage: image },
      `the official nginx image runs as root; use "nginxinc/nginx-unprivileged:1.27.4" or another unprivileged image, got ${JSON.stringify(image)}`]),
    ['/tmp as the log directory', { logDirectory: '/tmp' }, 'logDirectory must not be /tmp with hardened: true, where nginx has its own emptyDir at /tmp, got "/tmp"'],
    ['nginx-tmp as the volume name', { volumeName: 'nginx-tmp' }, 'volumeName must not be a name the pod reserves ("nginx-tmp", "log-shipper-…"), got "nginx-tmp"'],
    ['a privileged port', { webPort: 443 }, 'webPort must be 1024 or above with hardened: true, a non-root user cannot bind it with all capabilities dropped, got 443'],
  ] as Array<[string, LoggingSidecarPodProps, string]>)('fails on %s', (_, props, message) => {
    expect(() => synthPod({ hardened: true, ...props })).toThrow(message);
  });
});

describe('health checks', () => {
  test('are off by default', () => {
    const nginx = containerNamed(synthPod({}), 'nginx-container');
    expect(nginx.readinessProbe).toBeUndefined();
    expect(nginx.livenessProbe).toBeUndefined();
  });

  test('probe nginx over HTTP on its port', () => {
    const nginx = containerNamed(synthPod({ healthChecks: true, webPort: 8081 }), 'nginx-container');
    for (const probe of [nginx.readinessProbe, nginx.livenessProbe]) {
      expect(probe).toEqual({ httpGet: { path: '/', port: 8081, scheme: 'HTTP' }, periodSeconds: 10, failureThreshold: 3 });
    }
  });
});

describe('nativeSidecar', () => {
  test('turns the sidecar into an init container that restarts always', () => {
    const pod = synthPod({ nativeSidecar: true, shipper: LogShipper.stream() });
    expect(pod.spec.containers.map((c: any) => c.name)).toEqual(['nginx-container']);
    expect(pod.spec.initContainers).toHaveLength(1);
    expect(pod.spec.initContainers[0]).toMatchObject({ name: 'sidecar-container', restartPolicy: 'Always' });
  });

  test('keeps Fluent Bit\'s liveness probe, which native sidecars may have', () => {
    const pod = synthPod({ nativeSidecar: true, shipper: LogShipper.fluentBit() });
    expect(pod.spec.initContainers[0].livenessProbe.httpGet.path).toBe('/api/v1/health');
  });

  test.each([
    ['the cat loop', LogShipper.catLoop(), 'nativeSidecar needs a shipper that ships what is left and exits on SIGTERM, LogShipper.catLoop() does not (use LogShipper.stream() or LogShipper.fluentBit())'],
    ['a custom shipper that does not drain', LogShipper.custom({ image: 'busybox:1.36', command: ['tail', '-F', '/var/log/nginx/access.log'] }), 'LogShipper.custom() does not'],
  ])('fails with %s', (_, shipper, message) => {
    expect(() => synthPod({ nativeSidecar: true, shipper })).toThrow(message);
  });

  test('accepts a custom shipper that says it drains', () => {
    const shipper = LogShipper.custom({ image: 'vector:0.40', command: ['vector'], drainsOnShutdown: true });
    expect(synthPod({ nativeSidecar: true, shipper }).spec.initContainers[0].command).toEqual(['vector']);
  });
});

describe('bounded disk', () => {
  test('sets sizeLimit and rotates each file at the limit / (4 x files), sharing the process namespace', () => {
    const pod = synthPod({ shipper: LogShipper.stream(), volumeSizeLimit: Size.mebibytes(256) });
    expect(pod.spec.volumes).toEqual([{ name: 'shared-logs', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(pod.spec.shareProcessNamespace).toBe(true);
    const command: string[] = containerNamed(pod, 'sidecar-container').command;
    expect(command.slice(command.indexOf('--rotate-bytes'), command.indexOf('--rotate-bytes') + 2)).toEqual(['--rotate-bytes', String(32 * 1024 * 1024)]);
  });

  test('rotates at the size given', () => {
    const construct = new LoggingSidecarPod(Testing.chart(), 'pod', { shipper: LogShipper.stream(), volumeSizeLimit: Size.gibibytes(1), rotateLogsAt: Size.mebibytes(100) });
    expect(construct.sidecar.rotateLogsAt?.toMebibytes()).toBe(100);
    expect(construct.sidecarContainer.command).toContain(String(100 * 1024 * 1024));
  });

  test('without a limit, neither rotates nor shares the process namespace', () => {
    const pod = synthPod({ shipper: LogShipper.stream() });
    expect(pod.spec.shareProcessNamespace).toBeUndefined();
    expect(containerNamed(pod, 'sidecar-container').command).not.toContain('--rotate-bytes');
  });

  test.each([
    ['a size limit with the cat loop', { volumeSizeLimit: Size.mebibytes(100) }, 'volumeSizeLimit needs a shipper that rotates logs, LogShipper.catLoop() does not (use LogShipper.stream() or LogShipper.fluentBit()), and without rotation the volume fills up and the pod is evicted'],
    ['rotation with a custom shipper', { shipper: LogShipper.custom({ image: 'x', command: ['y'] }), rotateLogsAt: Size.mebibytes(10) }, 'rotateLogsAt needs a shipper that rotates logs, LogShipper.custom() does not'],
    ['a size limit below twice the rotation size per file', { shipper: LogShipper.stream(), volumeSizeLimit: Size.mebibytes(30), rotateLogsAt: Size.mebibytes(10) }, 'volumeSizeLimit must be at least 2 x rotateLogsAt x 2 log files = 40960Ki, since each file and its rotated copy may be full at once, got 30720Ki'],
    ['a size limit too small to rotate at 1Mi', { shipper: LogShipper.stream(), volumeSizeLimit: Size.mebibytes(4) }, 'rotateLogsAt must be at least 1Mi, got 512Ki (volumeSizeLimit / (4 x the number of log files))'],
  ] as Array<[string, LoggingSidecarPodProps, string]>)('fails on %s', (_, props, message) => {
    expect(() => synthPod(props)).toThrow(message);
  });
});

describe('shippers', () => {
  test('the cat loop takes its interval and image', () => {
    const pod = synthPod({ shipper: LogShipper.catLoop({ readInterval: Duration.seconds(5), image: 'busybox:1.36' }) });
    const sidecar = containerNamed(pod, 'sidecar-container');
    expect(sidecar.image).toBe('busybox:1.36');
    expect(sidecar.command[2]).toBe('while true; do cat /var/log/nginx/access.log /var/log/nginx/error.log; sleep 5; done');
  });

  test('the stream shipper passes paths as arguments, with no shell', () => {
    const pod = synthPod({ shipper: LogShipper.stream({ tagWithFileName: true }), logDirectory: "/logs/it's $(here)" });
    const sidecar = containerNamed(pod, 'sidecar-container');
    // Written with `$(` escaped, so that the kubelet's expansion hands perl the paths as they are.
    expect(sidecar.command.slice(-2)).toEqual(["/logs/it's $$(here)/access.log", "/logs/it's $$(here)/error.log"]);
    const argv = argvOf(sidecar);
    expect(argv.slice(0, 2)).toEqual(['perl', '-e']);
    expect(argv.slice(3)).toEqual(['--', '--tag', '--state', '/var/lib/logging-sidecar', '--', "/logs/it's $(here)/access.log", "/logs/it's $(here)/error.log"]);
  });

  test('the stream shipper takes rotateWait as a whole number of seconds', () => {
    const pod = synthPod({ shipper: LogShipper.stream({ rotateWait: Duration.minutes(1) }), rotateLogsAt: Size.mebibytes(8) });
    const command: string[] = containerNamed(pod, 'sidecar-container').command;
    expect(command.slice(3)).toEqual([
      '--', '--rotate-bytes', String(8 * 1024 * 1024), '--rotate-wait', '60', '--state', '/var/lib/logging-sidecar',
      '--', '/var/log/nginx/access.log', '/var/log/nginx/error.log',
    ]);
  });

  test('a custom shipper runs its image and command with the given resources', () => {
    const shipper = LogShipper.custom({
      image: 'timberio/vector:0.40.0-debian', command: ['vector'], args: ['--config', '/etc/vector/vector.yaml'],
      resources: { memory: { request: Size.mebibytes(100), limit: Size.mebibytes(200) } },
    });
    const sidecar = containerNamed(synthPod({ shipper }), 'sidecar-container');
    expect(sidecar).toMatchObject({ image: 'timberio/vector:0.40.0-debian', command: ['vector'], args: ['--config', '/etc/vector/vector.yaml'] });
    expect(sidecar.resources).toEqual({ requests: { memory: '100Mi' }, limits: { memory: '200Mi' } });
  });

  test.each([
    ['readInterval with another shipper', { shipper: LogShipper.stream(), readInterval: Duration.seconds(5) }, 'readInterval configures the default cat-loop shipper and cannot be combined with shipper LogShipper.stream(); pass it to the shipper instead'],
    ['sidecarImage with another shipper', { shipper: LogShipper.fluentBit(), sidecarImage: 'debian:12' }, 'sidecarImage configures the default cat-loop shipper and cannot be combined with shipper LogShipper.fluentBit(); pass it to the shipper instead'],
  ] as Array<[string, LoggingSidecarPodProps, string]>)('fails on %s', (_, props, message) => {
    expect(() => synthPod(props)).toThrow(message);
  });

  test.each([
    ['an empty custom command', () => LogShipper.custom({ image: 'busybox', command: [] }), 'LogShipper.custom() command must be a non-empty list of strings, got []'],
    ['a custom command word kubectl reads as a number', () => LogShipper.custom({ image: 'busybox', command: ['sleep', '0o17'] }),
      'LogShipper.custom() command[1] must not be a string that kubectl reads as another type: cdk8s writes it unquoted and kubectl reads it as the integer 15, got "0o17"'],
    ['a custom argument with a next-line character', () => LogShipper.custom({ image: 'busybox', command: ['echo'], args: ['a\u0085b'] }),
      'LogShipper.custom() args[0] must be a string that kubectl reads back as written, but it is written with U+0085, which kubectl\'s YAML reader takes for a line break: it reads other text or cannot read the file, got "a\u0085b"'],
    ['a custom argument with a C1 control', () => LogShipper.custom({ image: 'busybox', command: ['echo'], args: ['ok', '\u009b'] }),
      'LogShipper.custom() args[1] must be a string that kubectl reads back as written, but it is written with U+009B, which YAML does not allow in a file: kubectl cannot read the whole file, got "\u009b"'],
    ['a custom image with a space', () => LogShipper.custom({ image: 'bad image', command: ['x'] }), 'LogShipper.custom() image must be an image reference'],
    ['a cat loop every half second', () => LogShipper.catLoop({ readInterval: Duration.millis(500) }), 'LogShipper.catLoop() readInterval must be a whole number of seconds, got 500 millis'],
    ['a stream image with a tab', () => LogShipper.stream({ image: 'ubuntu\t' }), 'LogShipper.stream() image must be an image reference'],
    ['a stream rotateWait of zero', () => LogShipper.stream({ rotateWait: Duration.seconds(0) }), 'LogShipper.stream() rotateWait must be at least 1 second, got 0 seconds'],
    ['a stream rotateWait beyond a day', () => LogShipper.stream({ rotateWait: Duration.days(2) }), 'LogShipper.stream() rotateWait must be at most 86400 seconds, got 172800 seconds'],
    ['a stream rotateWait that is NaN', () => LogShipper.stream({ rotateWait: Duration.seconds(NaN) }), 'LogShipper.stream() rotateWait must be a whole number of seconds, got NaN seconds'],
    ['a cat loop readInterval that is Infinity', () => LogShipper.catLoop({ readInterval: Duration.hours(Infinity) }),
      'LogShipper.catLoop() readInterval must be a whole number of seconds, got Infinity hours'],
    ['a custom memory limit that is not whole mebibytes', () => LogShipper.custom({ image: 'busybox', command: ['x'], resources: { memory: { limit: Size.kibibytes(1536) } } }),
      'LogShipper.custom() resources.memory.limit must be a whole number of mebibytes from 1 to 8796093022207, got 1536Ki'],
    ['a custom cpu request of a fraction of a millicore', () => LogShipper.custom({ image: 'busybox', command: ['x'], resources: { cpu: { request: kplus.Cpu.units(0.0125) } } }),
      'LogShipper.custom() resources.cpu.request must be a whole number of millicores from 1m to 9007199254740991m (at most 3 decimals in cores), got "0.0125"'],
  ])('fails on %s', (_, create, message) => {
    expect(create).toThrow(message);
  });

  test('a custom shipper\'s resources are checked', () => {
    expect(() => LogShipper.custom({ image: 'busybox', command: ['x'], resources: { cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(1) } } }))
      .toThrow('LogShipper.custom() resources.cpu.request must not exceed LogShipper.custom() resources.cpu.limit, got "2" > "1"');
  });
});

describe('shipper options of the wrong type', () => {
  test.each([
    ['a number as the stream\'s rotateWait, which was ignored when 0', () => LogShipper.stream({ rotateWait: 0 as any }),
      'LogShipper.stream() rotateWait must be a Duration (such as Duration.seconds(30)), got 0'],
    ['a string as tagWithFileName', () => LogShipper.stream({ tagWithFileName: 'yes' as any }), 'LogShipper.stream() tagWithFileName must be true or false, got "yes"'],
    ['a number as the cat loop\'s readInterval', () => LogShipper.catLoop({ readInterval: 30 as any }),
      'LogShipper.catLoop() readInterval must be a Duration (such as Duration.seconds(30)), got 30'],
    ['null as the cat loop\'s options', () => LogShipper.catLoop(null as any), 'LogShipper.catLoop() options must be an object, got null'],
    ['null as the stream\'s image', () => LogShipper.stream({ image: null as any }), 'LogShipper.stream() image must be a string, got null'],
    ['a custom command with a hole', () => LogShipper.custom({ image: 'busybox', command: ['sh', , 'x'] as any }),
      'LogShipper.custom() command must be an array of strings, without holes, got a sparse array with nothing at index 1: ["sh",null,"x"]'],
    ['a custom command that is a string', () => LogShipper.custom({ image: 'busybox', command: 'vector' as any }),
      'LogShipper.custom() command must be an array of strings, got "vector"'],
    ['custom args with undefined', () => LogShipper.custom({ image: 'busybox', command: ['x'], args: ['--a', undefined as any] }),
      'LogShipper.custom() args[1] must be a string, got undefined'],
    ['a string as drainsOnShutdown', () => LogShipper.custom({ image: 'busybox', command: ['x'], drainsOnShutdown: 'true' as any }),
      'LogShipper.custom() drainsOnShutdown must be true or false, got "true"'],
    ['a number as a custom memory request', () => LogShipper.custom({ image: 'busybox', command: ['x'], resources: { memory: { request: 64 as any } } }),
      'LogShipper.custom() resources.memory.request must be a Size (such as Size.mebibytes(64)), got 64'],
  ])('fails on %s', (_, create, message) => {
    expect(create).toThrow(message);
  });
});
