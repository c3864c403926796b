import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LogShipperVolume } from '../../log-shipper';
import { SHIPPER_VOLUME_PREFIX } from '../../logging-sidecar-checks';
import { show } from '../../validation';
import { FluentBitFile } from './file';
import { OutputContext } from './output-context';

/**
 * What the outputs' settings refer to outside the ConfigMap: the
 * environment variables their Secrets become, and the volumes their files
 * are mounted from (one per Secret or ConfigMap, projecting only the keys
 * used).
 */
export class OutputBindings {
  private readonly variables: { [name: string]: kplus.EnvValue } = {};
  private readonly sources = new Map<string, { file: FluentBitFile; keys: Set<string> }>();

  /** The context of output `index`: its variables are `FLUENT_BIT_OUTPUT_<index>_<NAME>`. */
  public contextFor(index: number): OutputContext {
    return {
      secret: (name, value) => {
        const variable = `FLUENT_BIT_OUTPUT_${index}_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
        if (this.variables[variable]) {
          throw new Error(`outputs[${index}] has two secret settings that both become the environment variable ${show(variable)}: `
            + `rename one of the settings (${show(name)})`);
        }
        this.variables[variable] = kplus.EnvValue.fromSecretValue(value);
        return `\${${variable}}`;
      },
      file: file => {
        const source = this.sources.get(file._directory()) ?? { file, keys: new Set<string>() };
        source.keys.add(file.key);
        this.sources.set(file._directory(), source);
        return file._path();
      },
    };
  }

  /** The variables from Secrets, by name. */
  public environment(): { [name: string]: kplus.EnvValue } {
    return { ...this.variables };
  }

  /** One read-only volume per Secret or ConfigMap, mounted at the directory its files' paths name. */
  public volumes(scope: Construct): LogShipperVolume[] {
    let secrets = 0;
    let configMaps = 0;
    return [...this.sources.entries()].map(([directory, { file, keys }]) => {
      const items = Object.fromEntries([...keys].sort().map(key => [key, { path: key }]));
      // A missing Secret or key then stops the pod from starting, with an event naming it,
      // rather than Fluent Bit failing on a missing file.
      const optional = false;
      const volume = file._isSecret()
        ? kplus.Volume.fromSecret(scope, `SecretFiles${secrets}`, file._secret!, { name: `${SHIPPER_VOLUME_PREFIX}secret-${secrets++}`, items, optional })
        : kplus.Volume.fromConfigMap(scope, `ConfigMapFiles${configMaps}`, file._configMap!, { name: `${SHIPPER_VOLUME_PREFIX}configmap-${configMaps++}`, items, optional });
      return { volume, path: directory };
    });
  }
}
