// The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards),
// baseline and restricted levels, as checks on a synthesized pod spec. Each
// returns the controls the spec breaks, as "control: where".

const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const SAFE_SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];

export function restrictedViolations(spec: any): string[] {
  const violations: string[] = [];
  const fail = (control: string, where: string) => violations.push(`${control}: ${where}`);
  const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  const pod = spec.securityContext ?? {};

  // baseline
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) fail('host namespaces', `spec.${field}`);
  }
  if (pod.windowsOptions?.hostProcess) fail('HostProcess', 'spec.securityContext');
  for (const sysctl of pod.sysctls ?? []) {
    if (!SAFE_SYSCTLS.includes(sysctl.name)) fail('sysctls', sysctl.name);
  }
  if (pod.seLinuxOptions?.type && !['container_t', 'container_init_t', 'container_kvm_t'].includes(pod.seLinuxOptions.type)) fail('SELinux', 'spec.securityContext');
  if (pod.appArmorProfile?.type === 'Unconfined') fail('AppArmor', 'spec.securityContext');
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find(k => k !== 'name')!;
    if (type === 'hostPath') fail('HostPath volumes', volume.name);
    if (!RESTRICTED_VOLUME_TYPES.includes(type)) fail('volume types', `${volume.name} (${type})`);
  }

  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (sc.privileged) fail('privileged containers', where);
    if (sc.windowsOptions?.hostProcess) fail('HostProcess', where);
    for (const add of sc.capabilities?.add ?? []) {
      if (!BASELINE_CAPABILITIES.includes(add)) fail('capabilities (baseline)', `${where} adds ${add}`);
      if (add !== 'NET_BIND_SERVICE') fail('capabilities (restricted)', `${where} adds ${add}`);
    }
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) fail('capabilities (restricted)', `${where} does not drop ALL`);
    for (const p of c.ports ?? []) {
      if (p.hostPort) fail('host ports', `${where} port ${p.containerPort}`);
    }
    if (sc.procMount && sc.procMount !== 'Default') fail('/proc mount type', where);
    if (sc.seLinuxOptions?.type && !['container_t', 'container_init_t', 'container_kvm_t'].includes(sc.seLinuxOptions.type)) fail('SELinux', where);
    if (sc.appArmorProfile?.type === 'Unconfined') fail('AppArmor', where);
    // restricted
    if (sc.allowPrivilegeEscalation !== false) fail('privilege escalation', where);
    const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
    if (nonRoot !== true) fail('running as non-root', where);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) fail('running as non-root user', where);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) fail('seccomp', where);
  }
  if (pod.runAsUser === 0) fail('running as non-root user', 'spec.securityContext');
  if (pod.seccompProfile?.type === 'Unconfined') fail('seccomp', 'spec.securityContext');
  return violations;
}
