import * as kplus from 'cdk8s-plus-28';
import { FluentBitAuth } from './auth';
import { FluentBitFile } from './file';

/** Options every network output of Fluent Bit shares: where it connects, and how securely. */
export interface FluentBitNetworkOutputOptions {
  /**
   * Host name or IP address of the receiving service, for example `loki.monitoring.svc`.
   */
  readonly host: string;

  /**
   * TCP port of the receiving service.
   * @default - the service's usual port: 3100 for Loki, 9200 for Elasticsearch and OpenSearch,
   * 8088 for Splunk HEC, 24224 for forward, 80 (443 with TLS) for HTTP
   */
  readonly port?: number;

  /**
   * Whether to connect with TLS. The server's certificate is verified, host name
   * included, against `tlsCa` or the image's CA certificates.
   * @default false
   */
  readonly tls?: boolean;

  /**
   * Whether to verify the server's certificate and host name (`tls.verify`,
   * `tls.verify_hostname`). Turn it off only to try out a server with a
   * self-signed certificate; then anyone on the path can read the logs.
   * @default true
   */
  readonly tlsVerify?: boolean;

  /**
   * The CA bundle (PEM) the server's certificate must chain to (`tls.ca_file`),
   * mounted read-only from a Secret or a ConfigMap. Needs `tls: true`.
   * @default - the CA certificates of the Fluent Bit image
   */
  readonly tlsCa?: FluentBitFile;

  /**
   * A client certificate (PEM) for mutual TLS (`tls.crt_file`), with `tlsClientKey`.
   * @default - no client certificate
   */
  readonly tlsClientCertificate?: FluentBitFile;

  /**
   * The client certificate's private key (PEM, `tls.key_file`); from a Secret only.
   * @default - no client certificate
   */
  readonly tlsClientKey?: FluentBitFile;

  /**
   * The server name sent in SNI and checked against the certificate (`tls.vhost`),
   * when it differs from `host`, for example when `host` is an IP address.
   * @default - `host`
   */
  readonly tlsServerName?: string;
}

/** Extra HTTP headers of an HTTP-based output. */
export interface FluentBitHeaderOptions {
  /**
   * Headers sent with every request, such as `{ 'X-Source': 'nginx' }`.
   * @default - none
   */
  readonly headers?: { [name: string]: string };

  /**
   * Headers whose values come from Secrets, such as an API key.
   * @default - none
   */
  readonly secretHeaders?: { [name: string]: kplus.SecretValue };
}

/** Options of `FluentBitOutput.loki()`. */
export interface FluentBitLokiOutputOptions extends FluentBitNetworkOutputOptions, FluentBitHeaderOptions {
  /**
   * Stream labels added to every line; names as Loki allows them (letters, digits, `_`).
   * A value is a word of letters, digits and `_.:/@+-`, or one of the pod's own
   * variables: `${POD_NAME}`, `${POD_NAMESPACE}`, `${NODE_NAME}`, `${POD_IP}`.
   * @default { job: 'nginx' }
   */
  readonly labels?: { [name: string]: string };

  /**
   * Tenant id sent as `X-Scope-OrgID`, for a multi-tenant Loki.
   * @default - no tenant header
   */
  readonly tenantId?: string;

  /**
   * Basic auth or a bearer token, from Secrets.
   * @default - no authentication
   */
  readonly auth?: FluentBitAuth;
}

/** Options of `FluentBitOutput.elasticsearch()` and `FluentBitOutput.openSearch()`. */
export interface FluentBitElasticsearchOutputOptions extends FluentBitNetworkOutputOptions {
  /**
   * Index the records are written to.
   * @default 'nginx'
   */
  readonly index?: string;

  /**
   * Basic auth (a user and its password from a Secret).
   * @default - no authentication
   */
  readonly auth?: FluentBitAuth;
}

/** Options of `FluentBitOutput.http()`. */
export interface FluentBitHttpOutputOptions extends FluentBitNetworkOutputOptions, FluentBitHeaderOptions {
  /**
   * Path the records are POSTed to.
   * @default '/'
   */
  readonly uri?: string;

  /**
   * Basic auth or a bearer token, from Secrets.
   * @default - no authentication
   */
  readonly auth?: FluentBitAuth;
}

/** Options of `FluentBitOutput.splunk()`. */
export interface FluentBitSplunkOutputOptions extends FluentBitNetworkOutputOptions {
  /**
   * The HEC token, from a Kubernetes Secret: it reaches Fluent Bit as an
   * environment variable from `secretKeyRef`, never in the ConfigMap.
   */
  readonly token: kplus.SecretValue;
}

/** Options of `FluentBitOutput.forward()`. */
export interface FluentBitForwardOutputOptions extends FluentBitNetworkOutputOptions {
  /**
   * The shared key of Fluentd's secure forward handshake (`shared_key`), from a Secret.
   * @default - no handshake
   */
  readonly sharedKey?: kplus.SecretValue;
}

/** Options of `FluentBitOutput.custom()`. */
export interface FluentBitCustomOutputOptions {
  /**
   * Settings whose values come from Secrets, such as `{ aws_secret_access_key: ... }`:
   * passed as environment variables, never in the ConfigMap.
   * @default - none
   */
  readonly secretSettings?: { [key: string]: kplus.SecretValue };

  /**
   * Settings that name a file, mounted read-only from a Secret or a ConfigMap,
   * such as `{ 'tls.ca_file': FluentBitFile.fromConfigMap(bundle, 'ca.crt') }`.
   * @default - none
   */
  readonly fileSettings?: { [key: string]: FluentBitFile };
}
