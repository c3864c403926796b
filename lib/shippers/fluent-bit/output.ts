import { checkProps, FieldTypes, instanceOf, mapOf, RuntimeType, STRING } from '../../runtime-types';
import { show, validateConfigWord } from '../../validation';
import { FluentBitAuth } from './auth';
import { FluentBitFile } from './file';
import { OutputContext, Settings } from './output-context';
import {
  FluentBitCustomOutputOptions,
  FluentBitElasticsearchOutputOptions,
  FluentBitForwardOutputOptions,
  FluentBitHttpOutputOptions,
  FluentBitLokiOutputOptions,
  FluentBitSplunkOutputOptions,
} from './output-options';
import {
  HEADER_OPTION_TYPES, headerEntries, NETWORK_OPTION_TYPES, networkSettings, validateLabelValue, validateSettingKey, validateSettingValue,
} from './output-values';
import { SECRET_VALUE, secretValue } from './secret-key';

/**
 * Where the Fluent Bit shipper sends the records it reads: one entry of the
 * configuration's `pipeline.outputs`. Every value is checked when the output
 * is created, so no value can change what another key means; credentials
 * come from Secrets and files from Secrets or ConfigMaps, never into the
 * ConfigMap.
 */
export class FluentBitOutput {
  /** Prints each record to the sidecar's standard output, one JSON object per line (`kubectl logs`). */
  public static stdout(): FluentBitOutput {
    return new FluentBitOutput('stdout', () => ({ format: 'json_lines', json_date_key: 'date', json_date_format: 'iso8601' }));
  }

  /** Pushes to Grafana Loki's HTTP API, each line with its labels. */
  public static loki(options: FluentBitLokiOutputOptions): FluentBitOutput {
    const what = 'FluentBitOutput.loki()';
    checkProps(`${what} options`, options, LOKI_OPTION_TYPES, `${what} `);
    const network = networkSettings(what, options, 3100);
    const labels = options.labels ?? { job: 'nginx' };
    const labelPairs = Object.entries(labels).map(([name, value]) => {
      // Loki keeps names starting with `__` for itself.
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.startsWith('__')) {
        throw new Error(`${what} labels must be named with letters, digits and '_', not starting with a digit or '__', got ${show(name)}`);
      }
      validateLabelValue(`${what} labels.${name}`, value);
      return `${name}=${value}`;
    });
    if (labelPairs.length === 0) {
      throw new Error(`${what} labels must name at least one label, Loki rejects streams without labels, got {}`);
    }
    const tenantId = options.tenantId;
    if (tenantId !== undefined) {
      validateConfigWord(`${what} tenantId`, tenantId);
    }
    const auth = authSettings(what, options.auth, ['basic', 'bearer'], { bearer: token => ({ bearer_token: token }) });
    const headers = headerEntries(what, options, [
      ...(tenantId !== undefined ? ['x-scope-orgid'] : []),
      ...(options.auth ? ['authorization'] : []),
    ]);
    return new FluentBitOutput('loki', context => withHeaders({
      ...network(context),
      labels: labelPairs.join(', '),
      line_format: 'json',
      ...(tenantId !== undefined ? { tenant_id: tenantId } : {}),
      ...auth(context),
    }, headers(context)));
  }

  /** Writes to an Elasticsearch index with the Bulk API (`es`). */
  public static elasticsearch(options: FluentBitElasticsearchOutputOptions): FluentBitOutput {
    return FluentBitOutput.bulk('FluentBitOutput.elasticsearch()', 'es', options);
  }

  /** Writes to an OpenSearch index with the Bulk API (`opensearch`). */
  public static openSearch(options: FluentBitElasticsearchOutputOptions): FluentBitOutput {
    return FluentBitOutput.bulk('FluentBitOutput.openSearch()', 'opensearch', options);
  }

  /** Sends each record as an event to a Splunk HTTP Event Collector (HEC), with its token from a Secret. */
  public static splunk(options: FluentBitSplunkOutputOptions): FluentBitOutput {
    const what = 'FluentBitOutput.splunk()';
    checkProps(`${what} options`, options, SPLUNK_OPTION_TYPES, `${what} `);
    const network = networkSettings(what, options, 8088);
    const token = secretValue(`${what} token`, options.token);
    return new FluentBitOutput('splunk', context => ({ ...network(context), splunk_token: context.secret('SPLUNK_TOKEN', token) }));
  }

  /** POSTs records as JSON to any HTTP endpoint. */
  public static http(options: FluentBitHttpOutputOptions): FluentBitOutput {
    const what = 'FluentBitOutput.http()';
    checkProps(`${what} options`, options, HTTP_OPTION_TYPES, `${what} `);
    const network = networkSettings(what, options, options.tls ? 443 : 80);
    const uri = options.uri ?? '/';
    // No `$`: Fluent Bit would read `${NAME}` as an environment variable.
    if (typeof uri !== 'string' || uri.length > 2048 || !/^\/[A-Za-z0-9._~!&'()*+,;=:@%\/?-]*$/.test(uri)) {
      throw new Error(`${what} uri must be a path starting with "/" of at most 2048 characters, without spaces, `
        + `control characters or "$", got ${show(uri)}`);
    }
    // The http output has no bearer_token setting: the token goes into the header itself.
    const auth = authSettings(what, options.auth, ['basic', 'bearer'], { bearer: token => ({ header: [`Authorization Bearer ${token}`] }) });
    const headers = headerEntries(what, options, options.auth ? ['authorization'] : []);
    return new FluentBitOutput('http', context => {
      const { header: authHeader, ...authRest } = auth(context) as Settings & { header?: string[] };
      return withHeaders({ ...network(context), uri, format: 'json', ...authRest }, [...(authHeader ?? []), ...headers(context)]);
    });
  }

  /**
   * Forwards records to a Fluentd or Fluent Bit aggregator (the forward
   * protocol), waiting for its acknowledgement of each chunk.
   */
  public static forward(options: FluentBitForwardOutputOptions): FluentBitOutput {
    const what = 'FluentBitOutput.forward()';
    checkProps(`${what} options`, options, FORWARD_OPTION_TYPES, `${what} `);
    const network = networkSettings(what, options, 24224);
    const sharedKey = options.sharedKey === undefined ? undefined : secretValue(`${what} sharedKey`, options.sharedKey);
    return new FluentBitOutput('forward', context => ({
      ...network(context),
      // Without the acknowledgement, a chunk the aggregator drops counts as delivered.
      require_ack_response: 'on',
      ...(sharedKey ? { shared_key: context.secret('SHARED_KEY', sharedKey), self_hostname: '${POD_NAME}' } : {}),
    }));
  }

  /**
   * Any other output plugin of Fluent Bit, such as `s3` or `kafka`, with its
   * settings as `fluent-bit -o <plugin> -h` lists them. Every value is checked
   * as the other outputs' are; whether the plugin knows each setting is
   * checked by Fluent Bit when it starts.
   */
  public static custom(plugin: string, settings: { [key: string]: string }, options: FluentBitCustomOutputOptions = {}): FluentBitOutput {
    const what = 'FluentBitOutput.custom()';
    if (typeof plugin !== 'string' || !/^[a-z][a-z0-9_]{0,63}$/.test(plugin)) {
      throw new Error(`${what} plugin must be a Fluent Bit output plugin name of lowercase letters, digits and '_', such as "s3", got ${show(plugin)}`);
    }
    SETTINGS.check(`${what} settings`, settings);
    checkProps(`${what} options`, options, CUSTOM_OPTION_TYPES, `${what} `);
    const seen = new Map<string, string>();
    const variables = new Map<string, string>();
    const check = (prop: string, key: string) => {
      validateSettingKey(`${what} ${prop}`, key);
      const lower = key.toLowerCase();
      // Own keys only: `constructor` is a setting name too, and every object inherits one.
      const reserved = Object.hasOwn(RESERVED_SETTINGS, lower) ? RESERVED_SETTINGS[lower] : undefined;
      if (reserved) {
        throw new Error(`${what} ${prop} must not set ${show(key)}: ${reserved}`);
      }
      if (seen.has(lower)) {
        throw new Error(`${what} ${prop} sets ${show(key)}, which ${seen.get(lower)} sets too; Fluent Bit's setting names are case-insensitive`);
      }
      seen.set(lower, prop);
    };
    // Copied now, so that a change to the caller's object later cannot bypass the checks.
    const plain = Object.entries(settings).map(([key, value]) => {
      check('settings', key);
      validateSettingValue(`${what} settings.${key}`, value);
      if (CREDENTIAL_SETTING.test(key)) {
        throw new Error(`${what} settings.${key} looks like a credential: give it in secretSettings, `
          + 'so that it comes from a Secret and not the ConfigMap');
      }
      return [key, value] as const;
    });
    const secrets = Object.entries(options.secretSettings ?? {}).map(([key, value]) => {
      check('secretSettings', key);
      // Each becomes an environment variable named after the key, with '.' and '-' as '_'.
      const variable = key.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();
      if (variables.has(variable)) {
        throw new Error(`${what} secretSettings has ${show(variables.get(variable))} and ${show(key)}, `
          + `which would both be the environment variable ..._${variable}: no such two settings exist in one plugin`);
      }
      variables.set(variable, key);
      return [key, secretValue(`${what} secretSettings.${key}`, value)] as const;
    });
    const files = Object.entries(options.fileSettings ?? {}).map(([key, file]) => {
      check('fileSettings', key);
      if (!(file instanceof FluentBitFile)) {
        throw new Error(`${what} fileSettings.${key} must be made with FluentBitFile.fromSecret() or FluentBitFile.fromConfigMap(), got ${show(file)}`);
      }
      return [key, file] as const;
    });
    return new FluentBitOutput(plugin, context => ({
      ...Object.fromEntries(plain),
      ...Object.fromEntries(secrets.map(([key, value]) => [key, context.secret(key, value)])),
      ...Object.fromEntries(files.map(([key, file]) => [key, context.file(file)])),
    }));
  }

  private static bulk(what: string, plugin: string, options: FluentBitElasticsearchOutputOptions): FluentBitOutput {
    checkProps(`${what} options`, options, ELASTICSEARCH_OPTION_TYPES, `${what} `);
    const network = networkSettings(what, options, 9200);
    const index = options.index ?? 'nginx';
    if (typeof index !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,254}$/.test(index)) {
      throw new Error(`${what} index must be lowercase letters, digits, '.', '_' and '-', not starting with a symbol, got ${show(index)}`);
    }
    const auth = authSettings(what, options.auth, ['basic'], {});
    return new FluentBitOutput(plugin, context => ({
      ...network(context),
      index,
      suppress_type_name: 'on',
      replace_dots: 'on',
      ...auth(context),
    }));
  }

  private constructor(
    /** The Fluent Bit output plugin, such as `loki`. */
    public readonly plugin: string,
    private readonly settings: (context: OutputContext) => Settings,
  ) {}

  /**
   * The output's entry in `pipeline.outputs`, matching every record, with the
   * shipper's delivery settings.
   * @internal
   */
  public _toFluentBit(context: OutputContext, common: { [key: string]: string }): Settings {
    // name and match first, for whoever reads the configuration, and set again last, so no setting overrides them.
    return Object.assign({ name: this.plugin, match: '*', ...this.settings(context), ...common }, { name: this.plugin, match: '*' });
  }
}

const AUTH = instanceOf(FluentBitAuth, 'be made with FluentBitAuth.basic() or FluentBitAuth.bearerToken()');
const LABELS = mapOf("be an object of label names to values, such as { job: 'nginx' }");
const LOKI_OPTION_TYPES: FieldTypes<FluentBitLokiOutputOptions> = {
  ...NETWORK_OPTION_TYPES, ...HEADER_OPTION_TYPES, labels: LABELS, tenantId: STRING, auth: AUTH,
};
const ELASTICSEARCH_OPTION_TYPES: FieldTypes<FluentBitElasticsearchOutputOptions> = { ...NETWORK_OPTION_TYPES, index: STRING, auth: AUTH };
const SPLUNK_OPTION_TYPES: FieldTypes<FluentBitSplunkOutputOptions> = { ...NETWORK_OPTION_TYPES, token: SECRET_VALUE };
const HTTP_OPTION_TYPES: FieldTypes<FluentBitHttpOutputOptions> = { ...NETWORK_OPTION_TYPES, ...HEADER_OPTION_TYPES, uri: STRING, auth: AUTH };
const FORWARD_OPTION_TYPES: FieldTypes<FluentBitForwardOutputOptions> = { ...NETWORK_OPTION_TYPES, sharedKey: SECRET_VALUE };
/** Each value is checked where it is read, with the key in the message. */
const SETTINGS: RuntimeType = mapOf('be an object of setting names to values');
const CUSTOM_OPTION_TYPES: FieldTypes<FluentBitCustomOutputOptions> = {
  secretSettings: mapOf('be an object of setting names to SecretValues'),
  fileSettings: mapOf('be an object of setting names to files made with FluentBitFile.fromSecret() or FluentBitFile.fromConfigMap()'),
};

/** Settings a custom output may not set, and why. */
const RESERVED_SETTINGS: { [key: string]: string } = {
  'name': 'the plugin is the first argument',
  'match': 'every output matches every record',
  'match_regex': 'every output matches every record',
  'retry_limit': 'every output retries without limit, so that an outage loses nothing',
  'storage.total_limit_size': 'in Fluent Bit 3.2.10 it drops chunks even while the output delivers',
};
/** Setting names that hold a credential, such as `http_passwd`, `splunk_token` or `tls.key_passwd`. */
const CREDENTIAL_SETTING = /passw|secret|token|shared_key|api_?key/i;

/** The settings of `auth` (a FluentBitAuth, as the output's AUTH type checked), checked to be a kind the output supports. */
function authSettings(what: string, auth: FluentBitAuth | undefined, kinds: string[],
  render: { bearer?: (token: string) => Settings }): (context: OutputContext) => Settings {
  if (auth === undefined) {
    return () => ({});
  }
  if (!kinds.includes(auth.kind)) {
    throw new Error(`${what} auth must be ${kinds.map(k => k === 'basic' ? 'FluentBitAuth.basic()' : 'FluentBitAuth.bearerToken()').join(' or ')}, `
      + `which this output supports, got ${auth.kind === 'basic' ? 'FluentBitAuth.basic()' : 'FluentBitAuth.bearerToken()'}`);
  }
  const values = auth._values;
  if (auth.kind === 'bearer') {
    return context => render.bearer!(context.secret('BEARER_TOKEN', values.token!));
  }
  return context => ({
    http_user: values.username ?? context.secret('HTTP_USER', values.usernameSecret!),
    http_passwd: context.secret('HTTP_PASSWD', values.password!),
  });
}

/** Adds the `header` list, when there are headers. */
function withHeaders(settings: Settings, headers: string[]): Settings {
  return headers.length > 0 ? { ...settings, header: headers } : settings;
}
