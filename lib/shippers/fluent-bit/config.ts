import { FluentBitOutput } from './output';
import { nginxParsers, parserFor } from './parsers';

/** Port of Fluent Bit's HTTP server: the health check the liveness probe calls, and metrics. */
export const FLUENT_BIT_HTTP_PORT = 2020;

/** What the configuration is made from; every value was checked by the shipper. */
export interface FluentBitConfigInput {
  readonly logDirectory: string;
  readonly logFiles: string[];
  readonly stateDirectory: string;
  readonly outputs: FluentBitOutput[];
  readonly memBufLimitMiB: number;
  readonly rotateWaitSeconds: number;
  readonly flushSeconds: number;
  /** Chunks are kept on disk in the state directory while an output cannot deliver them; undefined keeps them in memory. */
  readonly filesystemBufferMiB?: number;
}

/**
 * Fluent Bit's YAML configuration as an object: one tail input per log file
 * with the parser its name suggests, the nginx parsers and the outputs. It is
 * written with a YAML serializer, so no value can end a line or open a section.
 */
export function fluentBitConfig(input: FluentBitConfigInput): Record<string, unknown> {
  const filesystem = input.filesystemBufferMiB !== undefined;
  const service: Record<string, string> = {
    'flush': String(input.flushSeconds),
    'log_level': 'info',
    'http_server': 'on',
    'http_listen': '0.0.0.0',
    'http_port': String(FLUENT_BIT_HTTP_PORT),
    'health_check': 'on',
    ...(filesystem ? {
      'storage.path': `${input.stateDirectory}/buffer`,
      'storage.sync': 'normal',
      'storage.checksum': 'off',
      // Chunks held in memory at once: with filesystem buffering the rest waits on disk.
      'storage.max_chunks_up': '16',
      'storage.backlog.mem_limit': '8M',
    } : {}),
  };
  const inputs = input.logFiles.map(file => {
    const parser = parserFor(file);
    return {
      'name': 'tail',
      'tag': `nginx.${file}`,
      'path': `${input.logDirectory}/${file}`,
      'path_key': 'file',
      // One position database per file: two tail inputs sharing one SQLite file
      // with exclusive locking leave the second without positions.
      'db': `${input.stateDirectory}/tail-${file}.db`,
      'db.locking': 'true',
      'read_from_head': 'true',
      'refresh_interval': '1',
      'rotate_wait': String(input.rotateWaitSeconds),
      'mem_buf_limit': `${input.memBufLimitMiB}MB`,
      'skip_long_lines': 'on',
      ...(parser ? { parser } : {}),
      ...(filesystem ? { 'storage.type': 'filesystem' } : {}),
    };
  });
  const delivery: Record<string, string> = {
    // The default is one retry, after which a chunk is dropped: an outage of a minute would lose lines.
    'retry_limit': 'no_limits',
    ...(filesystem ? { 'storage.total_limit_size': `${input.filesystemBufferMiB}M` } : {}),
  };
  return {
    service,
    parsers: nginxParsers(),
    pipeline: {
      inputs,
      outputs: input.outputs.map((output, i) => output._toFluentBit(i, delivery)),
    },
  };
}
