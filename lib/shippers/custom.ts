import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LogShipper, LogShipperBindOptions, LogShipperConfig } from '../log-shipper';
import { BOOLEAN, checkProps, FieldTypes, RESOURCES, STRING, STRINGS } from '../runtime-types';
import { show, validateImageReference, validateReadBackAsWritten, validateResources } from '../validation';

/** Options of `LogShipper.custom()`. */
export interface CustomShipperOptions {
  /** The image. */
  readonly image: string;

  /**
   * The entrypoint; the log file paths are not added, pass them yourself. Written into the
   * manifest as given, like any container's: the kubelet replaces `$(NAME)` with the
   * variable's value and `$$` with `$`.
   */
  readonly command: string[];

  /**
   * Arguments, written and expanded as `command` is.
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

/** Any image and command, for a shipper this library does not know. */
export class CustomShipper extends LogShipper {
  public readonly displayName = 'LogShipper.custom()';
  public readonly drainsOnShutdown: boolean;
  public readonly rotatesLogs = false;
  private readonly options: CustomShipperOptions;

  constructor(options: CustomShipperOptions) {
    super();
    checkProps(`${this.displayName} options`, options, OPTION_TYPES, `${this.displayName} `);
    validateImageReference(`${this.displayName} image`, options.image);
    if (!Array.isArray(options.command) || options.command.length === 0) {
      throw new Error(`${this.displayName} command must be a non-empty list of strings, got ${show(options.command)}`);
    }
    options.command.forEach((word, i) => validateReadBackAsWritten(`${this.displayName} command[${i}]`, word));
    options.args?.forEach((word, i) => validateReadBackAsWritten(`${this.displayName} args[${i}]`, word));
    if (options.resources) {
      validateResources(`${this.displayName} resources`, options.resources);
    }
    this.drainsOnShutdown = options.drainsOnShutdown ?? false;
    this.options = { ...options, command: [...options.command], args: options.args ? [...options.args] : undefined };
  }

  public bind(_scope: Construct, _options: LogShipperBindOptions): LogShipperConfig {
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

const OPTION_TYPES: FieldTypes<CustomShipperOptions> = {
  image: STRING,
  command: STRINGS,
  args: STRINGS,
  resources: RESOURCES,
  drainsOnShutdown: BOOLEAN,
};
