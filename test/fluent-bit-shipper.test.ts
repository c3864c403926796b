import { Duration, Size, Testing } from 'cdk8s';
import { FluentBitOutput, LoggingSidecarPod, LoggingSidecarPodProps, LogShipper } from '../lib';

function synth(props: LoggingSidecarPodProps = {}): { pod: any; configMap: any } {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', { shipper: LogShipper.fluentBit(), ...props });
  const manifests = Testing.synth(chart);
  return {
    pod: manifests.find(m => m.kind === 'Pod'),
    configMap: manifests.find(m => m.kind === 'ConfigMap'),
  };
}

const sidecarOf = (pod: any) => pod.spec.containers.find((c: any) => c.name === 'sidecar-container');

/** The settings of each `[SECTION]` of a classic Fluent Bit configuration, in order. */
function sections(config: string): Array<{ name: string; settings: Record<string, string> }> {
  const result: Array<{ name: string; settings: Record<string, string> }> = [];
  for (const line of config.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      result.push({ name: header[1], settings: {} });
    } else if (line.trim()) {
      const [, key, value] = /^\s+(\S+)\s+(.*)$/.exec(line)!;
      result[result.length - 1].settings[key] = value;
    }
  }
  return result;
}

describe('LogShipper.fluentBit()', () => {
  test('snapshot', () => {
    const chart = Testing.chart();
    new LoggingSidecarPod(chart, 'pod', {
      shipper: LogShipper.fluentBit({
        outputs: [
          FluentBitOutput.stdout(),
          FluentBitOutput.loki({ host: 'loki.monitoring.svc', labels: { job: 'nginx', cluster: 'prod-1' }, tenantId: 'team-a' }),
          FluentBitOutput.elasticsearch({ host: 'es.logging.svc', tls: true, index: 'nginx-access' }),
          FluentBitOutput.http({ host: '10.0.0.7', port: 8080, uri: '/ingest?source=nginx' }),
        ],
      }),
    });
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('runs the pinned official image with the configuration from a ConfigMap mounted read-only', () => {
    const { pod, configMap } = synth();
    const sidecar = sidecarOf(pod);
    expect(sidecar.image).toBe('cr.fluentbit.io/fluent/fluent-bit:3.2.10');
    expect(sidecar.command).toBeUndefined();
    expect(sidecar.args).toEqual(['-c', '/fluent-bit/etc/logging-sidecar/fluent-bit.conf']);
    expect(sidecar.volumeMounts).toContainEqual({ name: 'log-shipper-config', mountPath: '/fluent-bit/etc/logging-sidecar', readOnly: true });
    expect(pod.spec.volumes).toContainEqual({ name: 'log-shipper-config', configMap: { name: configMap.metadata.name } });
    expect(Object.keys(configMap.data).sort()).toEqual(['fluent-bit.conf', 'parsers.conf']);
  });

  test('keeps its position database on the shared volume, beside the logs', () => {
    const { pod, configMap } = synth();
    expect(sidecarOf(pod).volumeMounts).toContainEqual({
      name: 'shared-logs', mountPath: '/var/lib/logging-sidecar', subPath: '.logging-sidecar-state',
    });
    const inputs = sections(configMap.data['fluent-bit.conf']).filter(s => s.name === 'INPUT');
    expect(inputs.map(i => i.settings.DB)).toEqual(['/var/lib/logging-sidecar/tail.db', '/var/lib/logging-sidecar/tail.db']);
  });

  test('tails each log file from its head, with Rotate_Wait, Mem_Buf_Limit and the parser for its format', () => {
    const { configMap } = synth({
      shipper: LogShipper.fluentBit({ memBufLimit: Size.mebibytes(8), rotateWait: Duration.seconds(12) }),
      logFiles: ['access.log', 'error.log', 'upstream.log'],
    });
    const inputs = sections(configMap.data['fluent-bit.conf']).filter(s => s.name === 'INPUT');
    expect(inputs.map(i => [i.settings.Path, i.settings.Parser])).toEqual([
      ['/var/log/nginx/access.log', 'nginx_main'],
      ['/var/log/nginx/error.log', 'nginx_error'],
      ['/var/log/nginx/upstream.log', undefined],
    ]);
    for (const input of inputs) {
      expect(input.settings).toMatchObject({
        Name: 'tail', Read_from_Head: 'true', Rotate_Wait: '12', Mem_Buf_Limit: '8MB', Refresh_Interval: '1',
      });
    }
  });

  test('serves its health endpoint, which backs the liveness probe', () => {
    const { pod, configMap } = synth();
    const service = sections(configMap.data['fluent-bit.conf']).find(s => s.name === 'SERVICE')!;
    expect(service.settings).toMatchObject({ HTTP_Server: 'On', HTTP_Port: '2020', Health_Check: 'On' });
    expect(sidecarOf(pod).livenessProbe).toMatchObject({ httpGet: { path: '/api/v1/health', port: 2020 } });
    expect(sidecarOf(pod).ports).toEqual([{ containerPort: 2020, name: 'fluent-bit-http' }]);
  });

  test('sizes its memory limit for one buffer per file', () => {
    const { pod } = synth({ shipper: LogShipper.fluentBit({ memBufLimit: Size.mebibytes(32) }) });
    expect(sidecarOf(pod).resources.limits.memory).toBe('128Mi');
  });

  test('renders each output with its options', () => {
    const { configMap } = synth({
      shipper: LogShipper.fluentBit({
        outputs: [
          FluentBitOutput.stdout(),
          FluentBitOutput.loki({ host: 'loki', labels: { job: 'web', env: 'prod' }, tls: true }),
          FluentBitOutput.elasticsearch({ host: 'es.svc', port: 9243 }),
          FluentBitOutput.http({ host: 'collector', tls: true }),
        ],
      }),
    });
    const outputs = sections(configMap.data['fluent-bit.conf']).filter(s => s.name === 'OUTPUT').map(s => s.settings);
    expect(outputs).toEqual([
      { Name: 'stdout', Match: '*', Format: 'json_lines', json_date_key: 'date', json_date_format: 'iso8601' },
      { Name: 'loki', Match: '*', Host: 'loki', Port: '3100', tls: 'On', 'tls.verify': 'On', Labels: 'job=web, env=prod', Line_Format: 'json' },
      { Name: 'es', Match: '*', Host: 'es.svc', Port: '9243', tls: 'Off', 'tls.verify': 'On', Index: 'nginx', Suppress_Type_Name: 'On', Replace_Dots: 'On' },
      { Name: 'http', Match: '*', Host: 'collector', Port: '443', tls: 'On', 'tls.verify': 'On', URI: '/', Format: 'json' },
    ]);
  });
});

describe('bad Fluent Bit input', () => {
  test.each([
    ['a missing host', () => FluentBitOutput.loki({} as any), 'FluentBitOutput.loki() host must be a host name or an IPv4 address, such as "loki.monitoring.svc", got undefined'],
    ['an empty host', () => FluentBitOutput.elasticsearch({ host: '' }), 'FluentBitOutput.elasticsearch() host must be a host name or an IPv4 address, such as "loki.monitoring.svc", got ""'],
    ['a host with a newline', () => FluentBitOutput.http({ host: 'evil\n[OUTPUT]' }), 'got "evil\\n[OUTPUT]"'],
    ['a host with a space', () => FluentBitOutput.loki({ host: 'loki svc' }), 'got "loki svc"'],
    ['a port out of range', () => FluentBitOutput.loki({ host: 'loki', port: 70000 }), 'FluentBitOutput.loki() port must be a whole number from 1 to 65535, got 70000'],
    ['a label name with a dash', () => FluentBitOutput.loki({ host: 'loki', labels: { 'app-name': 'x' } }), 'FluentBitOutput.loki() labels must be named with letters, digits and \'_\', not starting with a digit, got "app-name"'],
    ['a label value with a comma', () => FluentBitOutput.loki({ host: 'loki', labels: { job: 'a, b=c' } }), 'FluentBitOutput.loki() labels.job must be 1 to 256 letters, digits or \'_\', \'.\', \':\', \'/\', \'@\', \'+\', \'-\', got "a, b=c"'],
    ['no labels', () => FluentBitOutput.loki({ host: 'loki', labels: {} }), 'FluentBitOutput.loki() labels must name at least one label, Loki rejects streams without labels, got {}'],
    ['a tenant with a newline', () => FluentBitOutput.loki({ host: 'loki', tenantId: 'a\nb' }), 'FluentBitOutput.loki() tenantId must be'],
    ['an index in upper case', () => FluentBitOutput.elasticsearch({ host: 'es', index: 'Nginx' }), 'FluentBitOutput.elasticsearch() index must be lowercase letters, digits, \'.\', \'_\' and \'-\', not starting with a symbol, got "Nginx"'],
    ['a uri with a space', () => FluentBitOutput.http({ host: 'h', uri: '/a b' }), 'FluentBitOutput.http() uri must be a path starting with "/" without spaces or control characters, got "/a b"'],
    ['no outputs', () => LogShipper.fluentBit({ outputs: [] }), 'LogShipper.fluentBit() outputs must name at least one output, got []'],
    ['a fractional memBufLimit', () => LogShipper.fluentBit({ memBufLimit: Size.kibibytes(1536) }), 'LogShipper.fluentBit() memBufLimit must be a whole number of mebibytes, at least 1, got 1536Ki'],
    ['a zero rotateWait', () => LogShipper.fluentBit({ rotateWait: Duration.seconds(0) }), 'LogShipper.fluentBit() rotateWait must be at least 1 second, got 0 seconds'],
    ['an image with a space', () => LogShipper.fluentBit({ image: 'fluent bit' }), 'LogShipper.fluentBit() image must be an image reference'],
    ['a logDirectory Fluent Bit cannot read from its config', () => synth({ logDirectory: '/var/log/my logs' }), 'logDirectory (read by LogShipper.fluentBit()) must be 1 to 256 letters, digits or \'_\', \'.\', \':\', \'/\', \'@\', \'+\', \'-\', got "/var/log/my logs"'],
  ] as Array<[string, () => unknown, string]>)('fails on %s', (_, create, message) => {
    expect(create).toThrow(message);
  });
});
