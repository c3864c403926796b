import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LogReopen } from './log-reopen';
import { LoggingSidecar } from './logging-sidecar';
import { restrictedSecurityContext, ROOT_IMAGE_SECURITY_CONTEXT } from './security-context';
import { NGINX_UID, ResolvedWebServerAndSidecar, WEB_TMP_VOLUME_NAME } from './web-server-and-sidecar-options';

// Puts the web server and its log sidecar into a workload, the same way for
// LoggingSidecarPod and LoggingSidecarDeployment.

/** The pod security context: nginx:latest and ubuntu:latest start as root, see ROOT_IMAGE_SECURITY_CONTEXT. */
export function podSecurityContext(hardened: boolean): kplus.PodSecurityContextProps {
  return hardened
    ? { ensureNonRoot: true, user: NGINX_UID, group: NGINX_UID, fsGroup: NGINX_UID }
    : { ensureNonRoot: false };
}

/** What `addWebServerAndSidecar()` added. */
export interface WebServerAndSidecar {
  readonly webContainer: kplus.Container;
  readonly sidecar: LoggingSidecar;
}

/** Adds the web server container to `workload`, then the sidecar as a `LoggingSidecar` with the construct id `Sidecar`. */
export function addWebServerAndSidecar(scope: Construct, workload: kplus.AbstractPod, options: ResolvedWebServerAndSidecar): WebServerAndSidecar {
  const { hardened, webPort } = options;
  const probe = () => kplus.Probe.fromHttpGet('/', { port: webPort, periodSeconds: Duration.seconds(10), failureThreshold: 3 });
  const webContainer = workload.addContainer({
    name: options.webContainerName,
    image: options.webImage,
    ports: [{ number: webPort, name: 'http' }],
    resources: options.webResources,
    securityContext: hardened ? restrictedSecurityContext(NGINX_UID, NGINX_UID) : ROOT_IMAGE_SECURITY_CONTEXT,
    readiness: options.healthChecks ? probe() : undefined,
    liveness: options.healthChecks ? probe() : undefined,
  });
  if (hardened) {
    // The unprivileged image keeps its pid file and temp paths in /tmp; the root filesystem is read-only.
    webContainer.mount('/tmp', kplus.Volume.fromEmptyDir(scope, 'WebTmp', WEB_TMP_VOLUME_NAME, { sizeLimit: Size.mebibytes(64) }));
  }

  const sidecar = new LoggingSidecar(scope, 'Sidecar', {
    workload,
    logWriter: webContainer,
    shipper: options.shipper,
    containerName: options.sidecarContainerName,
    resources: options.sidecarResources,
    volumeName: options.volumeName,
    logDirectory: options.logDirectory,
    logFiles: options.logFiles,
    nativeSidecar: options.nativeSidecar,
    hardened,
    runAsUser: hardened ? NGINX_UID : undefined,
    volumeSizeLimit: options.volumeSizeLimit,
    rotateLogsAt: options.rotateLogsAt,
    // The web server is nginx, whatever its image is called.
    reopenLogs: options.volumeSizeLimit || options.rotateLogsAt ? LogReopen.nginx() : undefined,
  });
  return { webContainer, sidecar };
}
