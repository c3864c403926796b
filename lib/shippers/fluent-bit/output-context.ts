import * as kplus from 'cdk8s-plus-28';
import { FluentBitFile } from './file';

/** An output's entry in `pipeline.outputs`; `header` and a few others may repeat, as a list. */
export type Settings = { [key: string]: string | string[] };

/**
 * What an output's settings refer to outside the ConfigMap, as the shipper
 * provides it when it writes the configuration.
 */
export interface OutputContext {
  /**
   * `${VARIABLE}` for a value from a Secret: the variable, named after the
   * output and `name`, is set in the sidecar from `secretKeyRef`.
   */
  secret(name: string, value: kplus.SecretValue): string;
  /** The path a file from a Secret or a ConfigMap is mounted at. */
  file(file: FluentBitFile): string;
}
