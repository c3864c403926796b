#!/usr/bin/env bash
# Installs and configures podman on Debian 12 as root so that `npm run e2e`
# can play Pod manifests offline. Idempotent: a second run changes nothing.
#
# Why each piece (facts measured on this machine kind, see shared/ENVIRONMENT.md):
# - runc, not crun: crun refuses this host's hybrid cgroup v1/v2 layout.
# - default_ulimits: podman's defaults exceed this host's hard limits.
# - debootstrap: the stand-in images are built from Debian, images cannot be pulled.
# - docker-registry + the mirrors below: the manifests say `imagePullPolicy: Always`,
#   so podman pulls; the e2e serves the stand-ins from a registry on loopback.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-podman.sh: must run as root (it installs apt packages and writes /etc/containers)" >&2
  exit 2
fi

# One place for the registry address; e2e/config.ts reads the same value from here.
REGISTRY="${CDK8S_E2E_REGISTRY:-127.0.0.1:5123}"
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

# Writes a file only when its content differs, so reruns are no-ops.
write_if_changed() {
  local path="$1" content="$2"
  mkdir -p "$(dirname "$path")"
  if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then
    return
  fi
  printf '%s\n' "$content" >"$path"
  echo "setup-podman.sh: wrote $path"
}

write_if_changed /etc/containers/containers.conf.d/50-cdk8s-e2e.conf '# Written by cdk8s-logging-sidecar scripts/setup-podman.sh
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"'

# Only the images the e2e uses are mirrored, so nothing else on this machine
# starts pulling from loopback (e2e/config.ts lists the same images). Each is a
# real mirror, not a rewrite: podman asks the loopback registry first and, when
# that does not have the image (or is not running), the official registry. The
# e2e serves a stand-in there only for an image it did not pull officially
# (`npm run e2e -- --images auto|standin|official`), so an official image is
# never shadowed by a stand-in.
IMAGES=(docker.io/library/nginx docker.io/nginxinc/nginx-unprivileged docker.io/library/ubuntu cr.fluentbit.io/fluent/fluent-bit)
mirrors="# Written by cdk8s-logging-sidecar scripts/setup-podman.sh
unqualified-search-registries = [\"docker.io\"]
"
for image in "${IMAGES[@]}"; do
  mirrors+="
[[registry]]
prefix = \"$image\"
location = \"$image\"

[[registry.mirror]]
location = \"$REGISTRY/$image\"
insecure = true
"
done
# The e2e pushes to the registry and may pull from it by its own address.
mirrors+="
[[registry]]
location = \"$REGISTRY\"
insecure = true"
write_if_changed /etc/containers/registries.conf.d/50-cdk8s-e2e-mirror.conf "$mirrors"

runtime="$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>/dev/null || true)"
if [ "$runtime" != "runc" ]; then
  echo "setup-podman.sh: podman reports OCI runtime '$runtime', expected runc; is /etc/containers/containers.conf.d read?" >&2
  exit 2
fi
echo "setup-podman.sh: podman $(podman version --format '{{.Client.Version}}') with runc, registry mirror $REGISTRY"
