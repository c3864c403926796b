import * as kplus from 'cdk8s-plus-28';

/**
 * What root images such as nginx:latest and ubuntu:latest need to start.
 * cdk8s-plus defaults to runAsNonRoot, with which a kubelet refuses to start
 * them, and to a read-only root filesystem, where nginx cannot write
 * /var/cache/nginx and /var/run. Privilege escalation stays off: nothing in
 * these images needs setuid binaries.
 */
export const ROOT_IMAGE_SECURITY_CONTEXT: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: false,
  readOnlyRootFilesystem: false,
  allowPrivilegeEscalation: false,
};

/**
 * A container context that meets every control of the Pod Security Standards
 * "restricted" level, plus a read-only root filesystem.
 */
export function restrictedSecurityContext(user: number, group: number): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user,
    group,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}
