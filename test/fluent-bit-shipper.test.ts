import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { FluentBitOutput, LoggingSidecar, LoggingSidecarPod, LoggingSidecarPodProps, LogShipper } from '../lib';
import { EVERY_OUTPUT, FLUENT_BIT_CHARTS, splunkToken } from './fluent-bit-charts';
import { configOf } from './fluent-bit-process';
import { restrictedViolations } from './pod-security-standards';

// What the Fluent Bit shipper puts into the manifest. That the real Fluent Bit
// accepts each of these configurations is test/fluent-bit-accepts.test.ts;
// what it does with them, test/fluent-bit-pipeline.test.ts,
// test/fluent-bit-outage.test.ts, test/fluent-bit-delivery.test.ts and
// test/fluent-bit-state.test.ts.

function synth(props: LoggingSidecarPodProps = {}): { pod: any; configMap: any; config: any } {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', { shipper: LogShipper.fluentBit(), ...props });
  const manifests = Testing.synth(chart);
  return {
    pod: manifests.find(m => m.kind === 'Pod'),
    configMap: manifests.find(m => m.kind === 'ConfigMap'),
    config: configOf(manifests),
  };
}

const sidecarOf = (pod: any) => pod.spec.containers.find((c: any) => c.name === 'sidecar-container');

describe('LogShipper.fluentBit()', () => {
  test('snapshot', () => {
    expect(Testing.synth(FLUENT_BIT_CHARTS['every output']())).toMatchSnapshot();
  });

  test('runs the pinned official image with fluent-bit.yaml from a ConfigMap mounted read-only', () => {
    const { pod, configMap } = synth();
    const sidecar = sidecarOf(pod);
    expect(sidecar.image).toBe('cr.fluentbit.io/fluent/fluent-bit:3.2.10');
    expect(sidecar.command).toBeUndefined();
    expect(sidecar.args).toEqual(['-c', '/fluent-bit/etc/logging-sidecar/fluent-bit.yaml']);
    expect(sidecar.volumeMounts).toContainEqual({ name: 'log-shipper-config', mountPath: '/fluent-bit/etc/logging-sidecar', readOnly: true });
    expect(pod.spec.volumes).toContainEqual({ name: 'log-shipper-config', configMap: { name: configMap.metadata.name } });
    expect(Object.keys(configMap.data)).toEqual(['fluent-bit.yaml']);
  });

  test('exposes the ConfigMap it creates, on the shipper and on the sidecar', () => {
    const chart = Testing.chart();
    const shipper = LogShipper.fluentBit();
    const web = new LoggingSidecarPod(chart, 'pod', { shipper });
    expect(shipper.configMap).toBeInstanceOf(kplus.ConfigMap);
    expect(web.sidecar.shipperConfig.configMap).toBe(shipper.configMap);
    expect(shipper.configMap!.node.path).toBe('test/pod/Sidecar/FluentBitConfig');
  });

  test('keeps one position database per file and its buffer in an emptyDir of its own, size-limited', () => {
    const { pod, config } = synth();
    expect(sidecarOf(pod).volumeMounts).toContainEqual({ name: 'log-shipper-state', mountPath: '/var/lib/logging-sidecar' });
    expect(pod.spec.volumes).toContainEqual({ name: 'log-shipper-state', emptyDir: { sizeLimit: '64Mi' } });
    expect(config.pipeline.inputs.map((i: any) => i.db)).toEqual([
      '/var/lib/logging-sidecar/tail-access.log.db', '/var/lib/logging-sidecar/tail-error.log.db',
    ]);
    expect(config.service).toMatchObject({ 'storage.path': '/var/lib/logging-sidecar/buffer', 'storage.max_chunks_up': '8' });
    for (const input of config.pipeline.inputs) {
      expect(input).toMatchObject({ 'storage.type': 'filesystem', 'storage.pause_on_chunks_overlimit': 'on' });
    }
    expect(config.pipeline.outputs[0]).toEqual({
      name: 'stdout', match: '*', format: 'json_lines', json_date_key: 'date', json_date_format: 'iso8601', retry_limit: 'no_limits',
    });
  });

  test('with filesystemBuffering false, buffers in memory and keeps its databases on the log volume', () => {
    const { pod, config } = synth({ shipper: LogShipper.fluentBit({ filesystemBuffering: false }) });
    expect(sidecarOf(pod).volumeMounts).toContainEqual({
      name: 'shared-logs', mountPath: '/var/lib/logging-sidecar', subPath: '.logging-sidecar-state',
    });
    expect(pod.spec.volumes.map((v: any) => v.name)).not.toContain('log-shipper-state');
    expect(config.service['storage.path']).toBeUndefined();
    expect(config.pipeline.inputs[0]['storage.type']).toBeUndefined();
    expect(config.pipeline.inputs[0]['storage.pause_on_chunks_overlimit']).toBeUndefined();
    expect(config.pipeline.outputs[0].retry_limit).toBe('no_limits');
  });

  test('tails each log file from its head, with rotate_wait, mem_buf_limit and the parser for its format', () => {
    const { config } = synth({
      shipper: LogShipper.fluentBit({ memBufLimit: Size.mebibytes(8), rotateWait: Duration.seconds(12) }),
      logFiles: ['access.log', 'error.log', 'upstream.log'],
    });
    expect(config.pipeline.inputs.map((i: any) => [i.path, i.parser])).toEqual([
      ['/var/log/nginx/access.log', 'nginx_main'],
      ['/var/log/nginx/error.log', 'nginx_error'],
      ['/var/log/nginx/upstream.log', undefined],
    ]);
    for (const input of config.pipeline.inputs) {
      expect(input).toMatchObject({ name: 'tail', read_from_head: 'true', rotate_wait: '12', mem_buf_limit: '8MB', refresh_interval: '1' });
    }
    expect(config.parsers.map((p: any) => p.name)).toEqual(['nginx_main', 'nginx_error']);
  });

  test('serves its health endpoint, which backs the liveness probe', () => {
    const { pod, config } = synth();
    expect(config.service).toMatchObject({ http_server: 'on', http_port: '2020', health_check: 'on' });
    expect(sidecarOf(pod).livenessProbe).toMatchObject({ httpGet: { path: '/api/v1/health', port: 2020 } });
    expect(sidecarOf(pod).ports).toEqual([{ containerPort: 2020, name: 'fluent-bit-http' }]);
  });

  test('sizes its memory limit for one buffer per file', () => {
    const { pod } = synth({ shipper: LogShipper.fluentBit({ memBufLimit: Size.mebibytes(32) }) });
    expect(sidecarOf(pod).resources.limits.memory).toBe('128Mi');
  });

  test('renders each output with its options', () => {
    const chart = Testing.chart();
    new LoggingSidecarPod(chart, 'pod', { shipper: LogShipper.fluentBit({ outputs: EVERY_OUTPUT(), filesystemBuffering: false }) });
    const outputs = configOf(Testing.synth(chart)).pipeline.outputs;
    const retry = { retry_limit: 'no_limits' };
    expect(outputs).toEqual([
      { name: 'stdout', match: '*', format: 'json_lines', json_date_key: 'date', json_date_format: 'iso8601', ...retry },
      {
        'name': 'loki', 'match': '*', 'host': 'loki.monitoring.svc', 'port': '3100', 'tls': 'off', 'tls.verify': 'on',
        'labels': 'job=nginx, cluster=prod-1', 'line_format': 'json', 'tenant_id': 'team-a', ...retry,
      },
      {
        'name': 'es', 'match': '*', 'host': 'es.logging.svc', 'port': '9200', 'tls': 'on', 'tls.verify': 'on', 'tls.verify_hostname': 'on',
        'index': 'nginx-access', 'suppress_type_name': 'on', 'replace_dots': 'on', ...retry,
      },
      {
        'name': 'splunk', 'match': '*', 'host': 'splunk-hec.logging.svc', 'port': '8088', 'tls': 'on', 'tls.verify': 'on', 'tls.verify_hostname': 'on',
        'splunk_token': '${FLUENT_BIT_OUTPUT_3_SPLUNK_TOKEN}', ...retry,
      },
      {
        'name': 'http', 'match': '*', 'host': '10.0.0.7', 'port': '8080', 'tls': 'off', 'tls.verify': 'on',
        'uri': '/ingest?source=nginx', 'format': 'json', ...retry,
      },
      {
        'name': 'opensearch', 'match': '*', 'host': 'opensearch.logging.svc', 'port': '9200', 'tls': 'on', 'tls.verify': 'on', 'tls.verify_hostname': 'on',
        'tls.ca_file': '/fluent-bit/etc/logging-sidecar-files/configmaps/ca-bundle/ca.crt', 'index': 'nginx-os', 'suppress_type_name': 'on', 'replace_dots': 'on',
        'http_user': '${FLUENT_BIT_OUTPUT_5_HTTP_USER}', 'http_passwd': '${FLUENT_BIT_OUTPUT_5_HTTP_PASSWD}', ...retry,
      },
      {
        'name': 'forward', 'match': '*', 'host': 'fluentd.logging.svc', 'port': '24224', 'tls': 'on', 'tls.verify': 'on', 'tls.verify_hostname': 'on',
        'tls.crt_file': '/fluent-bit/etc/logging-sidecar-files/secrets/client-tls/tls.crt',
        'tls.key_file': '/fluent-bit/etc/logging-sidecar-files/secrets/client-tls/tls.key', 'tls.vhost': 'aggregator.example',
        'require_ack_response': 'on', 'shared_key': '${FLUENT_BIT_OUTPUT_6_SHARED_KEY}', 'self_hostname': '${POD_NAME}', ...retry,
      },
      {
        'name': 'loki', 'match': '*', 'host': 'loki.example.com', 'port': '443', 'tls': 'on', 'tls.verify': 'on', 'tls.verify_hostname': 'on',
        'labels': 'pod=${POD_NAME}, namespace=${POD_NAMESPACE}, node=${NODE_NAME}, ip=${POD_IP}', 'line_format': 'json',
        'bearer_token': '${FLUENT_BIT_OUTPUT_7_BEARER_TOKEN}', 'header': ['X-Source nginx sidecar', 'X-Api-Key ${FLUENT_BIT_OUTPUT_7_HEADER_0}'], ...retry,
      },
      {
        'name': 'http', 'match': '*', 'host': 'collector.example.com', 'port': '443', 'tls': 'on', 'tls.verify': 'off',
        'uri': '/', 'format': 'json', 'http_user': 'nginx', 'http_passwd': '${FLUENT_BIT_OUTPUT_8_HTTP_PASSWD}', ...retry,
      },
      { name: 'null', match: '*', ...retry },
    ]);
  });

  test('takes the Splunk token from the Secret as an environment variable', () => {
    const { pod, configMap } = synth({
      shipper: LogShipper.fluentBit({ outputs: [FluentBitOutput.stdout(), FluentBitOutput.splunk({ host: 'hec', token: splunkToken() })] }),
    });
    expect(sidecarOf(pod).env.filter((e: any) => e.valueFrom.secretKeyRef)).toEqual([
      { name: 'FLUENT_BIT_OUTPUT_1_SPLUNK_TOKEN', valueFrom: { secretKeyRef: { name: 'splunk-hec', key: 'token' } } },
    ]);
    expect(configMap.data['fluent-bit.yaml']).toContain('splunk_token: ${FLUENT_BIT_OUTPUT_1_SPLUNK_TOKEN}');
  });

  test('runs the state keeper beside Fluent Bit, as the same user, on the same state volume', () => {
    const { pod } = synth({ hardened: true });
    const keeper = pod.spec.containers.find((c: any) => c.name === 'sidecar-container-state-keeper');
    expect(keeper.image).toBe('ubuntu:latest');
    expect(keeper.command.slice(0, 2)).toEqual(['perl', '-e']);
    expect(keeper.command.slice(3)).toEqual(['--', '/var/lib/logging-sidecar']);
    expect(keeper.volumeMounts).toEqual([{ name: 'log-shipper-state', mountPath: '/var/lib/logging-sidecar' }]);
    expect(keeper.securityContext).toEqual(sidecarOf(pod).securityContext);
    expect(keeper.resources).toEqual({ requests: { cpu: '5m', memory: '8Mi' }, limits: { cpu: '50m', memory: '32Mi' } });
  });

  test('runs the state keeper as a native sidecar too, and leaves it out with stateKeeper false', () => {
    const native = synth({ nativeSidecar: true }).pod;
    expect(native.spec.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([
      ['sidecar-container', 'Always'], ['sidecar-container-state-keeper', 'Always'],
    ]);
    const without = synth({ shipper: LogShipper.fluentBit({ stateKeeper: false }) }).pod;
    expect(without.spec.containers.map((c: any) => c.name)).toEqual(['nginx-container', 'sidecar-container']);
  });

  test('rotates with a rotator beside it, which alone may write the log volume, and sees nginx and Fluent Bit', () => {
    const { pod } = synth({ hardened: true, volumeSizeLimit: Size.mebibytes(256), shipper: LogShipper.fluentBit({ rotateWait: Duration.seconds(7) }) });
    const rotator = pod.spec.containers.find((c: any) => c.name === 'sidecar-container-rotator');
    expect(rotator.command.slice(0, 2)).toEqual(['perl', '-e']);
    // The default rotation size: the limit / (4 x 2 files) = 32Mi.
    expect(rotator.command.slice(3)).toEqual([
      '--', '--rotate-bytes', String(32 * 2 ** 20), '--rotate-wait', '7', '--', '/var/log/nginx/access.log', '/var/log/nginx/error.log',
    ]);
    expect(rotator.volumeMounts).toEqual([{ name: 'shared-logs', mountPath: '/var/log/nginx' }]);
    expect(rotator.securityContext).toEqual(sidecarOf(pod).securityContext);
    expect(sidecarOf(pod).volumeMounts).toContainEqual({ name: 'shared-logs', mountPath: '/var/log/nginx', readOnly: true });
    expect(pod.spec.shareProcessNamespace).toBe(true);
    expect(pod.spec.volumes).toContainEqual({ name: 'shared-logs', emptyDir: { sizeLimit: '256Mi' } });
    expect(restrictedViolations(pod.spec)).toEqual([]);
  });

  test('writes values YAML would misread quoted, so Fluent Bit reads them as strings', () => {
    const { configMap, config } = synth();
    // YAML 1.1, as libyaml reads it, takes an unquoted on or true as a boolean.
    expect(configMap.data['fluent-bit.yaml']).toContain('http_server: "on"');
    expect(config.service.http_server).toBe('on');
    expect(config.pipeline.inputs[0].read_from_head).toBe('true');
  });

  // Found by test/props-kubectl.property.test.ts: the parser lookup found Object's inherited methods and threw a TypeError.
  test('parses log files named like the methods every object has as the names suggest', () => {
    const { config } = synth({ logFiles: ['toString', 'constructor', '__proto__'] });
    expect(config.pipeline.inputs.map((input: any) => [input.path, input.parser])).toEqual([
      ['/var/log/nginx/toString', undefined], ['/var/log/nginx/constructor', undefined], ['/var/log/nginx/__proto__', undefined],
    ]);
  });
});

describe('bad Fluent Bit input', () => {
  test.each([
    ['a missing host', () => FluentBitOutput.loki({} as any), 'FluentBitOutput.loki() host must be a host name or an IPv4 address, such as "loki.monitoring.svc", got undefined'],
    ['an empty host', () => FluentBitOutput.elasticsearch({ host: '' }), 'FluentBitOutput.elasticsearch() host must be a host name or an IPv4 address, such as "loki.monitoring.svc", got ""'],
    ['a host with a newline', () => FluentBitOutput.http({ host: 'evil\n[OUTPUT]' }), 'got "evil\\n[OUTPUT]"'],
    ['a host with a space', () => FluentBitOutput.loki({ host: 'loki svc' }), 'got "loki svc"'],
    ['a host with a variable', () => FluentBitOutput.splunk({ host: '${HOME}', token: splunkToken() }), 'FluentBitOutput.splunk() host must be a host name or an IPv4 address, such as "loki.monitoring.svc", got "${HOME}"'],
    ['a port out of range', () => FluentBitOutput.loki({ host: 'loki', port: 70000 }), 'FluentBitOutput.loki() port must be a whole number from 1 to 65535, got 70000'],
    ['a label name with a dash', () => FluentBitOutput.loki({ host: 'loki', labels: { 'app-name': 'x' } }), 'FluentBitOutput.loki() labels must be named with letters, digits and \'_\', not starting with a digit or \'__\', got "app-name"'],
    ['a label name Loki keeps for itself', () => FluentBitOutput.loki({ host: 'loki', labels: { __name__: 'x' } }), 'FluentBitOutput.loki() labels must be named with letters, digits and \'_\', not starting with a digit or \'__\', got "__name__"'],
    ['prometheusScrape that is a string', () => LogShipper.fluentBit({ prometheusScrape: 'no' as any }), 'LogShipper.fluentBit() prometheusScrape must be true or false, got "no"'],
    ['a label value with a comma', () => FluentBitOutput.loki({ host: 'loki', labels: { job: 'a, b=c' } }), 'FluentBitOutput.loki() labels.job must be 1 to 256 letters, digits or \'_\', \'.\', \':\', \'/\', \'@\', \'+\', \'-\', got "a, b=c"'],
    ['a label value with a variable', () => FluentBitOutput.loki({ host: 'loki', labels: { job: '${HOSTNAME}' } }), "FluentBitOutput.loki() labels.job may name only the pod's variables ${POD_NAME}, ${POD_NAMESPACE}, ${NODE_NAME}, ${POD_IP}, each as the whole value, got \"${HOSTNAME}\""],
    ['a label value with a pod variable and more', () => FluentBitOutput.loki({ host: 'loki', labels: { job: 'web-${POD_NAME}' } }), 'FluentBitOutput.loki() labels.job may name only the pod\'s variables'],
    ['a label value with a record accessor', () => FluentBitOutput.loki({ host: 'loki', labels: { job: '$path' } }), 'FluentBitOutput.loki() labels.job must be 1 to 256'],
    ['no labels', () => FluentBitOutput.loki({ host: 'loki', labels: {} }), 'FluentBitOutput.loki() labels must name at least one label, Loki rejects streams without labels, got {}'],
    ['a tenant with a newline', () => FluentBitOutput.loki({ host: 'loki', tenantId: 'a\nb' }), 'FluentBitOutput.loki() tenantId must be'],
    ['an index in upper case', () => FluentBitOutput.elasticsearch({ host: 'es', index: 'Nginx' }), 'FluentBitOutput.elasticsearch() index must be lowercase letters, digits, \'.\', \'_\' and \'-\', not starting with a symbol, got "Nginx"'],
    ['a uri with a space', () => FluentBitOutput.http({ host: 'h', uri: '/a b' }), 'FluentBitOutput.http() uri must be a path starting with "/" of at most 2048 characters, without spaces, control characters or "$", got "/a b"'],
    ['a uri with a variable', () => FluentBitOutput.http({ host: 'h', uri: '/${HOME}' }), 'FluentBitOutput.http() uri must be a path starting with "/" of at most 2048 characters, without spaces, control characters or "$", got "/${HOME}"'],
    ['a Splunk token that is no SecretValue', () => FluentBitOutput.splunk({ host: 'hec', token: 'plain-text-token' as any }), 'FluentBitOutput.splunk() token must be a SecretValue ({ secret, key }) naming a Secret, got "plain-text-token"'],
    ['a Splunk token with a bad key', () => FluentBitOutput.splunk({ host: 'hec', token: { ...splunkToken(), key: 'a/b' } }), 'FluentBitOutput.splunk() token.key must be a data key of 1 to 253 letters, digits, \'-\', \'_\' and \'.\' (not \'.\' or \'..\'), got "a/b"'],
    ['a workload that has a container with the keeper\'s name', () => {
      const chart = Testing.chart();
      const deployment = new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx', name: 'web' }, { image: 'x', name: 'logs-state-keeper' }] });
      new LoggingSidecar(chart, 'logs', { workload: deployment, logWriter: deployment.containers[0], containerName: 'logs', shipper: LogShipper.fluentBit() });
    }, 'LogShipper.fluentBit() adds a container named "logs-state-keeper", which the workload already has'],
    ['no outputs', () => LogShipper.fluentBit({ outputs: [] }), 'LogShipper.fluentBit() outputs must name at least one output, got []'],
    ['an output that is no FluentBitOutput', () => LogShipper.fluentBit({ outputs: [{} as any] }), 'LogShipper.fluentBit() outputs[0] must be made with a FluentBitOutput method such as FluentBitOutput.loki(), got {}'],
    ['a fractional memBufLimit', () => LogShipper.fluentBit({ memBufLimit: Size.kibibytes(1536) }), 'LogShipper.fluentBit() memBufLimit must be a whole number of mebibytes from 1 to 1048576, got 1536Ki'],
    ['a zero memBufLimit', () => LogShipper.fluentBit({ memBufLimit: Size.mebibytes(0) }), 'LogShipper.fluentBit() memBufLimit must be a whole number of mebibytes from 1 to 1048576, got 0Ki'],
    ['a zero rotateWait', () => LogShipper.fluentBit({ rotateWait: Duration.seconds(0) }), 'LogShipper.fluentBit() rotateWait must be at least 1 second, got 0 seconds'],
    ['a rotateWait Fluent Bit refuses', () => LogShipper.fluentBit({ rotateWait: Duration.seconds(2 ** 31) }), 'LogShipper.fluentBit() rotateWait must be at most 86400 seconds, got 2147483648 seconds'],
    ['a flushInterval Fluent Bit cannot time', () => LogShipper.fluentBit({ flushInterval: Duration.seconds(99999999999) }), 'LogShipper.fluentBit() flushInterval must be at most 3600 seconds, got 99999999999 seconds'],
    ['a memBufLimit that is NaN', () => LogShipper.fluentBit({ memBufLimit: Size.mebibytes(NaN) }), 'LogShipper.fluentBit() memBufLimit must be a finite size, got NaNMi'],
    ['a memBufLimit that is Infinity', () => LogShipper.fluentBit({ memBufLimit: Size.kibibytes(Infinity) }), 'LogShipper.fluentBit() memBufLimit must be a finite size, got InfinityMi'],
    ['a memBufLimit above a tebibyte', () => LogShipper.fluentBit({ memBufLimit: Size.tebibytes(2) }), 'LogShipper.fluentBit() memBufLimit must be a whole number of mebibytes from 1 to 1048576, got 2147483648Ki'],
    ['a flushInterval that is NaN', () => LogShipper.fluentBit({ flushInterval: Duration.seconds(NaN) }), 'LogShipper.fluentBit() flushInterval must be a whole number of seconds, got NaN seconds'],
    ['a number as memBufLimit', () => LogShipper.fluentBit({ memBufLimit: 16 as any }), 'LogShipper.fluentBit() memBufLimit must be a Size (such as Size.mebibytes(64)), got 16'],
    ['a number as rotateWait', () => LogShipper.fluentBit({ rotateWait: 5 as any }), 'LogShipper.fluentBit() rotateWait must be a Duration (such as Duration.seconds(30)), got 5'],
    ['a string as filesystemBuffering', () => LogShipper.fluentBit({ filesystemBuffering: 'false' as any }), 'LogShipper.fluentBit() filesystemBuffering must be true or false, got "false"'],
    ['a string as stateKeeper', () => LogShipper.fluentBit({ stateKeeper: 'no' as any }), 'LogShipper.fluentBit() stateKeeper must be true or false, got "no"'],
    ['null as an output', () => LogShipper.fluentBit({ outputs: [null as any] }), 'LogShipper.fluentBit() outputs[0] must be made with a FluentBitOutput method such as FluentBitOutput.loki(), got null'],
    ['outputs with a hole', () => LogShipper.fluentBit({ outputs: [FluentBitOutput.stdout(), , FluentBitOutput.stdout()] as any }),
      'LogShipper.fluentBit() outputs must be an array of FluentBitOutputs, without holes, got a sparse array with nothing at index 1: [{"plugin":"stdout"},null,{"plugin":"stdout"}]'],
    ['one output not in an array', () => LogShipper.fluentBit({ outputs: FluentBitOutput.stdout() as any }), 'LogShipper.fluentBit() outputs must be an array of FluentBitOutputs, got {"plugin":"stdout"}'],
    ['parsers in an array', () => LogShipper.fluentBit({ parsers: [] as any }),
      'LogShipper.fluentBit() parsers must be an object of file names to parsers, such as { \'access.log\': FluentBitParser.json() }, got []'],
    ['null as the options', () => LogShipper.fluentBit(null as any), 'LogShipper.fluentBit() options must be an object, got null'],
    ['an image with a space', () => LogShipper.fluentBit({ image: 'fluent bit' }), 'LogShipper.fluentBit() image must be an image reference'],
    ['a state keeper image with a space', () => LogShipper.fluentBit({ stateKeeperImage: 'perl image' }), 'LogShipper.fluentBit() stateKeeperImage must be an image reference'],
    ['a state keeper image without the keeper', () => LogShipper.fluentBit({ stateKeeper: false, stateKeeperImage: 'perl:5' }), 'LogShipper.fluentBit() stateKeeperImage applies only with stateKeeper: true, got "perl:5"'],
    ['a sidecar name too long for the keeper\'s', () => synth({ sidecarContainerName: 'a'.repeat(51) }), `containerName (sidecarContainerName of a LoggingSidecarPod or LoggingSidecarDeployment) must be at most 50 characters, so that LogShipper.fluentBit()'s companion container "${'a'.repeat(51)}-state-keeper" is a DNS-1123 label, got "${'a'.repeat(51)}"`],
    ...['*', '?', '[x]', '{a,b}', ',', '$HOME', '\\'].map(piece => [
      `a logDirectory with ${piece}`, () => synth({ logDirectory: `/var/log/a${piece}b` }),
      `logDirectory (read by LogShipper.fluentBit()) must not contain '*', '?', '[', ']', '{', '}', '\\', ',' or '$', which Fluent Bit's tail input reads as a pattern, a list or a variable, got ${JSON.stringify(`/var/log/a${piece}b`)}`,
    ]),
  ] as Array<[string, () => unknown, string]>)('fails on %s', (_, create, message) => {
    expect(create).toThrow(message);
  });
});
