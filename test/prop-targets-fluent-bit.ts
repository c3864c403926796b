// The string and number props of Fluent Bit's outputs, credentials, files
// and parsers, each in a LoggingSidecarPod shipping with Fluent Bit. Most
// values end up in the ConfigMap; names of Secrets and keys in the pod.
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import {
  FluentBitAuth, FluentBitFile, FluentBitOutput, FluentBitParser, LoggingSidecarPod, LogShipper,
} from '../lib';
import { asciiLike, dnsLike, pathLike, pieces, SPECIAL_SCALARS, wordLike } from './edge-value-arbitraries';
import { AS_IS, DURATIONS, MILLIS, numberProp, ports, PropGroup, stringProp, whole } from './prop-targets';

/** A pod shipping to the output `make()` returns, given the chart for the Secrets it names. */
const shippingTo = (make: (chart: Chart) => FluentBitOutput, parsers?: { [file: string]: FluentBitParser }) => (chart: Chart) =>
  new LoggingSidecarPod(chart, 'pod', { shipper: LogShipper.fluentBit({ outputs: [make(chart)], parsers }) });

const secret = (chart: Chart, key = 'key', name = 'credentials') => ({ secret: kplus.Secret.fromSecretName(chart, `Secret-${name}-${key}`, name), key });

// Values shaped to pass each prop's first check, often words YAML or go-yaml would read as another type.
const pluginLike = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), fc.constantFrom(...SPECIAL_SCALARS.filter(word => /^[a-z]/.test(word))));
const settingKeyLike = fc.oneof(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,10}$/), fc.constantFrom(...SPECIAL_SCALARS.filter(word => /^[A-Za-z]/.test(word))));
const hostLike = fc.oneof(dnsLike, dnsLike.map(label => `${label}.svc`), fc.constantFrom('10.0.0.1', '0.0.0.0', '255.255.255.255', '1.2.3'));
const identifierLike = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), fc.constantFrom(...SPECIAL_SCALARS));
const headerNameLike = fc.oneof(fc.stringMatching(/^[A-Za-z0-9!#%&'*+.^_`|~-]{1,10}$/), fc.constantFrom(...SPECIAL_SCALARS));

const loki = (options: Partial<Parameters<typeof FluentBitOutput.loki>[0]>) => FluentBitOutput.loki({ host: 'loki.monitoring.svc', ...options });

const lokiGroup: PropGroup = {
  name: 'FluentBitOutput.loki()',
  targets: [
    stringProp('FluentBitOutput.loki() host', hostLike, (chart, host) => shippingTo(() => loki({ host }))(chart)),
    numberProp('FluentBitOutput.loki() port', [AS_IS], (chart, port) => shippingTo(() => loki({ port }))(chart), ports),
    stringProp('FluentBitOutput.loki() tlsServerName', hostLike, (chart, tlsServerName) => shippingTo(() => loki({ tls: true, tlsServerName }))(chart)),
    stringProp('FluentBitOutput.loki() labels', identifierLike, (chart, name) => shippingTo(() => loki({ labels: { [name]: 'nginx' } }))(chart)),
    stringProp('FluentBitOutput.loki() labels.job', wordLike, (chart, value) => shippingTo(() => loki({ labels: { job: value } }))(chart)),
    stringProp('FluentBitOutput.loki() tenantId', wordLike, (chart, tenantId) => shippingTo(() => loki({ tenantId }))(chart)),
    stringProp('FluentBitOutput.loki() headers', headerNameLike, (chart, name) => shippingTo(() => loki({ headers: { [name]: 'nginx' } }))(chart)),
    stringProp('FluentBitOutput.loki() headers.X-Source', asciiLike, (chart, value) => shippingTo(() => loki({ headers: { 'X-Source': value } }))(chart)),
    stringProp('FluentBitOutput.loki() secretHeaders', headerNameLike, (chart, name) =>
      shippingTo(c => loki({ secretHeaders: { [name]: secret(c) } }))(chart)),
  ],
};

const es = (options: Partial<Parameters<typeof FluentBitOutput.elasticsearch>[0]>) => FluentBitOutput.elasticsearch({ host: 'es', ...options });

const bulkGroup: PropGroup = {
  name: 'FluentBitOutput.elasticsearch() and openSearch()',
  targets: [
    stringProp('FluentBitOutput.elasticsearch() host', hostLike, (chart, host) => shippingTo(() => es({ host }))(chart)),
    numberProp('FluentBitOutput.elasticsearch() port', [AS_IS], (chart, port) => shippingTo(() => es({ port }))(chart), ports),
    stringProp('FluentBitOutput.elasticsearch() index', dnsLike, (chart, index) => shippingTo(() => es({ index }))(chart)),
    stringProp('FluentBitOutput.openSearch() index', dnsLike, (chart, index) => shippingTo(() => FluentBitOutput.openSearch({ host: 'os', index }))(chart)),
  ],
};

const otherOutputsGroup: PropGroup = {
  name: 'FluentBitOutput.splunk(), http() and forward()',
  targets: [
    stringProp('FluentBitOutput.splunk() token', dnsLike, (chart, name) =>
      shippingTo(c => FluentBitOutput.splunk({ host: 'hec', token: secret(c, 'token', name) }))(chart)),
    stringProp('FluentBitOutput.splunk() token.key', dnsLike, (chart, key) =>
      shippingTo(c => FluentBitOutput.splunk({ host: 'hec', token: secret(c, key) }))(chart)),
    stringProp('FluentBitOutput.http() host', hostLike, (chart, host) => shippingTo(() => FluentBitOutput.http({ host }))(chart)),
    stringProp('FluentBitOutput.http() uri', pathLike, (chart, uri) => shippingTo(() => FluentBitOutput.http({ host: 'h', uri }))(chart)),
    stringProp('FluentBitOutput.http() headers.X-Source', asciiLike, (chart, value) =>
      shippingTo(() => FluentBitOutput.http({ host: 'h', headers: { 'X-Source': value } }))(chart)),
    numberProp('FluentBitOutput.forward() port', [AS_IS], (chart, port) => shippingTo(() => FluentBitOutput.forward({ host: 'fluentd', port }))(chart), ports),
    stringProp('FluentBitOutput.forward() sharedKey', dnsLike, (chart, name) =>
      shippingTo(c => FluentBitOutput.forward({ host: 'fluentd', sharedKey: secret(c, 'shared', name) }))(chart)),
    stringProp('FluentBitOutput.forward() sharedKey.key', dnsLike, (chart, key) =>
      shippingTo(c => FluentBitOutput.forward({ host: 'fluentd', sharedKey: secret(c, key) }))(chart)),
  ],
};

const customOutputGroup: PropGroup = {
  name: 'FluentBitOutput.custom()',
  targets: [
    stringProp('FluentBitOutput.custom() plugin', pluginLike, (chart, plugin) => shippingTo(() => FluentBitOutput.custom(plugin, { bucket: 'logs' }))(chart)),
    stringProp('FluentBitOutput.custom() settings', settingKeyLike, (chart, key) => shippingTo(() => FluentBitOutput.custom('s3', { [key]: 'logs' }))(chart)),
    stringProp('FluentBitOutput.custom() settings.bucket', fc.oneof(wordLike, pieces), (chart, value) =>
      shippingTo(() => FluentBitOutput.custom('s3', { bucket: value }))(chart)),
    stringProp('FluentBitOutput.custom() secretSettings', settingKeyLike, (chart, key) =>
      shippingTo(c => FluentBitOutput.custom('s3', {}, { secretSettings: { [key]: secret(c) } }))(chart)),
    stringProp('FluentBitOutput.custom() fileSettings', settingKeyLike, (chart, key) =>
      shippingTo(c => FluentBitOutput.custom('s3', {}, { fileSettings: { [key]: FluentBitFile.fromSecret(kplus.Secret.fromSecretName(c, 'Ca', 'ca'), 'ca.crt') } }))(chart)),
  ],
};

const authGroup: PropGroup = {
  name: 'FluentBitAuth',
  targets: [
    stringProp('FluentBitAuth.basic() username', wordLike, (chart, username) =>
      shippingTo(c => loki({ auth: FluentBitAuth.basic({ username, password: secret(c) }) }))(chart)),
    stringProp('FluentBitAuth.basic() password', dnsLike, (chart, name) =>
      shippingTo(c => loki({ auth: FluentBitAuth.basic({ username: 'u', password: secret(c, 'password', name) }) }))(chart)),
    stringProp('FluentBitAuth.basic() password.key', dnsLike, (chart, key) =>
      shippingTo(c => loki({ auth: FluentBitAuth.basic({ username: 'u', password: secret(c, key) }) }))(chart)),
    stringProp('FluentBitAuth.basic() usernameSecret.key', dnsLike, (chart, key) =>
      shippingTo(c => loki({ auth: FluentBitAuth.basic({ usernameSecret: secret(c, key, 'user'), password: secret(c) }) }))(chart)),
    stringProp('FluentBitAuth.bearerToken() token', dnsLike, (chart, name) =>
      shippingTo(c => loki({ auth: FluentBitAuth.bearerToken(secret(c, 'token', name)) }))(chart)),
    stringProp('FluentBitAuth.bearerToken() token.key', dnsLike, (chart, key) =>
      shippingTo(c => loki({ auth: FluentBitAuth.bearerToken(secret(c, key)) }))(chart)),
  ],
};

/** Loki over TLS, verified against the CA bundle `file()` makes. */
const tlsCa = (file: (chart: Chart) => FluentBitFile) => shippingTo(c => loki({ tls: true, tlsCa: file(c) }));

const fileGroup: PropGroup = {
  name: 'FluentBitFile',
  targets: [
    stringProp('FluentBitFile.fromSecret() secret', dnsLike, (chart, name) =>
      tlsCa(c => FluentBitFile.fromSecret(kplus.Secret.fromSecretName(c, 'Ca', name), 'ca.crt'))(chart)),
    stringProp('FluentBitFile.fromSecret() key', dnsLike, (chart, key) =>
      tlsCa(c => FluentBitFile.fromSecret(kplus.Secret.fromSecretName(c, 'Ca', 'ca'), key))(chart)),
    stringProp('FluentBitFile.fromConfigMap() configMap', dnsLike, (chart, name) =>
      tlsCa(c => FluentBitFile.fromConfigMap(kplus.ConfigMap.fromConfigMapName(c, 'Ca', name), 'ca.crt'))(chart)),
    stringProp('FluentBitFile.fromConfigMap() key', dnsLike, (chart, key) =>
      tlsCa(c => FluentBitFile.fromConfigMap(kplus.ConfigMap.fromConfigMapName(c, 'Ca', 'ca'), key))(chart)),
  ],
};

/** A pod whose access log is parsed by the parser `make()` returns. */
const parsing = (make: () => FluentBitParser) => (chart: Chart) => shippingTo(() => FluentBitOutput.stdout(), { 'access.log': make() })(chart);
const regexLike = fc.oneof(pieces, pieces.map(p => `^(?<a>${p})`), pieces.map(p => `(?<a>\\S+)${p}`));
/** Named groups whose names YAML would read as other types, for the props that name a group. */
const GROUPS = ['time', 'yes', 'on', 'null', 'y', '_1', 'e1', 'True'];
const GROUPS_REGEX = GROUPS.map(group => `(?<${group}>\\S+)`).join(' ');
const timeFormatLike = fc.oneof(pieces, pieces.map(p => `%Y${p}%d`), wordLike.map(w => `%Y${w}%d`));

const parserGroup: PropGroup = {
  name: 'FluentBitParser',
  targets: [
    stringProp('FluentBitParser.json() timeKey', identifierLike, (chart, timeKey) => parsing(() => FluentBitParser.json({ timeKey }))(chart)),
    stringProp('FluentBitParser.json() timeFormat', timeFormatLike, (chart, timeFormat) => parsing(() => FluentBitParser.json({ timeFormat }))(chart)),
    stringProp('FluentBitParser.regex() regex', regexLike, (chart, regex) => parsing(() => FluentBitParser.regex({ regex }))(chart)),
    stringProp('FluentBitParser.regex() timeKey', fc.oneof(identifierLike, fc.constantFrom(...GROUPS)), (chart, timeKey) =>
      parsing(() => FluentBitParser.regex({ regex: GROUPS_REGEX, timeKey, timeFormat: '%s' }))(chart)),
    stringProp('FluentBitParser.regex() timeFormat', timeFormatLike, (chart, timeFormat) =>
      parsing(() => FluentBitParser.regex({ regex: '^(?<time>\\S+)', timeKey: 'time', timeFormat }))(chart)),
    stringProp('FluentBitParser.regex() types', fc.oneof(identifierLike, fc.constantFrom(...GROUPS)), (chart, field) =>
      parsing(() => FluentBitParser.regex({ regex: GROUPS_REGEX, types: { [field]: 'integer' } }))(chart)),
    stringProp('FluentBitParser.regex() types.code', fc.constantFrom('integer', 'float', 'bool', 'hex', 'string'), (chart, type) =>
      parsing(() => FluentBitParser.regex({ regex: '^(?<code>\\d+)', types: { code: type } }))(chart)),
    stringProp('FluentBitParser.multiline() firstLine', regexLike, (chart, firstLine) => parsing(() => FluentBitParser.multiline({ firstLine }))(chart)),
    stringProp('FluentBitParser.multiline() continuation', regexLike, (chart, continuation) =>
      parsing(() => FluentBitParser.multiline({ firstLine: '^\\d', continuation }))(chart)),
    numberProp('FluentBitParser.multiline() flushTimeout', DURATIONS, (chart, flushTimeout) =>
      parsing(() => FluentBitParser.multiline({ firstLine: '^\\d', flushTimeout }))(chart), whole(MILLIS, 3600 * 1000)),
    stringProp('FluentBitParser.builtInMultiline() name', fc.constantFrom('go', 'java', 'python', 'ruby', 'Java', 'docker'), (chart, name) =>
      parsing(() => FluentBitParser.builtInMultiline(name))(chart)),
  ],
};

export const FLUENT_BIT_GROUPS: PropGroup[] = [lokiGroup, bulkGroup, otherOutputsGroup, customOutputGroup, authGroup, fileGroup, parserGroup];
