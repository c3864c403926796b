#!/usr/bin/env bash
# Installs podman and what the e2e needs on Debian 12 as root so that
# `npm run e2e` can play Pod manifests offline. Installs packages only; podman's
# configuration is the e2e's own, per run (below). Idempotent: a second run
# changes nothing.
#
# Why each piece (facts measured on this machine kind, see shared/ENVIRONMENT.md):
# - runc, not crun: crun refuses this host's hybrid cgroup v1/v2 layout (the
#   e2e's containers.conf selects it, with default_ulimits below this host's limits).
# - debootstrap: the stand-in images are built from Debian, images cannot be pulled.
# - docker-registry: the manifests say `imagePullPolicy: Always`, so podman
#   pulls; the e2e serves the stand-ins from a registry on loopback.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-podman.sh: must run as root (it installs apt packages)" >&2
  exit 2
fi

# catatonit: the pause binary of the infra container kube play builds (a Recommends).
# openssl: the e2e makes a CA for each run for the cases with TLS.
PACKAGES=(podman runc catatonit iptables debootstrap docker-registry ca-certificates openssl)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-podman.sh: installing ${missing[*]}"
  # Other configured sources (vendor repos) may be unreachable here; Debian's are what we need.
  apt-get update -o Acquire::Retries=2 || echo "setup-podman.sh: apt-get update reported errors, trying the install anyway" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup-podman.sh: packages already installed"
fi

# The Debian package starts its own registry on :5000 where systemd runs; the
# e2e starts one on loopback itself and does not need that service.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi

# Nothing under /etc/containers is written: the e2e writes its containers.conf
# (runc, default_ulimits) and registries.conf (the loopback mirrors) to a
# directory of its own for each run and points podman at them with
# CONTAINERS_CONF and CONTAINERS_REGISTRIES_CONF (e2e/podman-config.ts), so a
# `podman pull` outside the e2e is never sent to the e2e's loopback registry.
#
# Older versions of this script wrote the two files below. They were ours, so
# they are removed here: podman reads every registries.conf.d drop-in, also on
# top of CONTAINERS_REGISTRIES_CONF, and the mirror sent every later pull of
# nginx, ubuntu or fluent-bit on this machine to 127.0.0.1:5123 first.
# containers.conf.d/ is shipped by no Debian package; those versions made it
# (mkdir -p), so it goes too when removing our file leaves it empty.
remove_ours() {
  local path="$1"
  [ -e "$path" ] || return 0
  rm -f "$path"
  echo "setup-podman.sh: removed $path (written by an older setup-podman.sh)"
  if [ "$2" = rmdir-if-empty ] && rmdir "$(dirname "$path")" 2>/dev/null; then
    echo "setup-podman.sh: removed the empty $(dirname "$path")"
  fi
}
remove_ours /etc/containers/registries.conf.d/50-cdk8s-e2e-mirror.conf keep-dir
remove_ours /etc/containers/containers.conf.d/50-cdk8s-e2e.conf rmdir-if-empty

echo "setup-podman.sh: podman $(podman version --format '{{.Client.Version}}'), runc $(runc --version | awk 'NR == 1 {print $3}'); nothing written under /etc/containers"
