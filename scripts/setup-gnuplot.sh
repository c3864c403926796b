#!/usr/bin/env bash
# Installs gnuplot without X (Debian's gnuplot-nox), which the benchmarks use to
# draw their charts. Idempotent: nothing to do when gnuplot is on the PATH.
# Installing needs root (apt-get), as on the build machines.
set -euo pipefail
command -v gnuplot >/dev/null && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-gnuplot.sh: the benchmark charts need gnuplot; install it (as root: apt-get install gnuplot-nox)" >&2
  exit 1
fi
echo "setup-gnuplot.sh: installing gnuplot-nox"
apt-get update -o Acquire::Retries=2 || echo "setup-gnuplot.sh: apt-get update reported errors, trying the install anyway" >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gnuplot-nox
