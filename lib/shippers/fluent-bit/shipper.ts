import * as fs from 'fs';
import * as path from 'path';
import { Duration, Size, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LogShipper, LogShipperBindOptions, LogShipperConfig } from '../../log-shipper';
import { UBUNTU_IMAGE } from '../defaults';
import { arrayOf, BOOLEAN, checkProps, DURATION, FieldTypes, instanceOf, mapOf, SIZE, STRING } from '../../runtime-types';
import { show, validateFluentBitPath, validateImageReference, validateWholeSeconds, validateWholeSize } from '../../validation';
import { FLUENT_BIT_HTTP_PORT, fluentBitConfig } from './config';
import { FluentBitOutput } from './output';
import { OutputBindings } from './output-bindings';
import { FluentBitParser } from './parser';
import { podMetadataEnvironment, podMetadataFilter } from './pod-metadata';
import { escapeAllForKubelet } from '../../kubelet-expansion';

/** Options of `LogShipper.fluentBit()`. */
export interface FluentBitShipperOptions {
  /**
   * Where the records go.
   * @default [FluentBitOutput.stdout()]
   */
  readonly outputs?: FluentBitOutput[];

  /**
   * Fluent Bit image; the default is pinned, so a synth always gives the same manifest.
   * @default 'cr.fluentbit.io/fluent/fluent-bit:3.2.10'
   */
  readonly image?: string;

  /**
   * Most memory each tail input buffers before it pauses reading (`mem_buf_limit`), in whole mebibytes.
   * @default Size.mebibytes(16)
   */
  readonly memBufLimit?: Size;

  /**
   * How long a rotated file is still read after its name points to a new file (`rotate_wait`), at most a day.
   * @default Duration.seconds(5)
   */
  readonly rotateWait?: Duration;

  /**
   * How often buffered records are sent (`flush`), at most an hour.
   * @default Duration.seconds(1)
   */
  readonly flushInterval?: Duration;

  /**
   * Keep the records read but not yet delivered on disk (`storage.type filesystem`), in an
   * emptyDir of the sidecar's own, so that a sidecar restart loses none of them. At most
   * 8 chunks (about 16 MiB) are buffered; then each tail input pauses and the lines wait
   * in the log files until the outputs catch up. With `false`, records are buffered in
   * memory (up to `memBufLimit` per file) and a SIGKILL loses what was read but not sent.
   * @default true
   */
  readonly filesystemBuffering?: boolean;

  /**
   * Run a state keeper beside Fluent Bit: a small Perl program (`state-keeper.pl`) that moves
   * a damaged position database aside, so that Fluent Bit, which exits at start on one, does
   * not crash-loop; that file is then shipped again from its first line. Fluent Bit's image
   * has no shell to do this in.
   * @default true
   */
  readonly stateKeeper?: boolean;

  /**
   * Image of the state keeper and of the rotator (with `volumeSizeLimit` or `rotateLogsAt`),
   * with `perl` (every Debian and Ubuntu image has it).
   * @default 'ubuntu:latest'
   */
  readonly stateKeeperImage?: string;

  /**
   * How each file's lines become records, by file name, such as
   * `{ 'access.log': FluentBitParser.json() }`; each must be one of the sidecar's `logFiles`.
   * @default - by the file's name: `FluentBitParser.nginxMain()` when it contains `access`,
   * `FluentBitParser.nginxError()` when it contains `error`, else `FluentBitParser.none()`
   */
  readonly parsers?: { [file: string]: FluentBitParser };

  /**
   * Add the pod's name, namespace, node and IP to every record (`pod_name`,
   * `pod_namespace`, `node_name`, `pod_ip`), so that the replicas of a
   * Deployment are told apart. The sidecar has them as the environment
   * variables `POD_NAME`, `POD_NAMESPACE`, `NODE_NAME` and `POD_IP` from the
   * downward API either way, which Loki labels may name.
   * @default true
   */
  readonly podMetadata?: boolean;

  /**
   * Annotate the pod template for Prometheus (`prometheus.io/scrape: "true"`,
   * `prometheus.io/port: "2020"`, `prometheus.io/path: /api/v2/metrics/prometheus`), so that
   * a Prometheus discovering pods by these annotations scrapes Fluent Bit's metrics. These
   * annotations name one port per pod: the workload must not have them already.
   * @default false
   */
  readonly prometheusScrape?: boolean;
}

/**
 * Fluent Bit, tailing every file with a position database, parsing nginx's
 * formats and sending records to its outputs. Its configuration is a
 * ConfigMap, which `bind()` creates and `configMap` exposes. Beside it run a
 * state keeper and, when the logs are rotated, a rotator: small Perl programs
 * doing what Fluent Bit does not, in an image with a shell.
 */
export class FluentBitShipper extends LogShipper {
  public readonly displayName = 'LogShipper.fluentBit()';
  public readonly drainsOnShutdown = true;
  public readonly rotatesLogs = true;
  /** The ConfigMap holding `fluent-bit.yaml`, once the shipper is bound to a sidecar. */
  public configMap?: kplus.ConfigMap;
  private readonly image: string;
  private readonly outputs: FluentBitOutput[];
  private readonly memBufLimitMiB: number;
  private readonly rotateWaitSeconds: number;
  private readonly flushSeconds: number;
  private readonly filesystemBuffering: boolean;
  private readonly stateKeeperImage?: string;
  private readonly parsers: { [file: string]: FluentBitParser };
  private readonly podMetadata: boolean;
  private readonly prometheusScrape: boolean;

  constructor(options: FluentBitShipperOptions = {}) {
    super();
    checkProps(`${this.displayName} options`, options, OPTION_TYPES, `${this.displayName} `);
    this.image = options.image ?? FLUENT_BIT_IMAGE;
    validateImageReference(`${this.displayName} image`, this.image);
    this.outputs = [...(options.outputs ?? [FluentBitOutput.stdout()])];
    if (this.outputs.length === 0) {
      throw new Error(`${this.displayName} outputs must name at least one output, got []`);
    }
    this.memBufLimitMiB = validateWholeSize(`${this.displayName} memBufLimit`, options.memBufLimit ?? Size.mebibytes(16), 'mebibytes', 1, MAX_MEM_BUF_LIMIT_MIB);
    // Fluent Bit refuses a rotate_wait beyond a 32-bit int and fails to set a timer for a flush of
    // about 10^11 s; a day and an hour are far beyond any sensible setting and start cleanly.
    this.rotateWaitSeconds = validateWholeSeconds(`${this.displayName} rotateWait`, options.rotateWait ?? Duration.seconds(5), MAX_ROTATE_WAIT_SECONDS);
    this.flushSeconds = validateWholeSeconds(`${this.displayName} flushInterval`, options.flushInterval ?? Duration.seconds(1), MAX_FLUSH_SECONDS);
    this.filesystemBuffering = options.filesystemBuffering ?? true;
    this.parsers = { ...(options.parsers ?? {}) };
    this.podMetadata = options.podMetadata ?? true;
    this.prometheusScrape = options.prometheusScrape ?? false;
    if (options.stateKeeper ?? true) {
      this.stateKeeperImage = options.stateKeeperImage ?? UBUNTU_IMAGE;
      validateImageReference(`${this.displayName} stateKeeperImage`, this.stateKeeperImage);
    } else if (options.stateKeeperImage !== undefined) {
      throw new Error(`${this.displayName} stateKeeperImage applies only with stateKeeper: true, got ${show(options.stateKeeperImage)}`);
    }
  }

  public bind(scope: Construct, options: LogShipperBindOptions): LogShipperConfig {
    validateFluentBitPath(`logDirectory (read by ${this.displayName})`, options.logDirectory);
    for (const file of Object.keys(this.parsers)) {
      if (!options.logFiles.includes(file)) {
        throw new Error(`${this.displayName} parsers must name files among the sidecar's logFiles ${show(options.logFiles)}, got ${show(file)}`);
      }
    }
    const bindings = new OutputBindings();
    const config = fluentBitConfig({
      logDirectory: options.logDirectory,
      logFiles: options.logFiles,
      parsers: this.parsers,
      stateDirectory: options.stateDirectory,
      outputs: this.outputs,
      outputContext: index => bindings.contextFor(index),
      filters: this.podMetadata ? [podMetadataFilter()] : [],
      memBufLimitMiB: this.memBufLimitMiB,
      rotateWaitSeconds: this.rotateWaitSeconds,
      flushSeconds: this.flushSeconds,
      filesystemBuffering: this.filesystemBuffering,
    });
    this.configMap = new kplus.ConfigMap(scope, 'FluentBitConfig', {
      data: { [CONFIG_FILE]: Yaml.stringify(config) },
    });
    return {
      image: this.image,
      args: ['-c', `${CONFIG_DIRECTORY}/${CONFIG_FILE}`],
      resources: {
        cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(200) },
        // Room for one mem_buf_limit per file on top of Fluent Bit's own ~20Mi.
        memory: {
          request: Size.mebibytes(32),
          limit: Size.mebibytes(64 + this.memBufLimitMiB * options.logFiles.length),
        },
      },
      liveness: kplus.Probe.fromHttpGet('/api/v1/health', {
        port: FLUENT_BIT_HTTP_PORT,
        initialDelaySeconds: Duration.seconds(10),
        periodSeconds: Duration.seconds(10),
        failureThreshold: 3,
      }),
      ports: [{ number: FLUENT_BIT_HTTP_PORT, name: 'fluent-bit-http' }],
      podAnnotations: this.prometheusScrape ? {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(FLUENT_BIT_HTTP_PORT),
        'prometheus.io/path': PROMETHEUS_METRICS_PATH,
      } : undefined,
      env: { ...podMetadataEnvironment(), ...bindings.environment() },
      volumes: bindings.volumes(scope),
      configMap: this.configMap,
      configDirectory: CONFIG_DIRECTORY,
      needsState: true,
      // Its own volume: a full log volume cannot stop positions from being saved, and the buffer
      // (at most FILESYSTEM_CHUNKS_UP chunks of about 2 MiB) cannot fill the log volume.
      stateVolumeSizeLimit: this.filesystemBuffering ? Size.mebibytes(STATE_VOLUME_MIB) : undefined,
      companions: [
        ...(this.stateKeeperImage ? [{
          nameSuffix: 'state-keeper',
          image: this.stateKeeperImage,
          command: escapeAllForKubelet(['perl', '-e', STATE_KEEPER_PROGRAM, '--', options.stateDirectory]),
          resources: HELPER_RESOURCES,
          mountsState: true,
        }] : []),
        // Fluent Bit does not rotate, and its image has no shell to do it in.
        ...(options.rotateAtBytes ? [{
          nameSuffix: 'rotator',
          image: this.stateKeeperImage ?? UBUNTU_IMAGE,
          command: escapeAllForKubelet(['perl', '-e', ROTATOR_PROGRAM, '--', '--rotate-bytes', String(options.rotateAtBytes),
            '--rotate-wait', String(this.rotateWaitSeconds), ...(options.reopenLogs?._programOptions() ?? []),
            '--', ...options.logFiles.map(file => `${options.logDirectory}/${file}`)]),
          resources: HELPER_RESOURCES,
          mountsLogs: true,
        }] : []),
      ],
    };
  }
}

const OPTION_TYPES: FieldTypes<FluentBitShipperOptions> = {
  outputs: arrayOf('be an array of FluentBitOutputs', instanceOf(FluentBitOutput, 'be made with a FluentBitOutput method such as FluentBitOutput.loki()')),
  image: STRING,
  memBufLimit: SIZE,
  rotateWait: DURATION,
  flushInterval: DURATION,
  filesystemBuffering: BOOLEAN,
  stateKeeper: BOOLEAN,
  stateKeeperImage: STRING,
  parsers: mapOf("be an object of file names to parsers, such as { 'access.log': FluentBitParser.json() }",
    instanceOf(FluentBitParser, 'be made with a FluentBitParser method such as FluentBitParser.json()')),
  podMetadata: BOOLEAN,
  prometheusScrape: BOOLEAN,
};
const FLUENT_BIT_IMAGE = 'cr.fluentbit.io/fluent/fluent-bit:3.2.10';
/** Where Fluent Bit's HTTP server answers with its metrics in Prometheus' text format. */
const PROMETHEUS_METRICS_PATH = '/api/v2/metrics/prometheus';
/** A tebibyte: Fluent Bit reads `mem_buf_limit` as a size in bytes, far beyond any pod's memory. */
const MAX_MEM_BUF_LIMIT_MIB = 1024 * 1024;
const MAX_ROTATE_WAIT_SECONDS = 86400;
const MAX_FLUSH_SECONDS = 3600;
/** The state keeper's and the rotator's programs, run with `perl -e`, so their image needs nothing but perl. */
const STATE_KEEPER_PROGRAM = fs.readFileSync(path.join(__dirname, 'state-keeper.pl'), 'utf8');
const ROTATOR_PROGRAM = fs.readFileSync(path.join(__dirname, 'rotator.pl'), 'utf8');
/** The state keeper and the rotator look at a few files every few seconds. */
const HELPER_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(5), limit: kplus.Cpu.millis(50) },
  memory: { request: Size.mebibytes(8), limit: Size.mebibytes(32) },
};
const CONFIG_DIRECTORY = '/fluent-bit/etc/logging-sidecar';
const CONFIG_FILE = 'fluent-bit.yaml';
/** The buffer (measured at most 14 MiB with a backlog in two files) and the position databases, twice over. */
const STATE_VOLUME_MIB = 64;
