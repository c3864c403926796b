import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { LogShipper, LogShipperBindOptions, LogShipperConfig } from '../log-shipper';
import { SMALL_READER_RESOURCES, UBUNTU_IMAGE } from './defaults';
import { checkProps, DURATION, FieldTypes, STRING } from '../runtime-types';
import { shellQuote } from '../shell';
import { validateImageReference, validateWholeSeconds } from '../validation';
import { escapeAllForKubelet } from '../kubelet-expansion';

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

/**
 * The seed's shipper: `cat` every file whole, then sleep, forever. Every line
 * is printed again on every pass and new lines wait up to `readInterval`.
 */
export class CatLoopShipper extends LogShipper {
  public readonly displayName = 'LogShipper.catLoop()';
  public readonly drainsOnShutdown = false;
  public readonly rotatesLogs = false;
  private readonly image: string;
  private readonly intervalSeconds: number;

  constructor(options: CatLoopShipperOptions = {}) {
    super();
    checkProps(`${this.displayName} options`, options, OPTION_TYPES, `${this.displayName} `);
    this.image = options.image ?? UBUNTU_IMAGE;
    validateImageReference(`${this.displayName} image`, this.image);
    this.intervalSeconds = validateWholeSeconds(`${this.displayName} readInterval`, options.readInterval ?? Duration.seconds(30));
  }

  public bind(_scope: Construct, options: LogShipperBindOptions): LogShipperConfig {
    // The one shell in the project: every path goes through the shared quoting helper.
    const paths = options.logFiles.map(file => shellQuote(`${options.logDirectory}/${file}`)).join(' ');
    return {
      image: this.image,
      command: escapeAllForKubelet(['sh', '-c', `while true; do cat ${paths}; sleep ${this.intervalSeconds}; done`]),
      resources: SMALL_READER_RESOURCES,
    };
  }
}

const OPTION_TYPES: FieldTypes<CatLoopShipperOptions> = {
  readInterval: DURATION,
  image: STRING,
};
