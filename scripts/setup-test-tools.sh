#!/usr/bin/env bash
# Installs the real programs the unit tests run besides Node: nginx (the log
# format tests start one) and kubectl (the second manifest decoder). perl,
# sh and unshare come with every Debian system. Quick when all are present;
# installing needs root (apt-get), as on the build machines.
set -euo pipefail

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v kubectl >/dev/null 2>&1 || missing+=(kubectl)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-test-tools: the tests need ${missing[*]}; install them (as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "setup-test-tools: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
