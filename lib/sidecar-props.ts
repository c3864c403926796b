import { Size } from 'cdk8s';
import { LogShipper } from './log-shipper';
import { arrayOf, BOOLEAN, instanceOf, RuntimeType, SIZE, STRING } from './runtime-types';
import { MAX_QUANTITY_MEBIBYTES, validateWholeSize } from './validation';

// What LoggingSidecarPod, LoggingSidecarDeployment and LoggingSidecar check
// alike in the props they share under the same names: the pod and the
// Deployment check them before they create anything, the sidecar again for
// when it is used on its own.

export const LOG_SHIPPER = instanceOf(LogShipper, 'be made with a LogShipper method such as LogShipper.stream()');

/** The runtime types of the props both constructs have. */
export const SHARED_PROP_TYPES = {
  shipper: LOG_SHIPPER,
  volumeName: STRING,
  logDirectory: STRING,
  logFiles: arrayOf('be an array of file names', STRING),
  nativeSidecar: BOOLEAN,
  hardened: BOOLEAN,
  volumeSizeLimit: SIZE,
  rotateLogsAt: SIZE,
} satisfies { [prop: string]: RuntimeType };

/** A native sidecar is stopped after the writer, so its shipper must ship what is left and exit on SIGTERM. */
export function validateNativeSidecarShipper(nativeSidecar: boolean, shipper: LogShipper): void {
  if (nativeSidecar && !shipper.drainsOnShutdown) {
    throw new Error(`nativeSidecar needs a shipper that ships what is left and exits on SIGTERM, `
      + `${shipper.displayName} does not (use LogShipper.stream() or LogShipper.fluentBit())`);
  }
}

/**
 * `volumeSizeLimit` in whole mebibytes, as cdk8s-plus writes an emptyDir's
 * `sizeLimit`; `rotateLogsAt` in whole kibibytes, at least 1Mi, up to the same
 * maximum, which keeps its bytes (given to the rotating program) exact.
 */
export function validateVolumeSizes(volumeSizeLimit: Size | undefined, rotateLogsAt: Size | undefined): void {
  if (volumeSizeLimit !== undefined) {
    validateWholeSize('volumeSizeLimit', volumeSizeLimit, 'mebibytes', 1, MAX_QUANTITY_MEBIBYTES);
  }
  if (rotateLogsAt !== undefined) {
    validateWholeSize('rotateLogsAt', rotateLogsAt, 'kibibytes', 1024, MAX_QUANTITY_MEBIBYTES * 1024);
  }
}
