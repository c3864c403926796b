import * as kplus from 'cdk8s-plus-28';
import { show, validateConfigWord, validateHost, validatePort } from '../../validation';

/** Options every network output of Fluent Bit shares. */
export interface FluentBitNetworkOutputOptions {
  /**
   * Host name or IP address of the receiving service, for example `loki.monitoring.svc`.
   */
  readonly host: string;

  /**
   * TCP port of the receiving service.
   * @default - the service's usual port: 3100 for Loki, 9200 for Elasticsearch, 8088 for Splunk HEC, 80 (443 with TLS) for HTTP
   */
  readonly port?: number;

  /**
   * Whether to connect with TLS (certificates are verified).
   * @default false
   */
  readonly tls?: boolean;
}

/** Options of `FluentBitOutput.loki()`. */
export interface FluentBitLokiOutputOptions extends FluentBitNetworkOutputOptions {
  /**
   * Stream labels added to every line; names as Loki allows them (letters, digits, `_`).
   * @default { job: 'nginx' }
   */
  readonly labels?: { [name: string]: string };

  /**
   * Tenant id sent as `X-Scope-OrgID`, for a multi-tenant Loki.
   * @default - no tenant header
   */
  readonly tenantId?: string;
}

/** Options of `FluentBitOutput.elasticsearch()`. */
export interface FluentBitElasticsearchOutputOptions extends FluentBitNetworkOutputOptions {
  /**
   * Index the records are written to.
   * @default 'nginx'
   */
  readonly index?: string;
}

/** Options of `FluentBitOutput.http()`. */
export interface FluentBitHttpOutputOptions extends FluentBitNetworkOutputOptions {
  /**
   * Path the records are POSTed to.
   * @default '/'
   */
  readonly uri?: string;
}

/** Options of `FluentBitOutput.splunk()`. */
export interface FluentBitSplunkOutputOptions extends FluentBitNetworkOutputOptions {
  /**
   * The HEC token, from a Kubernetes Secret: it reaches Fluent Bit as an
   * environment variable from `secretKeyRef`, never in the ConfigMap.
   */
  readonly token: kplus.SecretValue;
}

/**
 * Where the Fluent Bit shipper sends the records it reads: one entry of the
 * configuration's `pipeline.outputs`. Every value is checked when the output
 * is created, so no value can change what another key means.
 */
export class FluentBitOutput {
  /** Prints each record to the sidecar's standard output, one JSON object per line (`kubectl logs`). */
  public static stdout(): FluentBitOutput {
    return new FluentBitOutput('stdout', { format: 'json_lines', json_date_key: 'date', json_date_format: 'iso8601' });
  }

  /** Pushes to Grafana Loki's HTTP API, each line with its labels. */
  public static loki(options: FluentBitLokiOutputOptions): FluentBitOutput {
    const what = 'FluentBitOutput.loki()';
    const labels = options.labels ?? { job: 'nginx' };
    const labelPairs = Object.entries(labels).map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new Error(`${what} labels must be named with letters, digits and '_', not starting with a digit, got ${show(name)}`);
      }
      validateConfigWord(`${what} labels.${name}`, value);
      return `${name}=${value}`;
    });
    if (labelPairs.length === 0) {
      throw new Error(`${what} labels must name at least one label, Loki rejects streams without labels, got {}`);
    }
    const settings = network(what, options, 3100);
    settings.labels = labelPairs.join(', ');
    settings.line_format = 'json';
    if (options.tenantId !== undefined) {
      validateConfigWord(`${what} tenantId`, options.tenantId);
      settings.tenant_id = options.tenantId;
    }
    return new FluentBitOutput('loki', settings);
  }

  /** Writes to an Elasticsearch (or OpenSearch) index with the bulk API. */
  public static elasticsearch(options: FluentBitElasticsearchOutputOptions): FluentBitOutput {
    const what = 'FluentBitOutput.elasticsearch()';
    const index = options.index ?? 'nginx';
    if (typeof index !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,254}$/.test(index)) {
      throw new Error(`${what} index must be lowercase letters, digits, '.', '_' and '-', not starting with a symbol, got ${show(index)}`);
    }
    const settings = network(what, options, 9200);
    settings.index = index;
    settings.suppress_type_name = 'on';
    settings.replace_dots = 'on';
    return new FluentBitOutput('es', settings);
  }

  /** Sends each record as an event to a Splunk HTTP Event Collector (HEC), with its token from a Secret. */
  public static splunk(options: FluentBitSplunkOutputOptions): FluentBitOutput {
    const what = 'FluentBitOutput.splunk()';
    const settings = network(what, options, 8088);
    return new FluentBitOutput('splunk', settings, { splunk_token: secretValue(`${what} token`, options.token) });
  }

  /** POSTs records as JSON to any HTTP endpoint. */
  public static http(options: FluentBitHttpOutputOptions): FluentBitOutput {
    const what = 'FluentBitOutput.http()';
    const uri = options.uri ?? '/';
    // No `$`: Fluent Bit would read `${NAME}` as an environment variable.
    if (typeof uri !== 'string' || uri.length > 2048 || !/^\/[A-Za-z0-9._~!&'()*+,;=:@%\/?-]*$/.test(uri)) {
      throw new Error(`${what} uri must be a path starting with "/" of at most 2048 characters, without spaces, `
        + `control characters or "$", got ${show(uri)}`);
    }
    const settings = network(what, options, options.tls ? 443 : 80);
    settings.uri = uri;
    settings.format = 'json';
    return new FluentBitOutput('http', settings);
  }

  private constructor(
    /** The Fluent Bit output plugin, such as `loki`. */
    public readonly plugin: string,
    private readonly settings: { [key: string]: string },
    private readonly secrets: { [key: string]: kplus.SecretValue } = {},
  ) {}

  /**
   * The output's entry in `pipeline.outputs`, matching every record, with the
   * shipper's buffering and retry settings. A setting from a Secret is
   * `${VARIABLE}`, which Fluent Bit replaces at start with the variable that
   * `_environment()` gives the container.
   * @internal
   */
  public _toFluentBit(index: number, common: { [key: string]: string }): { [key: string]: string } {
    const fromSecrets = Object.fromEntries(Object.keys(this.secrets).map(key => [key, `\${${variableName(index, key)}}`]));
    return { name: this.plugin, match: '*', ...this.settings, ...fromSecrets, ...common };
  }

  /**
   * The environment variables of the output's settings from Secrets.
   * @internal
   */
  public _environment(index: number): { [name: string]: kplus.EnvValue } {
    return Object.fromEntries(Object.entries(this.secrets).map(([key, value]) =>
      [variableName(index, key), kplus.EnvValue.fromSecretValue(value)]));
  }
}

/** `FLUENT_BIT_OUTPUT_0_SPLUNK_TOKEN`: one per output and setting. */
function variableName(index: number, key: string): string {
  return `FLUENT_BIT_OUTPUT_${index}_${key.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

function secretValue(prop: string, value: kplus.SecretValue): kplus.SecretValue {
  if (!value || typeof value !== 'object' || !value.secret || typeof value.secret.name !== 'string') {
    throw new Error(`${prop} must be a SecretValue ({ secret, key }) naming a Secret, got ${show(value)}`);
  }
  // A Secret's data key: letters, digits, '-', '_' and '.'.
  if (typeof value.key !== 'string' || !/^[-._a-zA-Z0-9]{1,253}$/.test(value.key)) {
    throw new Error(`${prop}.key must be a Secret data key of letters, digits, '-', '_' and '.', got ${show(value.key)}`);
  }
  return { secret: value.secret, key: value.key };
}

function network(what: string, options: FluentBitNetworkOutputOptions, defaultPort: number): { [key: string]: string } {
  validateHost(`${what} host`, options.host);
  const port = options.port ?? defaultPort;
  validatePort(`${what} port`, port);
  return { host: options.host, port: String(port), tls: options.tls ? 'on' : 'off', 'tls.verify': 'on' };
}
