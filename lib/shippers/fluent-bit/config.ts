import { nginxParsers } from './nginx-formats';
import { FluentBitOutput } from './output';
import { OutputContext } from './output-context';
import { FluentBitParser } from './parser';
import { parsingOf } from './parsing';

/** Port of Fluent Bit's HTTP server: the health check the liveness probe calls, and metrics. */
export const FLUENT_BIT_HTTP_PORT = 2020;

/** Chunks in memory at once with filesystem buffering; a chunk holds up to about 2 MiB of records. */
export const FILESYSTEM_CHUNKS_UP = 8;

/** What the configuration is made from; every value was checked by the shipper. */
export interface FluentBitConfigInput {
  readonly logDirectory: string;
  readonly logFiles: string[];
  /** The parser of each file named; the others get the one their name suggests. */
  readonly parsers: { [file: string]: FluentBitParser };
  readonly stateDirectory: string;
  readonly outputs: FluentBitOutput[];
  /** What each output's Secrets and files become, by the output's index. */
  readonly outputContext: (index: number) => OutputContext;
  /** Filters every record passes before the outputs, in this order. */
  readonly filters: Array<Record<string, unknown>>;
  readonly memBufLimitMiB: number;
  readonly rotateWaitSeconds: number;
  readonly flushSeconds: number;
  /** Whether chunks are kept on disk in the state directory until delivered, rather than in memory only. */
  readonly filesystemBuffering: boolean;
}

/**
 * Fluent Bit's YAML configuration as an object: one tail input per log file
 * with its parser, the parsers and filters they need, and the outputs. It is
 * written with a YAML serializer, so no value can end a line or open a section.
 */
export function fluentBitConfig(input: FluentBitConfigInput): Record<string, unknown> {
  const filesystem = input.filesystemBuffering;
  const service: Record<string, string> = {
    'flush': String(input.flushSeconds),
    'log_level': 'info',
    'http_server': 'on',
    'http_listen': '0.0.0.0',
    'http_port': String(FLUENT_BIT_HTTP_PORT),
    'health_check': 'on',
    // On SIGTERM, pending chunks get this long to be delivered; 1 s was measured to lose
    // a burst's tasks. Kept well inside the pod's 30 s terminationGracePeriodSeconds.
    'grace': '10',
    // Retries wait a random time from the base up to a cap that doubles per retry; the
    // default cap of 2000 s made a 60 s outage take 78 s more to catch up, a cap of 10 s 10 s.
    'scheduler.base': '1',
    'scheduler.cap': '10',
    ...(filesystem ? {
      'storage.path': `${input.stateDirectory}/buffer`,
      'storage.sync': 'normal',
      'storage.checksum': 'off',
      // Chunks in memory at once. Each tail input pauses when they are all taken (see
      // storage.pause_on_chunks_overlimit), which bounds the buffer on disk too.
      'storage.max_chunks_up': String(FILESYSTEM_CHUNKS_UP),
      'storage.backlog.mem_limit': '8M',
      'storage.metrics': 'on',
    } : {}),
  };
  const tagOf = (file: string) => `nginx.${file}`;
  const parsing = parsingOf(input.logFiles, input.parsers, tagOf);
  const inputs = input.logFiles.map((file, i) => {
    return {
      'name': 'tail',
      'tag': tagOf(file),
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
      ...parsing.inputs[i],
      // Without the pause, tail reads as fast as the disk allows and the buffer grows without bound.
      ...(filesystem ? { 'storage.type': 'filesystem', 'storage.pause_on_chunks_overlimit': 'on' } : {}),
    };
  });
  // The default is one retry, after which a chunk is dropped: an outage of a minute would lose lines.
  // No storage.total_limit_size: in 3.2.10 it drops chunks even while the output delivers, as soon
  // as tail reads a backlog faster than the output sends.
  const delivery: Record<string, string> = { retry_limit: 'no_limits' };
  return {
    service,
    parsers: [...nginxParsers(), ...parsing.parsers],
    ...(parsing.multilineParsers.length > 0 ? { multiline_parsers: parsing.multilineParsers } : {}),
    pipeline: {
      inputs,
      // Parsing the joined records first, so that the other filters see their fields.
      ...(parsing.filters.length + input.filters.length > 0 ? { filters: [...parsing.filters, ...input.filters] } : {}),
      outputs: input.outputs.map((output, i) => output._toFluentBit(input.outputContext(i), delivery)),
    },
  };
}
