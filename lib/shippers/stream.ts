import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { LogShipper, LogShipperBindOptions, LogShipperConfig } from '../log-shipper';
import { SMALL_READER_RESOURCES, UBUNTU_IMAGE } from './defaults';
import { BOOLEAN, checkProps, DURATION, FieldTypes, STRING } from '../runtime-types';
import { validateImageReference, validateWholeSeconds } from '../validation';
import { escapeAllForKubelet } from '../kubelet-expansion';

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

/**
 * The stream program, `stream.pl`. Perl because `perl-base` is an essential
 * package of every Debian and Ubuntu image, ubuntu:latest included, and it can
 * follow files by inode, which a shell loop cannot. It is run with `perl -e`,
 * so the image needs nothing but perl; user input never appears in the
 * program: paths and options arrive as arguments, with no shell in between.
 */
const STREAM_PROGRAM = fs.readFileSync(path.join(__dirname, 'stream.pl'), 'utf8');

/**
 * Prints each line of each file exactly once, in order, within about 0.2 s;
 * keeps its positions on the shared volume and can rotate the files itself.
 */
export class StreamShipper extends LogShipper {
  public readonly displayName = 'LogShipper.stream()';
  public readonly drainsOnShutdown = true;
  public readonly rotatesLogs = true;
  private readonly image: string;
  private readonly tag: boolean;
  private readonly rotateWaitSeconds?: number;

  constructor(options: StreamShipperOptions = {}) {
    super();
    checkProps(`${this.displayName} options`, options, OPTION_TYPES, `${this.displayName} `);
    this.image = options.image ?? UBUNTU_IMAGE;
    validateImageReference(`${this.displayName} image`, this.image);
    this.tag = options.tagWithFileName ?? false;
    if (options.rotateWait !== undefined) {
      this.rotateWaitSeconds = validateWholeSeconds(`${this.displayName} rotateWait`, options.rotateWait, MAX_ROTATE_WAIT_SECONDS);
    }
  }

  public bind(_scope: Construct, options: LogShipperBindOptions): LogShipperConfig {
    const flags = [
      ...(this.tag ? ['--tag'] : []),
      ...(options.rotateAtBytes ? ['--rotate-bytes', String(options.rotateAtBytes)] : []),
      ...(this.rotateWaitSeconds ? ['--rotate-wait', String(this.rotateWaitSeconds)] : []),
      ...(options.rotateAtBytes && options.reopenLogs ? options.reopenLogs._programOptions() : []),
      // Positions survive a sidecar restart: the restarted shipper prints no line twice.
      '--state', options.stateDirectory,
    ];
    return {
      image: this.image,
      command: escapeAllForKubelet(['perl', '-e', STREAM_PROGRAM, '--', ...flags, '--', ...options.logFiles.map(file => `${options.logDirectory}/${file}`)]),
      resources: SMALL_READER_RESOURCES,
      needsState: true,
    };
  }
}

const OPTION_TYPES: FieldTypes<StreamShipperOptions> = {
  tagWithFileName: BOOLEAN,
  image: STRING,
  rotateWait: DURATION,
};
/** A day, as Fluent Bit's `rotateWait`: both shippers take the same values for the same setting. */
const MAX_ROTATE_WAIT_SECONDS = 86400;
