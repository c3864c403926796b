import { renderFluentBitSection } from './fluent-bit-section';
import { show, validateConfigWord, validateHost, validatePort } from './validation';

/** Options every network output of Fluent Bit shares. */
export interface FluentBitNetworkOutputOptions {
  /**
   * Host name or IP address of the receiving service, for example `loki.monitoring.svc`.
   */
  readonly host: string;

  /**
   * TCP port of the receiving service.
   * @default - the service's usual port: 3100 for Loki, 9200 for Elasticsearch, 80 (443 with TLS) for HTTP
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

/**
 * Where the Fluent Bit shipper sends the lines it reads: one `[OUTPUT]`
 * section of its configuration. Every value is checked when the output is
 * created, so nothing can add lines or sections to the configuration file.
 */
export class FluentBitOutput {
  /** Prints each record to the sidecar's standard output, one JSON object per line (`kubectl logs`). */
  public static stdout(): FluentBitOutput {
    return new FluentBitOutput('stdout', [['Format', 'json_lines'], ['json_date_key', 'date'], ['json_date_format', 'iso8601']]);
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
    settings.push(['Labels', labelPairs.join(', ')], ['Line_Format', 'json']);
    if (options.tenantId !== undefined) {
      validateConfigWord(`${what} tenantId`, options.tenantId);
      settings.push(['Tenant_ID', options.tenantId]);
    }
    return new FluentBitOutput('loki', settings);
  }

  /** Writes to an Elasticsearch (or OpenSearch) index with the bulk API. */
  public static elasticsearch(options: FluentBitElasticsearchOutputOptions): FluentBitOutput {
    const what = 'FluentBitOutput.elasticsearch()';
    const index = options.index ?? 'nginx';
    if (!/^[a-z0-9][a-z0-9._-]{0,254}$/.test(index)) {
      throw new Error(`${what} index must be lowercase letters, digits, '.', '_' and '-', not starting with a symbol, got ${show(index)}`);
    }
    const settings = network(what, options, 9200);
    settings.push(['Index', index], ['Suppress_Type_Name', 'On'], ['Replace_Dots', 'On']);
    return new FluentBitOutput('es', settings);
  }

  /** POSTs records as JSON to any HTTP endpoint. */
  public static http(options: FluentBitHttpOutputOptions): FluentBitOutput {
    const what = 'FluentBitOutput.http()';
    const uri = options.uri ?? '/';
    if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%\/?-]*$/.test(uri)) {
      throw new Error(`${what} uri must be a path starting with "/" without spaces or control characters, got ${show(uri)}`);
    }
    const settings = network(what, options, options.tls ? 443 : 80);
    settings.push(['URI', uri], ['Format', 'json']);
    return new FluentBitOutput('http', settings);
  }

  private constructor(
    /** The Fluent Bit plugin name. */
    public readonly plugin: string,
    private readonly settings: Array<[string, string]>,
  ) {}

  /** The `[OUTPUT]` section, matching every record. */
  public render(): string {
    return renderFluentBitSection('OUTPUT', [['Name', this.plugin], ['Match', '*'], ...this.settings]);
  }
}

function network(what: string, options: FluentBitNetworkOutputOptions, defaultPort: number): Array<[string, string]> {
  validateHost(`${what} host`, options.host);
  const port = options.port ?? defaultPort;
  validatePort(`${what} port`, port);
  return [['Host', options.host], ['Port', String(port)], ['tls', options.tls ? 'On' : 'Off'], ['tls.verify', 'On']];
}
