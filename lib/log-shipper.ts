import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { FLUENT_BIT_HTTP_PORT, renderFluentBitConfig, renderFluentBitParsers } from './fluent-bit-config';
import { FluentBitOutput } from './fluent-bit-output';
import { shellQuote } from './shell';
import { STREAM_SCRIPT } from './stream-script';
import { show, validateConfigWord, validateImageReference, validateResources, validateWholeSeconds } from './validation';

/** What a `LoggingSidecar` tells its shipper when it adds the shipper's container. */
export interface LogShipperBindOptions {
  /** The directory the logs are in, mounted in the sidecar at the same path. */
  readonly logDirectory: string;
  /** The log files to ship, relative to `logDirectory`. */
  readonly logFiles: string[];
  /** Rotate a log file once it has been shipped and is at least this large; only for shippers that rotate. */
  readonly rotateAtBytes?: number;
  /** A writable directory on the shared volume that survives sidecar restarts. */
  readonly stateDirectory: string;
}

/** The container a shipper runs in, before the sidecar adds name, mounts and security context. */
export interface LogShipperContainer {
  /** The image. */
  readonly image: string;
  /** The entrypoint. @default - the image's */
  readonly command?: string[];
  /** The arguments. @default - the image's */
  readonly args?: string[];
  /** Resources used when the sidecar is given none. */
  readonly resources: kplus.ContainerResources;
  /** How the kubelet tells the shipper is alive. @default - no liveness probe */
  readonly liveness?: kplus.Probe;
  /** Ports the shipper listens on. @default - none */
  readonly ports?: kplus.ContainerPort[];
  /** Configuration files, mounted read-only at `configDirectory`. @default - none */
  readonly configMap?: kplus.ConfigMap;
  /** Where `configMap` is mounted. @default - not mounted */
  readonly configDirectory?: string;
  /** Whether the shipper writes to `stateDirectory`, so it must be mounted. @default false */
  readonly needsState?: boolean;
}

/** Options of `LogShipper.catLoop()`. */
export interface CatLoopShipperOptions {
  /**
   * Pause between two reads of the log files, in whole seconds.
   * @default Duration.seconds(30)
   */
  readonly readInterval?: Duration;

  /**
   * Image with `sh`, `cat` and `sleep`.
   * @default 'ubuntu:latest'
   */
  readonly image?: string;
}

/** Options of `LogShipper.stream()`. */
export interface StreamShipperOptions {
  /**
   * Prefix every line with the name of the file it came from, as `[access.log] `.
   * @default false
   */
  readonly tagWithFileName?: boolean;

  /**
   * Image with `perl` (every Debian and Ubuntu image has it, as the essential package perl-base).
   * @default 'ubuntu:latest'
   */
  readonly image?: string;

  /**
   * How long a renamed file is still read after its name points to a new file: nginx's
   * workers reopen their logs a moment after the master. When the shipper rotates, a file
   * is not rotated again until its previous copy is done, so rotation keeps the volume
   * bounded while each file grows by less than `rotateLogsAt` in this time.
   * @default Duration.seconds(5)
   */
  readonly rotateWait?: Duration;
}

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
   * Most memory each tail input buffers before it pauses reading (`Mem_Buf_Limit`), in whole mebibytes.
   * @default Size.mebibytes(16)
   */
  readonly memBufLimit?: Size;

  /**
   * How long a rotated file is still read after its name points to a new file (`Rotate_Wait`).
   * @default Duration.seconds(5)
   */
  readonly rotateWait?: Duration;

  /**
   * How often buffered records are sent (`Flush`).
   * @default Duration.seconds(1)
   */
  readonly flushInterval?: Duration;
}

/** Options of `LogShipper.custom()`. */
export interface CustomShipperOptions {
  /** The image. */
  readonly image: string;

  /** The entrypoint; the log file paths are not added, pass them yourself. */
  readonly command: string[];

  /**
   * Arguments.
   * @default - none
   */
  readonly args?: string[];

  /**
   * Resources used when the sidecar is given none.
   * @default - requests 50m CPU and 64Mi memory, limits 200m CPU and 256Mi memory
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Whether the program ships what is left and exits on SIGTERM, so it can run as a native sidecar.
   * @default false
   */
  readonly drainsOnShutdown?: boolean;
}

/**
 * How the sidecar reads and ships the log files. Pick one with a static method:
 * `catLoop()` (the seed's), `stream()`, `fluentBit()` or `custom()`.
 */
export abstract class LogShipper {
  /**
   * The seed's shipper: `cat` every file whole, then sleep, forever. Every line
   * is printed again on every pass and new lines wait up to `readInterval`.
   */
  public static catLoop(options: CatLoopShipperOptions = {}): LogShipper {
    return new CatLoopShipper(options);
  }

  /**
   * Prints each line of each file exactly once, from the first line, within
   * about 0.2 s; follows files that do not exist yet, are truncated or are
   * replaced (rename + new file), keeps its positions on the shared volume
   * across sidecar restarts, and can rotate the files itself.
   */
  public static stream(options: StreamShipperOptions = {}): LogShipper {
    return new StreamShipper(options);
  }

  /**
   * Fluent Bit, tailing every file with a position database on the shared
   * volume, parsing nginx's formats and sending records to its outputs.
   */
  public static fluentBit(options: FluentBitShipperOptions = {}): LogShipper {
    return new FluentBitShipper(options);
  }

  /** Any image and command, for a shipper this library does not know. */
  public static custom(options: CustomShipperOptions): LogShipper {
    return new CustomShipper(options);
  }

  /** How the shipper is named in messages, such as `LogShipper.stream()`. */
  public abstract readonly displayName: string;

  /** Whether it ships what is left and exits on SIGTERM, as a native sidecar must. */
  public abstract readonly drainsOnShutdown: boolean;

  /** Whether it rotates the log files itself, which a size-limited volume needs. */
  public abstract readonly rotatesLogs: boolean;

  /** The container the shipper runs in. */
  public abstract bind(scope: Construct, options: LogShipperBindOptions): LogShipperContainer;
}

const UBUNTU = 'ubuntu:latest';

/** `sh`, `cat`, `sleep` or `perl` stream through a small fixed buffer. */
const SMALL_READER_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
};

class CatLoopShipper extends LogShipper {
  public readonly displayName = 'LogShipper.catLoop()';
  public readonly drainsOnShutdown = false;
  public readonly rotatesLogs = false;
  private readonly image: string;
  private readonly intervalSeconds: number;

  constructor(options: CatLoopShipperOptions) {
    super();
    this.image = options.image ?? UBUNTU;
    validateImageReference(`${this.displayName} image`, this.image);
    this.intervalSeconds = validateWholeSeconds(`${this.displayName} readInterval`, options.readInterval ?? Duration.seconds(30));
  }

  public bind(_scope: Construct, options: LogShipperBindOptions): LogShipperContainer {
    const paths = options.logFiles.map(file => shellQuote(`${options.logDirectory}/${file}`)).join(' ');
    return {
      image: this.image,
      command: ['sh', '-c', `while true; do cat ${paths}; sleep ${this.intervalSeconds}; done`],
      resources: SMALL_READER_RESOURCES,
    };
  }
}

class StreamShipper extends LogShipper {
  public readonly displayName = 'LogShipper.stream()';
  public readonly drainsOnShutdown = true;
  public readonly rotatesLogs = true;
  private readonly image: string;
  private readonly tag: boolean;
  private readonly rotateWaitSeconds?: number;

  constructor(options: StreamShipperOptions) {
    super();
    this.image = options.image ?? UBUNTU;
    validateImageReference(`${this.displayName} image`, this.image);
    this.tag = options.tagWithFileName ?? false;
    if (options.rotateWait) {
      this.rotateWaitSeconds = validateWholeSeconds(`${this.displayName} rotateWait`, options.rotateWait);
    }
  }

  public bind(_scope: Construct, options: LogShipperBindOptions): LogShipperContainer {
    const flags = [
      ...(this.tag ? ['--tag'] : []),
      ...(options.rotateAtBytes ? ['--rotate-bytes', String(options.rotateAtBytes)] : []),
      ...(this.rotateWaitSeconds ? ['--rotate-wait', String(this.rotateWaitSeconds)] : []),
      // Positions survive a sidecar restart: the restarted shipper prints no line twice.
      '--state', options.stateDirectory,
    ];
    return {
      image: this.image,
      // No shell: the paths are arguments of the program, never parsed.
      command: ['perl', '-e', STREAM_SCRIPT, '--', ...flags, '--', ...options.logFiles.map(file => `${options.logDirectory}/${file}`)],
      resources: SMALL_READER_RESOURCES,
      needsState: true,
    };
  }
}

class FluentBitShipper extends LogShipper {
  public readonly displayName = 'LogShipper.fluentBit()';
  public readonly drainsOnShutdown = true;
  public readonly rotatesLogs = false;
  private readonly image: string;
  private readonly outputs: FluentBitOutput[];
  private readonly memBufLimitMiB: number;
  private readonly rotateWaitSeconds: number;
  private readonly flushSeconds: number;

  constructor(options: FluentBitShipperOptions) {
    super();
    this.image = options.image ?? 'cr.fluentbit.io/fluent/fluent-bit:3.2.10';
    validateImageReference(`${this.displayName} image`, this.image);
    this.outputs = [...(options.outputs ?? [FluentBitOutput.stdout()])];
    if (this.outputs.length === 0) {
      throw new Error(`${this.displayName} outputs must name at least one output, got []`);
    }
    const memBufLimit = options.memBufLimit ?? Size.mebibytes(16);
    this.memBufLimitMiB = memBufLimit.toKibibytes() / 1024;
    if (!Number.isInteger(this.memBufLimitMiB) || this.memBufLimitMiB < 1) {
      throw new Error(`${this.displayName} memBufLimit must be a whole number of mebibytes, at least 1, got ${memBufLimit.toKibibytes()}Ki`);
    }
    this.rotateWaitSeconds = validateWholeSeconds(`${this.displayName} rotateWait`, options.rotateWait ?? Duration.seconds(5));
    this.flushSeconds = validateWholeSeconds(`${this.displayName} flushInterval`, options.flushInterval ?? Duration.seconds(1));
  }

  public bind(scope: Construct, options: LogShipperBindOptions): LogShipperContainer {
    // Fluent Bit reads paths from its configuration file, one per line.
    validateConfigWord(`logDirectory (read by ${this.displayName})`, options.logDirectory);
    const configDirectory = '/fluent-bit/etc/logging-sidecar';
    const configMap = new kplus.ConfigMap(scope, 'FluentBitConfig', {
      data: {
        'fluent-bit.conf': renderFluentBitConfig({
          logDirectory: options.logDirectory,
          logFiles: options.logFiles,
          stateDirectory: options.stateDirectory,
          outputs: this.outputs,
          memBufLimitMiB: this.memBufLimitMiB,
          rotateWaitSeconds: this.rotateWaitSeconds,
          flushSeconds: this.flushSeconds,
        }),
        'parsers.conf': renderFluentBitParsers(),
      },
    });
    return {
      image: this.image,
      args: ['-c', `${configDirectory}/fluent-bit.conf`],
      resources: {
        cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(200) },
        // Room for one Mem_Buf_Limit per file on top of Fluent Bit's own ~20Mi.
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
      configMap,
      configDirectory,
      needsState: true,
    };
  }
}

class CustomShipper extends LogShipper {
  public readonly displayName = 'LogShipper.custom()';
  public readonly drainsOnShutdown: boolean;
  public readonly rotatesLogs = false;
  private readonly options: CustomShipperOptions;

  constructor(options: CustomShipperOptions) {
    super();
    validateImageReference(`${this.displayName} image`, options.image);
    if (!Array.isArray(options.command) || options.command.length === 0 || options.command.some(word => typeof word !== 'string')) {
      throw new Error(`${this.displayName} command must be a non-empty list of strings, got ${show(options.command)}`);
    }
    if (options.resources) {
      validateResources(`${this.displayName} resources`, options.resources);
    }
    this.drainsOnShutdown = options.drainsOnShutdown ?? false;
    this.options = { ...options, command: [...options.command], args: options.args ? [...options.args] : undefined };
  }

  public bind(): LogShipperContainer {
    return {
      image: this.options.image,
      command: this.options.command,
      args: this.options.args,
      resources: this.options.resources ?? {
        cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(200) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
      },
    };
  }
}
