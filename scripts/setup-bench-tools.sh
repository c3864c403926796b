#!/usr/bin/env bash
# Installs what `npm run bench:shipping` needs besides podman (which
# scripts/setup-podman.sh installs): gnuplot, without X, to draw the chart.
# Idempotent.
set -euo pipefail
bash "$(dirname "$0")/setup-podman.sh"
if ! command -v gnuplot >/dev/null; then
  apt-get update -o Acquire::Retries=2 || echo "setup-bench-tools.sh: apt-get update reported errors, trying the install anyway" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gnuplot-nox
fi
