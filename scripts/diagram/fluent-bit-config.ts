import * as path from 'path';
import { parse } from 'yaml';
import { brief, isRecord } from './manifest';

/** The key of the shipper's ConfigMap that holds Fluent Bit's configuration. */
export const FLUENT_BIT_CONFIG_KEY = 'fluent-bit.yaml';

/** An entry of `pipeline.outputs`, with the settings a diagram shows. */
export interface FluentBitOutputSettings {
  readonly name: string;
  readonly host?: string;
  readonly port?: string;
  readonly uri?: string;
  readonly tls: boolean;
}

export interface FluentBitPipeline {
  /** The base names of the files the `tail` inputs read, in input order. */
  readonly tails: string[];
  readonly outputs: FluentBitOutputSettings[];
}

/** The inputs and outputs of a `fluent-bit.yaml` (Fluent Bit's YAML configuration); `where` names it in error messages. */
export function readFluentBitConfig(text: string, where: string): FluentBitPipeline {
  let config: unknown;
  try {
    config = parse(text);
  } catch (error) {
    throw new Error(`${where} must be valid YAML, the parser says: ${(error as Error).message.split('\n')[0]}`);
  }
  const pipeline = isRecord(config) ? config.pipeline : undefined;
  const outputs = isRecord(pipeline) ? pipeline.outputs : undefined;
  if (!Array.isArray(outputs)) {
    throw new Error(`${where} must have a pipeline.outputs list, got ${outputs === undefined ? 'none' : brief(outputs)}`);
  }
  const inputs = isRecord(pipeline) && Array.isArray(pipeline.inputs) ? pipeline.inputs : [];
  return {
    tails: inputs.filter(input => isRecord(input) && input.name === 'tail' && typeof input.path === 'string')
      .flatMap(input => String(input.path).split(',').map(file => path.posix.basename(file.trim()))),
    outputs: outputs.map((output, index) => outputSettings(output, `${where} pipeline.outputs[${index}]`)),
  };
}

function outputSettings(output: unknown, where: string): FluentBitOutputSettings {
  if (!isRecord(output) || typeof output.name !== 'string') {
    throw new Error(`${where} must be a mapping with a name, got ${brief(output)}`);
  }
  const text = (key: string) => output[key] === undefined ? undefined : String(output[key]);
  return { name: output.name, host: text('host'), port: text('port'), uri: text('uri'), tls: text('tls') === 'on' };
}
