import { BOOLEAN, FieldTypes, instanceOf, mapOf, NUMBER, STRING } from '../../runtime-types';
import { show, validateConfigWord, validateHost, validatePort } from '../../validation';
import { unreadableCharacters } from '../../yaml-reading';
import { FluentBitFile } from './file';
import { OutputContext, Settings } from './output-context';
import { FluentBitHeaderOptions, FluentBitNetworkOutputOptions } from './output-options';
import { POD_METADATA_REFERENCES } from './pod-metadata';
import { secretValue } from './secret-key';

// The checks of the values outputs write into Fluent Bit's configuration.
// The YAML serializer quotes whatever YAML needs; these rule out what
// Fluent Bit itself reads differently: `${` (it substitutes environment
// variables in every value), control characters, and, in headers, anything
// that would end the header line.

/** A value of a setting: printable, without `${`, as Fluent Bit keeps it after trimming. */
export function validateSettingValue(prop: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096) {
    throw new Error(`${prop} must be a string of 1 to 4096 characters, got ${show(value)}`);
  }
  const problem = unreadableCharacters(value)
    ?? (value.replace(POD_VARIABLE, '').includes('${') ? "'${' other than the pod's variables, which Fluent Bit replaces with an environment variable"
      : value !== value.trim() ? 'spaces at either end, which Fluent Bit trims'
        : undefined);
  if (problem) {
    throw new Error(`${prop} must not contain ${problem}, got ${show(value)}`);
  }
}

/** `${POD_NAME}` and the other variables the sidecar defines, which a value may name. */
const POD_VARIABLE = new RegExp(POD_METADATA_REFERENCES.map(r => r.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&')).join('|'), 'g');

/** A key of a plugin setting, as Fluent Bit names them: `host`, `tls.ca_file`, `aws_region`. */
export function validateSettingKey(prop: string, key: string): void {
  if (typeof key !== 'string' || !/^[A-Za-z][A-Za-z0-9_.-]{0,127}$/.test(key)) {
    throw new Error(`${prop} must be a setting name of letters, digits, '_', '.' and '-', starting with a letter, got ${show(key)}`);
  }
}

/** Headers every HTTP request already has, which a second copy would contradict. */
const TRANSPORT_HEADERS = ['host', 'content-length', 'content-type', 'content-encoding', 'transfer-encoding', 'connection', 'user-agent'];
/** Headers that carry credentials: only from Secrets (`secretHeaders`, or `auth`). */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization'];

/**
 * The output's `header` entries (`Name value`), those from Secrets as
 * `Name ${VARIABLE}`. `taken` are the headers the output sets itself.
 */
export function headerEntries(what: string, options: FluentBitHeaderOptions, taken: string[]): (context: OutputContext) => string[] {
  const plain = Object.entries(options.headers ?? {});
  const secret = Object.entries(options.secretHeaders ?? {}).map(([name, value]) => [name, secretValue(`${what} secretHeaders.${name}`, value)] as const);
  const seen = new Map<string, string>();
  for (const [prop, name] of [...plain.map(([n]) => ['headers', n]), ...secret.map(([n]) => ['secretHeaders', n])]) {
    // RFC 9110 token characters but `$`, which Fluent Bit would read as a variable.
    if (!/^[A-Za-z0-9!#%&'*+.^_`|~-]{1,256}$/.test(name)) {
      throw new Error(`${what} ${prop} must be named with letters, digits and !#%&'*+.^_\`|~- (an HTTP header name), got ${show(name)}`);
    }
    const lower = name.toLowerCase();
    if (TRANSPORT_HEADERS.includes(lower) || taken.includes(lower)) {
      throw new Error(`${what} ${prop} must not set ${show(name)}, which the output sets itself`);
    }
    if (prop === 'headers' && CREDENTIAL_HEADERS.includes(lower)) {
      throw new Error(`${what} headers must not set ${show(name)}, which carries a credential: `
        + 'give it in secretHeaders (or auth), so that it comes from a Secret and not the ConfigMap');
    }
    if (seen.has(lower)) {
      throw new Error(`${what} ${prop} names the header ${show(name)} twice (also in ${seen.get(lower)}); header names are case-insensitive`);
    }
    seen.set(lower, prop);
  }
  for (const [name, value] of plain) {
    // Visible ASCII and inner spaces: nothing that could end the header line or be re-encoded.
    if (typeof value !== 'string' || !/^[\x21-\x7e]([\x20-\x7e]{0,4094}[\x21-\x7e])?$/.test(value) || value.includes('${')) {
      throw new Error(`${what} headers.${name} must be 1 to 4096 printable ASCII characters, not starting or ending with a space, without '\${', got ${show(value)}`);
    }
  }
  return context => [
    ...plain.map(([name, value]) => `${name} ${value}`),
    ...secret.map(([name, value], i) => `${name} ${context.secret(`HEADER_${i}`, value)}`),
  ];
}

/** A Loki label value: a word, or exactly one of the pod's variables. */
export function validateLabelValue(prop: string, value: string): void {
  if (POD_METADATA_REFERENCES.includes(value)) {
    return;
  }
  if (typeof value === 'string' && value.includes('${')) {
    throw new Error(`${prop} may name only the pod's variables ${POD_METADATA_REFERENCES.join(', ')}, each as the whole value, got ${show(value)}`);
  }
  validateConfigWord(prop, value);
}

const FILE = instanceOf(FluentBitFile, 'be made with FluentBitFile.fromSecret() or FluentBitFile.fromConfigMap()');

/** The runtime types of the options every network output has. */
export const NETWORK_OPTION_TYPES: FieldTypes<FluentBitNetworkOutputOptions> = {
  host: STRING,
  port: NUMBER,
  tls: BOOLEAN,
  tlsVerify: BOOLEAN,
  tlsCa: FILE,
  tlsClientCertificate: FILE,
  tlsClientKey: FILE,
  tlsServerName: STRING,
};

/** The runtime types of the header options; `headerEntries()` checks each header. */
export const HEADER_OPTION_TYPES: FieldTypes<FluentBitHeaderOptions> = {
  headers: mapOf("be an object of header names to values, such as { 'X-Source': 'nginx' }"),
  secretHeaders: mapOf('be an object of header names to SecretValues'),
};

/** The connection settings, TLS files included, from options of the types `NETWORK_OPTION_TYPES` checked. */
export function networkSettings(what: string, given: FluentBitNetworkOutputOptions, defaultPort: number): (context: OutputContext) => Settings {
  // Copied now, so that a change to the caller's object later cannot bypass the checks.
  const options = { ...given };
  validateHost(`${what} host`, options.host);
  const port = options.port ?? defaultPort;
  validatePort(`${what} port`, port);
  const tls = options.tls ?? false;
  const verify = options.tlsVerify ?? true;
  const tlsOnly = (['tlsVerify', 'tlsCa', 'tlsClientCertificate', 'tlsClientKey', 'tlsServerName'] as const).filter(p => options[p] !== undefined);
  if (!tls && tlsOnly.length > 0) {
    throw new Error(`${what} ${tlsOnly[0]} applies only with tls: true, got ${tlsOnly[0]} ${show(options[tlsOnly[0]])} and tls ${show(options.tls)}`);
  }
  if (options.tlsCa && !verify) {
    throw new Error(`${what} tlsCa is used only to verify the server, which tlsVerify false turns off: drop one of them`);
  }
  if ((options.tlsClientCertificate === undefined) !== (options.tlsClientKey === undefined)) {
    const [given, missing] = options.tlsClientCertificate ? ['tlsClientCertificate', 'tlsClientKey'] : ['tlsClientKey', 'tlsClientCertificate'];
    throw new Error(`${what} ${given} needs ${missing} too: mutual TLS takes a certificate and its private key`);
  }
  if (options.tlsClientKey && !options.tlsClientKey._isSecret()) {
    throw new Error(`${what} tlsClientKey must come from a Secret (FluentBitFile.fromSecret()), not a ConfigMap, `
      + `got the ConfigMap ${show(options.tlsClientKey.sourceName)}`);
  }
  if (options.tlsServerName !== undefined) {
    validateHost(`${what} tlsServerName`, options.tlsServerName);
  }
  return context => ({
    'host': options.host,
    'port': String(port),
    'tls': tls ? 'on' : 'off',
    'tls.verify': verify ? 'on' : 'off',
    // Fluent Bit 3.2 checks the chain only; without this, a certificate for any name would do.
    ...(tls && verify ? { 'tls.verify_hostname': 'on' } : {}),
    ...(options.tlsCa ? { 'tls.ca_file': context.file(options.tlsCa) } : {}),
    ...(options.tlsClientCertificate ? { 'tls.crt_file': context.file(options.tlsClientCertificate) } : {}),
    ...(options.tlsClientKey ? { 'tls.key_file': context.file(options.tlsClientKey) } : {}),
    ...(options.tlsServerName ? { 'tls.vhost': options.tlsServerName } : {}),
  });
}
