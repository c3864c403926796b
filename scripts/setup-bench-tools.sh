#!/usr/bin/env bash
# Installs what `npm run bench:shipping` needs: podman (scripts/setup-podman.sh)
# and gnuplot, without X, to draw the chart (scripts/setup-gnuplot.sh).
# Idempotent.
set -euo pipefail
bash "$(dirname "$0")/setup-podman.sh"
bash "$(dirname "$0")/setup-gnuplot.sh"
