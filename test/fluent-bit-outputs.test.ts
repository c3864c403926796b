import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { FluentBitAuth, FluentBitFile, FluentBitOutput, LoggingSidecarPod, LoggingSidecarPodProps, LogShipper } from '../lib';
import { configOf } from './fluent-bit-process';

// What the outputs put into the pod besides the configuration: environment
// variables from Secrets and the downward API, and read-only volumes for
// files from Secrets and ConfigMaps; and the values they refuse.

const refs = Testing.chart();
const CREDENTIALS = kplus.Secret.fromSecretName(refs, 'credentials', 'backend-credentials');
const CLIENT_TLS = kplus.Secret.fromSecretName(refs, 'client-tls', 'client-tls');
const BUNDLE = kplus.ConfigMap.fromConfigMapName(refs, 'bundle', 'ca-bundle');
const secret = (key: string): kplus.SecretValue => ({ secret: CREDENTIALS, key });

function synth(props: LoggingSidecarPodProps) {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'pod', props);
  const manifests = Testing.synth(chart);
  const pod = manifests.find(m => m.kind === 'Pod');
  return { manifests, pod, sidecar: pod.spec.containers.find((c: any) => c.name === 'sidecar-container'), config: configOf(manifests) };
}

describe('files from Secrets and ConfigMaps', () => {
  const { pod, sidecar, config } = synth({
    shipper: LogShipper.fluentBit({
      outputs: [
        FluentBitOutput.loki({
          host: 'loki', tls: true, tlsCa: FluentBitFile.fromConfigMap(BUNDLE, 'ca.crt'),
          tlsClientCertificate: FluentBitFile.fromSecret(CLIENT_TLS, 'tls.crt'), tlsClientKey: FluentBitFile.fromSecret(CLIENT_TLS, 'tls.key'),
        }),
        FluentBitOutput.splunk({ host: 'hec', tls: true, tlsCa: FluentBitFile.fromConfigMap(BUNDLE, 'ca.crt'), token: secret('hec') }),
      ],
    }),
  });

  test('each Secret and ConfigMap is one volume projecting only the keys used, and must exist', () => {
    expect(pod.spec.volumes).toContainEqual({
      name: 'log-shipper-configmap-0', configMap: { name: 'ca-bundle', items: [{ key: 'ca.crt', path: 'ca.crt' }], optional: false },
    });
    expect(pod.spec.volumes).toContainEqual({
      name: 'log-shipper-secret-0',
      secret: { secretName: 'client-tls', items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }], optional: false },
    });
  });

  test('mounted read-only in the sidecar only, at the paths the configuration names', () => {
    expect(sidecar.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'log-shipper-configmap-0', mountPath: '/fluent-bit/etc/logging-sidecar-files/configmaps/ca-bundle', readOnly: true },
      { name: 'log-shipper-secret-0', mountPath: '/fluent-bit/etc/logging-sidecar-files/secrets/client-tls', readOnly: true },
    ]));
    expect(config.pipeline.outputs[0]).toMatchObject({
      'tls.ca_file': '/fluent-bit/etc/logging-sidecar-files/configmaps/ca-bundle/ca.crt',
      'tls.crt_file': '/fluent-bit/etc/logging-sidecar-files/secrets/client-tls/tls.crt',
      'tls.key_file': '/fluent-bit/etc/logging-sidecar-files/secrets/client-tls/tls.key',
    });
    const others = pod.spec.containers.filter((c: any) => c !== sidecar);
    expect(others.flatMap((c: any) => c.volumeMounts ?? []).filter((m: any) => m.name.startsWith('log-shipper-secret'))).toEqual([]);
  });
});

describe('the pod\'s metadata', () => {
  test('the sidecar has POD_NAME, POD_NAMESPACE, NODE_NAME and POD_IP from the downward API, and a filter adds them to every record', () => {
    const { sidecar, config } = synth({ shipper: LogShipper.fluentBit() });
    expect(sidecar.env).toEqual([
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]);
    expect(config.pipeline.filters).toEqual([{
      name: 'record_modifier', match: '*',
      record: ['pod_name ${POD_NAME}', 'pod_namespace ${POD_NAMESPACE}', 'node_name ${NODE_NAME}', 'pod_ip ${POD_IP}'],
    }]);
  });

  test('podMetadata false leaves the records alone but keeps the variables for labels', () => {
    const { sidecar, config } = synth({
      shipper: LogShipper.fluentBit({ podMetadata: false, outputs: [FluentBitOutput.loki({ host: 'loki', labels: { pod: '${POD_NAME}' } })] }),
    });
    expect(config.pipeline.filters).toBeUndefined();
    expect(sidecar.env.map((e: any) => e.name)).toContain('POD_NAME');
    expect(config.pipeline.outputs[0].labels).toBe('pod=${POD_NAME}');
  });
});

describe('credentials', () => {
  test('each becomes a variable named after its output, from secretKeyRef', () => {
    const { sidecar, config } = synth({
      shipper: LogShipper.fluentBit({
        outputs: [
          FluentBitOutput.stdout(),
          FluentBitOutput.elasticsearch({ host: 'es', auth: FluentBitAuth.basic({ usernameSecret: secret('user'), password: secret('password') }) }),
          FluentBitOutput.http({ host: 'h', auth: FluentBitAuth.bearerToken(secret('token')), secretHeaders: { 'X-Key': secret('key') } }),
        ],
      }),
    });
    expect(sidecar.env.filter((e: any) => e.valueFrom.secretKeyRef)).toEqual([
      { name: 'FLUENT_BIT_OUTPUT_1_HTTP_USER', valueFrom: { secretKeyRef: { name: 'backend-credentials', key: 'user' } } },
      { name: 'FLUENT_BIT_OUTPUT_1_HTTP_PASSWD', valueFrom: { secretKeyRef: { name: 'backend-credentials', key: 'password' } } },
      { name: 'FLUENT_BIT_OUTPUT_2_BEARER_TOKEN', valueFrom: { secretKeyRef: { name: 'backend-credentials', key: 'token' } } },
      { name: 'FLUENT_BIT_OUTPUT_2_HEADER_0', valueFrom: { secretKeyRef: { name: 'backend-credentials', key: 'key' } } },
    ]);
    expect(config.pipeline.outputs[2].header).toEqual(['Authorization Bearer ${FLUENT_BIT_OUTPUT_2_BEARER_TOKEN}', 'X-Key ${FLUENT_BIT_OUTPUT_2_HEADER_0}']);
  });
});

test('a custom output keeps the settings it checked, whatever the caller does to its object afterwards', () => {
  const settings: { [key: string]: string } = { bucket: 'logs' };
  const output = FluentBitOutput.custom('s3', settings);
  settings.bucket = '${HOME}';
  settings.match = 'nothing';
  const { config } = synth({ shipper: LogShipper.fluentBit({ outputs: [output] }) });
  expect(config.pipeline.outputs[0]).toEqual({ name: 's3', match: '*', bucket: 'logs', retry_limit: 'no_limits' });
});

// It was refused as reserved, with Object's constructor in the message as the reason.
test('a custom setting named constructor is a setting like any other', () => {
  const { config } = synth({ shipper: LogShipper.fluentBit({ outputs: [FluentBitOutput.custom('s3', { constructor: 'x' } as { [key: string]: string })] }) });
  expect(config.pipeline.outputs[0].constructor).toBe('x');
});

test('custom values may name the pod\'s variables', () => {
  const { config } = synth({ shipper: LogShipper.fluentBit({ outputs: [FluentBitOutput.custom('s3', { s3_key_format: '/nginx/${POD_NAME}/%Y/$UUID.gz' })] }) });
  expect(config.pipeline.outputs[0].s3_key_format).toBe('/nginx/${POD_NAME}/%Y/$UUID.gz');
});

describe('bad output input', () => {
  const ca = FluentBitFile.fromConfigMap(BUNDLE, 'ca.crt');
  const cert = FluentBitFile.fromSecret(CLIENT_TLS, 'tls.crt');
  const key = FluentBitFile.fromSecret(CLIENT_TLS, 'tls.key');
  test.each([
    ['a secret key with a slash', () => FluentBitAuth.bearerToken(secret('a/b')),
      'FluentBitAuth.bearerToken() token.key must be a data key of 1 to 253 letters, digits, \'-\', \'_\' and \'.\' (not \'.\' or \'..\'), got "a/b"'],
    ['a secret key of ..', () => FluentBitAuth.basic({ username: 'u', password: secret('..') }), 'FluentBitAuth.basic() password.key must be a data key'],
    // Both valid as a Secret's key or name, but written unquoted by cdk8s and read by kubectl as numbers.
    ['a secret key kubectl reads as a number', () => FluentBitAuth.bearerToken(secret('0o17')),
      'FluentBitAuth.bearerToken() token.key must not be a string that kubectl reads as another type: cdk8s writes it unquoted and kubectl reads it as the integer 15, got "0o17"'],
    ['a Secret name kubectl reads as a number', () => FluentBitAuth.bearerToken({ secret: kplus.Secret.fromSecretName(refs, 'octal', '0o17'), key: 'token' }),
      'FluentBitAuth.bearerToken() token.secret.name must not be a string that kubectl reads as another type: cdk8s writes it unquoted and kubectl reads it as the integer 15, got "0o17"'],
    ['a Secret name that is no DNS subdomain', () => FluentBitAuth.bearerToken({ secret: kplus.Secret.fromSecretName(refs, 'upper-case', 'Creds'), key: 'token' }),
      'FluentBitAuth.bearerToken() token.secret.name must be a DNS-1123 subdomain'],
    // Refused as a SecretValue before, with a message that could not show the Secret (a construct).
    ['an empty Secret name', () => FluentBitOutput.splunk({ host: 'hec', token: { secret: kplus.Secret.fromSecretName(refs, 'empty', ''), key: 'token' } }),
      'FluentBitOutput.splunk() token.secret.name must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit), got ""'],
    ['a file key kubectl reads as a number', () => FluentBitFile.fromSecret(CLIENT_TLS, '0_x1f'),
      'FluentBitFile.fromSecret() key must not be a string that kubectl reads as another type: cdk8s writes it unquoted and kubectl reads it as the integer 31, got "0_x1f"'],
    ['an empty secret key', () => FluentBitOutput.forward({ host: 'f', sharedKey: secret('') }), 'FluentBitOutput.forward() sharedKey.key must be a data key of 1 to 253 letters, digits, \'-\', \'_\' and \'.\' (not \'.\' or \'..\'), got ""'],
    ['a password that is a plain string', () => FluentBitAuth.basic({ username: 'u', password: 'hunter2' as any }),
      'FluentBitAuth.basic() password must be a SecretValue ({ secret, key }) naming a Secret, got "hunter2"'],
    ['basic auth with both user names', () => FluentBitAuth.basic({ username: 'u', usernameSecret: secret('u'), password: secret('p') }),
      'FluentBitAuth.basic() needs exactly one of username and usernameSecret, got both'],
    ['basic auth with no user name', () => FluentBitAuth.basic({ password: secret('p') }), 'FluentBitAuth.basic() needs exactly one of username and usernameSecret, got neither'],
    ['a user name with a colon', () => FluentBitAuth.basic({ username: 'a:b', password: secret('p') }),
      'FluentBitAuth.basic() username must be 1 to 256 printable ASCII characters without spaces, \':\' or \'${\', got "a:b"'],
    ['a bearer token for Elasticsearch', () => FluentBitOutput.elasticsearch({ host: 'es', auth: FluentBitAuth.bearerToken(secret('t')) }),
      'FluentBitOutput.elasticsearch() auth must be FluentBitAuth.basic(), which this output supports, got FluentBitAuth.bearerToken()'],
    ['auth that is no FluentBitAuth', () => FluentBitOutput.loki({ host: 'l', auth: { kind: 'basic' } as any }),
      'FluentBitOutput.loki() auth must be made with FluentBitAuth.basic() or FluentBitAuth.bearerToken(), got {"kind":"basic"}'],
    ['a header name with a space', () => FluentBitOutput.http({ host: 'h', headers: { 'X Bad': 'v' } }),
      'FluentBitOutput.http() headers must be named with letters, digits and !#%&\'*+.^_`|~- (an HTTP header name), got "X Bad"'],
    ['a header name with a colon', () => FluentBitOutput.loki({ host: 'l', headers: { 'X-A:': 'v' } }), 'FluentBitOutput.loki() headers must be named with letters'],
    ['a header value with a line break', () => FluentBitOutput.http({ host: 'h', headers: { 'X-A': 'v\r\nX-Injected: 1' } }),
      'FluentBitOutput.http() headers.X-A must be 1 to 4096 printable ASCII characters, not starting or ending with a space, without \'${\', got "v\\r\\nX-Injected: 1"'],
    ['a header value with a variable', () => FluentBitOutput.http({ host: 'h', headers: { 'X-A': '${HOME}' } }), 'FluentBitOutput.http() headers.X-A must be 1 to 4096 printable ASCII'],
    ['an empty header value', () => FluentBitOutput.http({ host: 'h', headers: { 'X-A': '' } }), 'got ""'],
    ['a header the output sets itself', () => FluentBitOutput.http({ host: 'h', headers: { 'content-type': 'text/plain' } }),
      'FluentBitOutput.http() headers must not set "content-type", which the output sets itself'],
    ['an Authorization header beside auth', () => FluentBitOutput.http({ host: 'h', auth: FluentBitAuth.bearerToken(secret('t')), secretHeaders: { Authorization: secret('a') } }),
      'FluentBitOutput.http() secretHeaders must not set "Authorization", which the output sets itself'],
    ['X-Scope-OrgID beside tenantId', () => FluentBitOutput.loki({ host: 'l', tenantId: 't', headers: { 'X-Scope-OrgID': 'u' } }),
      'FluentBitOutput.loki() headers must not set "X-Scope-OrgID", which the output sets itself'],
    ['one header twice', () => FluentBitOutput.http({ host: 'h', headers: { 'X-Key': 'a' }, secretHeaders: { 'x-key': secret('k') } }),
      'FluentBitOutput.http() secretHeaders names the header "x-key" twice (also in headers); header names are case-insensitive'],
    ['a label with another variable', () => FluentBitOutput.loki({ host: 'l', labels: { host: '${HOSTNAME}' } }),
      'FluentBitOutput.loki() labels.host may name only the pod\'s variables ${POD_NAME}, ${POD_NAMESPACE}, ${NODE_NAME}, ${POD_IP}, each as the whole value, got "${HOSTNAME}"'],
    ['a label with a space', () => FluentBitOutput.loki({ host: 'l', labels: { job: 'a b' } }), 'FluentBitOutput.loki() labels.job must be 1 to 256 letters'],
    ['a CA without TLS', () => FluentBitOutput.loki({ host: 'l', tlsCa: ca }),
      'FluentBitOutput.loki() tlsCa applies only with tls: true, got tlsCa FluentBitFile.fromConfigMap("ca-bundle", "ca.crt") and tls undefined'],
    ['a server name without TLS', () => FluentBitOutput.splunk({ host: 'h', tls: false, tlsServerName: 'x', token: secret('t') }),
      'FluentBitOutput.splunk() tlsServerName applies only with tls: true, got tlsServerName "x" and tls false'],
    ['a CA with verification off', () => FluentBitOutput.http({ host: 'h', tls: true, tlsVerify: false, tlsCa: ca }),
      'FluentBitOutput.http() tlsCa is used only to verify the server, which tlsVerify false turns off: drop one of them'],
    ['a client certificate without its key', () => FluentBitOutput.forward({ host: 'f', tls: true, tlsClientCertificate: cert }),
      'FluentBitOutput.forward() tlsClientCertificate needs tlsClientKey too: mutual TLS takes a certificate and its private key'],
    ['a client key without its certificate', () => FluentBitOutput.forward({ host: 'f', tls: true, tlsClientKey: key }),
      'FluentBitOutput.forward() tlsClientKey needs tlsClientCertificate too'],
    ['a client key from a ConfigMap', () => FluentBitOutput.http({ host: 'h', tls: true, tlsClientCertificate: cert, tlsClientKey: FluentBitFile.fromConfigMap(BUNDLE, 'tls.key') }),
      'FluentBitOutput.http() tlsClientKey must come from a Secret (FluentBitFile.fromSecret()), not a ConfigMap, got the ConfigMap "ca-bundle"'],
    ['a CA that is a path', () => FluentBitOutput.loki({ host: 'l', tls: true, tlsCa: '/etc/ssl/ca.crt' as any }),
      'FluentBitOutput.loki() tlsCa must be made with FluentBitFile.fromSecret() or FluentBitFile.fromConfigMap(), got "/etc/ssl/ca.crt"'],
    ['tls that is a string', () => FluentBitOutput.loki({ host: 'l', tls: 'yes' as any }), 'FluentBitOutput.loki() tls must be true or false, got "yes"'],
    ['a server name with a space', () => FluentBitOutput.loki({ host: 'l', tls: true, tlsServerName: 'a b' }), 'FluentBitOutput.loki() tlsServerName must be a host name'],
    ['a file key with a slash', () => FluentBitFile.fromSecret(CLIENT_TLS, '../tls.key'), 'FluentBitFile.fromSecret() key must be a data key'],
    ['a file from something that is no Secret', () => FluentBitFile.fromSecret({} as any, 'ca.crt'),
      'FluentBitFile.fromSecret() secret must be a Secret or ConfigMap named by a DNS-1123 subdomain, got {}'],
    ['a file from a Secret whose name is no DNS-1123 subdomain', () => FluentBitFile.fromSecret(kplus.Secret.fromSecretName(Testing.chart(), 's', 'Bad_Name'), 'ca.crt'),
      'FluentBitFile.fromSecret() secret name must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit), got "Bad_Name"'],
    ['a custom plugin name with a space', () => FluentBitOutput.custom('s3 x', {}),
      'FluentBitOutput.custom() plugin must be a Fluent Bit output plugin name of lowercase letters, digits and \'_\', such as "s3", got "s3 x"'],
    ['a custom setting that reroutes', () => FluentBitOutput.custom('s3', { Match: 'other' }),
      'FluentBitOutput.custom() settings must not set "Match": every output matches every record'],
    ['a custom retry limit', () => FluentBitOutput.custom('s3', { retry_limit: '1' }),
      'FluentBitOutput.custom() settings must not set "retry_limit": every output retries without limit, so that an outage loses nothing'],
    ['a custom storage limit', () => FluentBitOutput.custom('s3', { 'storage.total_limit_size': '1G' }),
      'FluentBitOutput.custom() settings must not set "storage.total_limit_size": in Fluent Bit 3.2.10 it drops chunks even while the output delivers'],
    ['a custom password in plain settings', () => FluentBitOutput.custom('http', { http_passwd: 'hunter2' }),
      'FluentBitOutput.custom() settings.http_passwd looks like a credential: give it in secretSettings, so that it comes from a Secret and not the ConfigMap'],
    ['a custom token in plain settings', () => FluentBitOutput.custom('splunk', { Splunk_Token: 't' }), 'FluentBitOutput.custom() settings.Splunk_Token looks like a credential'],
    ['an Authorization header in plain headers', () => FluentBitOutput.http({ host: 'h', headers: { Authorization: 'Bearer abc' } }),
      'FluentBitOutput.http() headers must not set "Authorization", which carries a credential: give it in secretHeaders (or auth), so that it comes from a Secret and not the ConfigMap'],
    ['a Proxy-Authorization header in plain headers', () => FluentBitOutput.loki({ host: 'l', headers: { 'Proxy-Authorization': 'Basic x' } }),
      'FluentBitOutput.loki() headers must not set "Proxy-Authorization", which carries a credential'],
    ['a custom setting name with a space', () => FluentBitOutput.custom('s3', { 'a b': '1' }),
      'FluentBitOutput.custom() settings must be a setting name of letters, digits, \'_\', \'.\' and \'-\', starting with a letter, got "a b"'],
    ['a custom value with a newline', () => FluentBitOutput.custom('s3', { bucket: 'a\nname: evil' }),
      'FluentBitOutput.custom() settings.bucket must not contain a control character (U+000A), got "a\\nname: evil"'],
    ['a custom value with a variable', () => FluentBitOutput.custom('s3', { bucket: '${HOME}' }),
      'FluentBitOutput.custom() settings.bucket must not contain \'${\' other than the pod\'s variables, which Fluent Bit replaces with an environment variable, got "${HOME}"'],
    ['a custom value with a next-line character', () => FluentBitOutput.custom('s3', { bucket: 'a\u0085b' }),
      'FluentBitOutput.custom() settings.bucket must not contain a control character (U+0085), got "a\u0085b"'],
    ['a custom value with a line separator', () => FluentBitOutput.custom('s3', { bucket: 'a\u2028b' }), 'FluentBitOutput.custom() settings.bucket must not contain a line or paragraph separator (U+2028)'],
    ['a custom value with spaces around', () => FluentBitOutput.custom('s3', { bucket: ' b ' }), 'FluentBitOutput.custom() settings.bucket must not contain spaces at either end'],
    ['a custom value that is a number', () => FluentBitOutput.custom('s3', { total_file_size: 5 as any }),
      'FluentBitOutput.custom() settings.total_file_size must be a string of 1 to 4096 characters, got 5'],
    ['a custom setting both plain and from a Secret', () => FluentBitOutput.custom('s3', { Bucket: 'b' }, { secretSettings: { bucket: secret('b') } }),
      'FluentBitOutput.custom() secretSettings sets "bucket", which settings sets too; Fluent Bit\'s setting names are case-insensitive'],
    ['a custom file that is a path', () => FluentBitOutput.custom('s3', {}, { fileSettings: { 'tls.ca_file': '/etc/ca' as any } }),
      'FluentBitOutput.custom() fileSettings.tls.ca_file must be made with FluentBitFile.fromSecret() or FluentBitFile.fromConfigMap(), got "/etc/ca"'],
    ['two secret settings that name one variable', () => FluentBitOutput.custom('s3', {}, { secretSettings: { 'a.b': secret('x'), 'a_b': secret('y') } }),
      'FluentBitOutput.custom() secretSettings has "a.b" and "a_b", which would both be the environment variable ..._A_B: no such two settings exist in one plugin'],
    ['a port added to the sidecar container', () => {
      const chart = Testing.chart();
      const pod = new LoggingSidecarPod(chart, 'pod', { shipper: LogShipper.fluentBit() });
      pod.sidecar.container.addPort({ number: 9999 });
      Testing.synth(chart);
    }, 'the sidecar container "sidecar-container" declares the shipper\'s ports [2020] itself; a port added to it ([9999]) would be dropped: add it to another container'],
    ['a volume named like the shipper\'s', () => {
      const chart = Testing.chart();
      const pod = new kplus.Pod(chart, 'p');
      pod.addVolume(kplus.Volume.fromEmptyDir(chart, 'v', 'log-shipper-secret-0'));
      const web = pod.addContainer({ image: 'nginx', name: 'web' });
      const { LoggingSidecar } = require('../lib');
      new LoggingSidecar(chart, 'logs', {
        workload: pod, logWriter: web,
        shipper: LogShipper.fluentBit({ outputs: [FluentBitOutput.loki({ host: 'l', tls: true, tlsClientCertificate: cert, tlsClientKey: key })] }),
      });
    }, 'LogShipper.fluentBit() adds a volume named "log-shipper-secret-0", which the pod already has'],
    ['podMetadata that is a string', () => LogShipper.fluentBit({ podMetadata: 'yes' as any }), 'LogShipper.fluentBit() podMetadata must be true or false, got "yes"'],
    ['a port that is a string', () => FluentBitOutput.loki({ host: 'l', port: '3100' as any }), 'FluentBitOutput.loki() port must be a number, got "3100"'],
    ['a port that is NaN', () => FluentBitOutput.http({ host: 'h', port: NaN }), 'FluentBitOutput.http() port must be a whole number from 1 to 65535, got NaN'],
    ['a port that is Infinity', () => FluentBitOutput.forward({ host: 'f', port: Infinity }), 'FluentBitOutput.forward() port must be a whole number from 1 to 65535, got Infinity'],
    ['a negative port', () => FluentBitOutput.elasticsearch({ host: 'es', port: -9200 }), 'FluentBitOutput.elasticsearch() port must be a whole number from 1 to 65535, got -9200'],
    ['a fractional port', () => FluentBitOutput.openSearch({ host: 'os', port: 9200.5 }), 'FluentBitOutput.openSearch() port must be a whole number from 1 to 65535, got 9200.5'],
    ['options that are null', () => FluentBitOutput.loki(null as any), 'FluentBitOutput.loki() options must be an object, got null'],
    ['labels written as Fluent Bit\'s string', () => FluentBitOutput.loki({ host: 'l', labels: 'job=nginx' as any }),
      'FluentBitOutput.loki() labels must be an object of label names to values, such as { job: \'nginx\' }, got "job=nginx"'],
    ['headers in an array', () => FluentBitOutput.http({ host: 'h', headers: ['X-A: b'] as any }),
      'FluentBitOutput.http() headers must be an object of header names to values, such as { \'X-Source\': \'nginx\' }, got ["X-A: b"]'],
    ['null as tenantId', () => FluentBitOutput.loki({ host: 'l', tenantId: null as any }), 'FluentBitOutput.loki() tenantId must be a string, got null'],
    ['an empty string as the shared key, which was ignored', () => FluentBitOutput.forward({ host: 'f', sharedKey: '' as any }),
      'FluentBitOutput.forward() sharedKey must be a SecretValue ({ secret, key }) naming a Secret, got ""'],
    ['a number as tlsVerify', () => FluentBitOutput.splunk({ host: 'h', token: secret('t'), tls: true, tlsVerify: 0 as any }), 'FluentBitOutput.splunk() tlsVerify must be true or false, got 0'],
    ['custom settings in an array', () => FluentBitOutput.custom('s3', ['bucket logs'] as any),
      'FluentBitOutput.custom() settings must be an object of setting names to values, got ["bucket logs"]'],
    ['custom options that are null', () => FluentBitOutput.custom('s3', {}, null as any), 'FluentBitOutput.custom() options must be an object, got null'],
    ['basic auth options that are null', () => FluentBitAuth.basic(null as any), 'FluentBitAuth.basic() options must be an object, got null'],
    ['a number as the user name', () => FluentBitAuth.basic({ username: 42 as any, password: secret('p') }), 'FluentBitAuth.basic() username must be a string, got 42'],
    ['null as the user name from a Secret', () => FluentBitAuth.basic({ usernameSecret: null as any, password: secret('p') }),
      'FluentBitAuth.basic() usernameSecret must be a SecretValue ({ secret, key }) naming a Secret, got null'],
  ] as Array<[string, () => unknown, string]>)('fails on %s', (_, create, message) => {
    expect(create).toThrow(message);
  });
});
