import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LogReopen } from './log-reopen';

/** What a `LoggingSidecar` tells its shipper when it adds the shipper's container. */
export interface LogShipperBindOptions {
  /** The directory the logs are in, mounted in the sidecar at the same path. */
  readonly logDirectory: string;
  /** The log files to ship, relative to `logDirectory`. */
  readonly logFiles: string[];
  /** Rotate a log file once it has been shipped and is at least this large; only for shippers that rotate. */
  readonly rotateAtBytes?: number;
  /** Which process to signal, and how, for the writer to reopen a rotated file; given with `rotateAtBytes`. */
  readonly reopenLogs?: LogReopen;
  /** A writable directory that survives sidecar restarts. */
  readonly stateDirectory: string;
}

/**
 * What a shipper needs in the pod, as `bind()` returns it: the container it
 * runs in (before the sidecar adds name, mounts and security context), and
 * what the shipper created for it.
 */
export interface LogShipperConfig {
  /** The image. */
  readonly image: string;
  /**
   * The entrypoint, as written into the manifest: the kubelet replaces `$(NAME)` with the
   * variable's value and `$$` with `$`, so a literal `$` before `$` or `(` is written `$$`.
   * @default - the image's
   */
  readonly command?: string[];
  /** The arguments, expanded by the kubelet as `command` is. @default - the image's */
  readonly args?: string[];
  /** Resources used when the sidecar is given none. */
  readonly resources: kplus.ContainerResources;
  /** How the kubelet tells the shipper is alive. @default - no liveness probe */
  readonly liveness?: kplus.Probe;
  /** Environment variables, such as credentials from Secrets. @default - none */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * Ports the shipper listens on, declared on its container in the manifest but not
   * through cdk8s-plus, so that `exposeViaService()` and `connections` see only the
   * workload's own ports.
   * @default - none
   */
  readonly ports?: kplus.ContainerPort[];
  /** Annotations for the pod template, such as Prometheus scrape annotations. @default - none */
  readonly podAnnotations?: { [key: string]: string };
  /** Configuration files the shipper created, mounted read-only at `configDirectory`. @default - none */
  readonly configMap?: kplus.ConfigMap;
  /** Where `configMap` is mounted. @default - not mounted */
  readonly configDirectory?: string;
  /** Whether the shipper writes to `stateDirectory`, so it must be mounted. @default false */
  readonly needsState?: boolean;
  /**
   * Give the state directory an emptyDir of its own with this size limit,
   * instead of a directory on the shared log volume.
   * @default - the state is a directory on the shared log volume
   */
  readonly stateVolumeSizeLimit?: Size;
  /** Containers the shipper needs beside its own. @default - none */
  readonly companions?: LogShipperCompanion[];
  /** Further volumes mounted read-only into the shipper's container, such as certificates from Secrets. @default - none */
  readonly volumes?: LogShipperVolume[];
}

/** A volume the shipper reads, mounted read-only in its container. */
export interface LogShipperVolume {
  /** The volume, created by the shipper's `bind()`. */
  readonly volume: kplus.Volume;
  /** Where it is mounted. */
  readonly path: string;
}

/** A container a shipper needs beside its own, run the same way (as a native sidecar too) and as the same user. */
export interface LogShipperCompanion {
  /** Appended to the sidecar container's name, after a `-`. */
  readonly nameSuffix: string;
  /** The image. */
  readonly image: string;
  /** The entrypoint, expanded by the kubelet as `LogShipperConfig.command` is. */
  readonly command: string[];
  /** Its resources. */
  readonly resources: kplus.ContainerResources;
  /** Whether it mounts the shipper's state directory. @default false */
  readonly mountsState?: boolean;
  /** Whether it mounts the log directory, writable (to rotate the files). @default false */
  readonly mountsLogs?: boolean;
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
   * Fluent Bit, tailing every file with a position database, parsing nginx's
   * formats and sending records to its outputs, buffered on disk.
   */
  public static fluentBit(options: FluentBitShipperOptions = {}): FluentBitShipper {
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

  /** Creates what the shipper needs in `scope` and returns its container. */
  public abstract bind(scope: Construct, options: LogShipperBindOptions): LogShipperConfig;
}

// The variants extend LogShipper, so they are loaded once it is defined: these
// imports stay below the class whichever module is loaded first.
/* eslint-disable import/first */
import { CatLoopShipper, CatLoopShipperOptions } from './shippers/cat-loop';
import { CustomShipper, CustomShipperOptions } from './shippers/custom';
import { FluentBitShipper, FluentBitShipperOptions } from './shippers/fluent-bit/shipper';
import { StreamShipper, StreamShipperOptions } from './shippers/stream';
