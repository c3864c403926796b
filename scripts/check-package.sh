#!/usr/bin/env bash
# Installs the packed package into a scratch project the way another project
# would depend on it, then type-checks and synthesizes a chart that imports it
# by name, and every TypeScript example of README.md and docs/ the same way.
# Fails if package.json's main/types/files do not ship a working library.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cd "$root"
npm run --silent compile
# npm pack runs the prepack script: build/lib/ rebuilt from lib/ alone, with jsii, and the assembly.
tarball=$(npm pack --silent --pack-destination "$scratch" | tail -n 1)
packed=$(tar -tzf "$scratch/$tarball")
grep -qx 'package/.jsii' <<<"$packed" || { echo "check-package: the jsii assembly .jsii is not in the package" >&2; exit 1; }
# Every compiled file comes from a source file of lib/: nothing left over from a file since removed.
while read -r js; do
  source="lib/${js#package/build/lib/}"
  [ -f "${source%.js}.ts" ] || { echo "check-package: $js has no source ${source%.js}.ts: a stale build was packed" >&2; exit 1; }
done < <(grep '^package/build/lib/.*\.js$' <<<"$packed")

consumer="$scratch/consumer"
mkdir -p "$consumer/node_modules"
tar -xzf "$scratch/$tarball" -C "$scratch"
mv "$scratch/package" "$consumer/node_modules/cdk8s-logging-sidecar"
# The peer dependencies, as the consumer's own install would provide them.
for dep in cdk8s cdk8s-plus-28 constructs @types/node; do
  mkdir -p "$(dirname "$consumer/node_modules/$dep")"
  ln -s "$root/node_modules/$dep" "$consumer/node_modules/$dep"
done
cp test/package-consumer/shop-chart.ts "$consumer/"
# Every TypeScript example of README.md and docs/, as a user would paste it.
examples() { node -r "$root/scripts/ts-register.js" "$root/scripts/doc-examples.ts" "$@"; }
examples extract "$consumer/docs-examples"

"$root/node_modules/.bin/tsc" --strict --module commonjs --target es2022 --types node \
  --rootDir "$consumer" --outDir "$consumer/out" "$consumer/shop-chart.ts" "$consumer"/docs-examples/*.ts
node "$consumer/out/shop-chart.js" "$consumer/dist"

manifest="$consumer/dist/shop.k8s.yaml"
for pod in frontend admin; do
  grep -q "^  name: $pod\$" "$manifest" || { echo "check-package: pod $pod missing from $manifest" >&2; exit 1; }
done
grep -q 'sleep 5; done' "$manifest" || { echo "check-package: the admin pod's readInterval was not applied" >&2; exit 1; }
# The stream shipper's Perl program is read from the package at load time.
grep -q 'use strict;' "$manifest" || { echo "check-package: the stream shipper's program is missing from $manifest" >&2; exit 1; }
examples run "$consumer/out/docs-examples" "$consumer/docs-dist" >"$scratch/examples.log" \
  || { cat "$scratch/examples.log" >&2; echo "check-package: a README or docs/ example did not synthesize a workload" >&2; exit 1; }
echo "check-package: $(tar -tzf "$scratch/$tarball" | wc -l) files packed; a consumer chart type-checked and synthesized 2 pods; $(grep -c '^ok' "$scratch/examples.log") README and docs/ examples type-checked and synthesized"
