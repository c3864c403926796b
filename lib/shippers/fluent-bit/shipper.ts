import { Duration, Size, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LogShipper, LogShipperBindOptions, LogShipperConfig } from '../../log-shipper';
import { show, validateFluentBitPath, validateImageReference, validateWholeSeconds } from '../../validation';
import { FLUENT_BIT_HTTP_PORT, fluentBitConfig } from './config';
import { FluentBitOutput } from './output';

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
   * How long a rotated file is still read after its name points to a new file (`rotate_wait`).
   * @default Duration.seconds(5)
   */
  readonly rotateWait?: Duration;

  /**
   * How often buffered records are sent (`flush`).
   * @default Duration.seconds(1)
   */
  readonly flushInterval?: Duration;

  /**
   * Keep the records an output has not delivered yet on disk (`storage.type filesystem`),
   * in an emptyDir of the sidecar's own, so a backend outage or a sidecar restart loses
   * nothing while the buffer has room. With `false`, they are kept in memory only.
   * @default true
   */
  readonly filesystemBuffering?: boolean;

  /**
   * Most each output keeps buffered on disk while it cannot deliver (`storage.total_limit_size`),
   * in whole mebibytes; beyond it, Fluent Bit drops the oldest chunks. The sidecar's state
   * emptyDir gets a size limit of this per output plus room for the position databases.
   * @default Size.mebibytes(64)
   */
  readonly bufferLimit?: Size;
}

/**
 * Fluent Bit, tailing every file with a position database, parsing nginx's
 * formats and sending records to its outputs. Its configuration is a
 * ConfigMap, which `bind()` creates and `configMap` exposes.
 */
export class FluentBitShipper extends LogShipper {
  public readonly displayName = 'LogShipper.fluentBit()';
  public readonly drainsOnShutdown = true;
  public readonly rotatesLogs = false;
  /** The ConfigMap holding `fluent-bit.yaml`, once the shipper is bound to a sidecar. */
  public configMap?: kplus.ConfigMap;
  private readonly image: string;
  private readonly outputs: FluentBitOutput[];
  private readonly memBufLimitMiB: number;
  private readonly rotateWaitSeconds: number;
  private readonly flushSeconds: number;
  private readonly bufferLimitMiB?: number;

  constructor(options: FluentBitShipperOptions = {}) {
    super();
    this.image = options.image ?? FLUENT_BIT_IMAGE;
    validateImageReference(`${this.displayName} image`, this.image);
    this.outputs = [...(options.outputs ?? [FluentBitOutput.stdout()])];
    if (this.outputs.length === 0) {
      throw new Error(`${this.displayName} outputs must name at least one output, got []`);
    }
    this.outputs.forEach((output, i) => {
      if (!(output instanceof FluentBitOutput)) {
        throw new Error(`${this.displayName} outputs[${i}] must be made with a FluentBitOutput method such as FluentBitOutput.loki(), got ${show(output)}`);
      }
    });
    this.memBufLimitMiB = wholeMebibytes(`${this.displayName} memBufLimit`, options.memBufLimit ?? Size.mebibytes(16));
    this.rotateWaitSeconds = validateWholeSeconds(`${this.displayName} rotateWait`, options.rotateWait ?? Duration.seconds(5));
    this.flushSeconds = validateWholeSeconds(`${this.displayName} flushInterval`, options.flushInterval ?? Duration.seconds(1));
    const filesystemBuffering = options.filesystemBuffering ?? true;
    if (filesystemBuffering) {
      this.bufferLimitMiB = wholeMebibytes(`${this.displayName} bufferLimit`, options.bufferLimit ?? Size.mebibytes(64));
    } else if (options.bufferLimit) {
      throw new Error(`${this.displayName} bufferLimit applies only with filesystemBuffering: true, got bufferLimit ${options.bufferLimit.toKibibytes()}Ki`);
    }
  }

  public bind(scope: Construct, options: LogShipperBindOptions): LogShipperConfig {
    validateFluentBitPath(`logDirectory (read by ${this.displayName})`, options.logDirectory);
    const config = fluentBitConfig({
      logDirectory: options.logDirectory,
      logFiles: options.logFiles,
      stateDirectory: options.stateDirectory,
      outputs: this.outputs,
      memBufLimitMiB: this.memBufLimitMiB,
      rotateWaitSeconds: this.rotateWaitSeconds,
      flushSeconds: this.flushSeconds,
      filesystemBufferMiB: this.bufferLimitMiB,
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
      env: Object.assign({}, ...this.outputs.map((output, i) => output._environment(i))),
      configMap: this.configMap,
      configDirectory: CONFIG_DIRECTORY,
      needsState: true,
      // The buffer may fill while a backend is down; on the log volume it would count against the logs' limit.
      stateVolumeSizeLimit: this.bufferLimitMiB === undefined ? undefined
        : Size.mebibytes(this.bufferLimitMiB * this.outputs.length + STATE_HEADROOM_MIB),
    };
  }
}

const FLUENT_BIT_IMAGE = 'cr.fluentbit.io/fluent/fluent-bit:3.2.10';
const CONFIG_DIRECTORY = '/fluent-bit/etc/logging-sidecar';
const CONFIG_FILE = 'fluent-bit.yaml';
/** The position databases, and the chunks being written past the buffer limit. */
const STATE_HEADROOM_MIB = 32;

function wholeMebibytes(prop: string, size: Size): number {
  const mebibytes = size.toKibibytes() / 1024;
  if (!Number.isInteger(mebibytes) || mebibytes < 1 || mebibytes > 1024 * 1024) {
    throw new Error(`${prop} must be a whole number of mebibytes from 1 to 1048576, got ${size.toKibibytes()}Ki`);
  }
  return mebibytes;
}
