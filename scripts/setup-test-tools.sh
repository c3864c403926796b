#!/usr/bin/env bash
# Installs the real programs the unit tests run besides Node: nginx (the log
# format and pipeline tests start one), kubectl (the second manifest decoder)
# and Fluent Bit 3.2.10 with the libraries it links (the Fluent Bit shipper's
# configuration is run by the real program). perl, sh and unshare come with
# every Debian system. Quick when all are present; installing needs root
# (apt-get), as on the build machines.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# Fluent Bit is in no package registry: the tests use the binary built for this
# machine kind (shared/fluent-bit/ beside the repository), copied into .tools/,
# or the one $FLUENT_BIT names.
FLUENT_BIT_SHA256=7e258dc545ff07e0305687b7906c28ebe4e552d1ba55c9ccece919b5e9eb2d0d
fluent_bit="$root/.tools/fluent-bit/fluent-bit"
if [ -z "${FLUENT_BIT:-}" ] && [ ! -x "$fluent_bit" ]; then
  shared="$root/../shared/fluent-bit/fluent-bit"
  if [ ! -f "$shared" ]; then
    echo "setup-test-tools: the tests run Fluent Bit 3.2.10; set FLUENT_BIT to its binary (not found at $shared)" >&2
    exit 1
  fi
  echo "$FLUENT_BIT_SHA256  $shared" | sha256sum --check --quiet
  mkdir -p "$(dirname "$fluent_bit")"
  cp "$shared" "$fluent_bit.tmp" && chmod 755 "$fluent_bit.tmp" && mv "$fluent_bit.tmp" "$fluent_bit"
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v kubectl >/dev/null 2>&1 || missing+=(kubectl)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# What Fluent Bit links besides libc (shared/fluent-bit/README.md).
for lib in libyaml-0-2 libsqlite3-0 libssl3; do installed "$lib" || missing+=("$lib"); done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-test-tools: the tests need ${missing[*]}; install them (as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "setup-test-tools: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
