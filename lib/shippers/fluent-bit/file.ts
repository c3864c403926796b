import * as kplus from 'cdk8s-plus-28';
import { show, validateDnsSubdomain } from '../../validation';
import { checkedKey } from './secret-key';

/**
 * A file Fluent Bit reads, such as a CA bundle or a client certificate: one
 * key of a Secret or a ConfigMap, mounted read-only into the sidecar. The
 * configuration names its path; its content never enters the ConfigMap.
 */
export class FluentBitFile {
  /** The key `key` of the Secret `secret`, such as `ca.crt` of a `kubernetes.io/tls` Secret. */
  public static fromSecret(secret: kplus.ISecret, key: string): FluentBitFile {
    return new FluentBitFile('secret', checkedName('FluentBitFile.fromSecret() secret', secret), checkedKey('FluentBitFile.fromSecret() key', key), secret);
  }

  /** The key `key` of the ConfigMap `configMap`, such as a CA bundle published cluster-wide. */
  public static fromConfigMap(configMap: kplus.IConfigMap, key: string): FluentBitFile {
    return new FluentBitFile('configMap', checkedName('FluentBitFile.fromConfigMap() configMap', configMap),
      checkedKey('FluentBitFile.fromConfigMap() key', key), undefined, configMap);
  }

  private constructor(
    private readonly source: 'secret' | 'configMap',
    /** The name of the Secret or the ConfigMap. */
    public readonly sourceName: string,
    /** The data key, which is also the file's name. */
    public readonly key: string,
    /** @internal */
    public readonly _secret?: kplus.ISecret,
    /** @internal */
    public readonly _configMap?: kplus.IConfigMap,
  ) {}

  /** How the file was given, as in `FluentBitFile.fromSecret("name", "key")`. */
  public toString(): string {
    return `FluentBitFile.${this.source === 'secret' ? 'fromSecret' : 'fromConfigMap'}(${JSON.stringify(this.sourceName)}, ${JSON.stringify(this.key)})`;
  }

  /** @internal */
  public _isSecret(): boolean {
    return this.source === 'secret';
  }

  /**
   * Where the file is mounted: one directory per Secret or ConfigMap, named
   * after it, so two sources with the same key do not collide.
   * @internal
   */
  public _path(): string {
    return `${this._directory()}/${this.key}`;
  }

  /**
   * The file's directory, also the identity of its Secret or ConfigMap.
   * @internal
   */
  public _directory(): string {
    return `${FILES_DIRECTORY}/${this.source === 'secret' ? 'secrets' : 'configmaps'}/${this.sourceName}`;
  }
}

/** Where the files from Secrets and ConfigMaps are mounted in the sidecar. */
const FILES_DIRECTORY = '/fluent-bit/etc/logging-sidecar-files';

function checkedName(prop: string, resource: kplus.ISecret | kplus.IConfigMap): string {
  const name = (resource as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string') {
    throw new Error(`${prop} must be a Secret or ConfigMap named by a DNS-1123 subdomain, got ${show(resource)}`);
  }
  // A Secret's or ConfigMap's name is a DNS-1123 subdomain, so it is a safe directory name.
  validateDnsSubdomain(`${prop} name`, name);
  return name;
}
