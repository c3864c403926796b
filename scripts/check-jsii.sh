#!/usr/bin/env bash
# Checks the package as a jsii library: the assembly (.jsii) builds without
# warnings, API.md is what jsii-docgen writes from it, the Python bindings
# jsii-pacmak generates from it are valid Python, and every TypeScript example
# in the README compiles (jsii-rosetta translates them for Construct Hub and
# for the bindings' docstrings). Fails if any of these does not hold.
set -euo pipefail
cd "$(dirname "$0")/.."
# jsii's tools print a banner on every run on Node 20 (past end-of-life for
# them), and jsii asks GitHub whether its own release line is still supported.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 JSII_SILENCE_SUPPORT_WARNING=1
bin=node_modules/.bin
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "check-jsii: jsii builds the assembly from lib/"
npm run --silent jsii

echo "check-jsii: API.md is what jsii-docgen writes"
"$bin/jsii-docgen" -o "$scratch/API.md"
if ! cmp -s API.md "$scratch/API.md"; then
  diff -u API.md "$scratch/API.md" | head -40 || true
  echo "check-jsii: API.md is stale: run 'npm run docgen' and commit API.md" >&2
  exit 1
fi

echo "check-jsii: the README's TypeScript examples compile (jsii-rosetta extract --strict)"
# Writes .jsii.tabl.json, the translations jsii-pacmak puts into the docstrings.
# On failure the Python check still runs, so one CI run reports both.
examples_compile=true
"$bin/jsii-rosetta" extract --strict .jsii || examples_compile=false

echo "check-jsii: the Python bindings are valid Python"
# Only the generated code is checked: installing and importing it needs jsii's
# Python runtime (the "jsii" package and its dependencies from PyPI), which CI
# cannot download, being offline. What the bindings call is the JavaScript in
# build/lib/, which the unit tests and check-package.sh exercise.
"$bin/jsii-pacmak" --targets python --code-only --no-fingerprint --no-npmignore \
  --rosetta-tablet .jsii.tabl.json --outdir "$scratch/pacmak"
mapfile -t python_files < <(find "$scratch/pacmak" -name '*.py')
if [ "${#python_files[@]}" -eq 0 ]; then
  echo "check-jsii: jsii-pacmak generated no Python files" >&2
  exit 1
fi
# -W error: an invalid escape in a docstring is a warning today, an error in later Pythons.
python3 -W error -m py_compile "${python_files[@]}"
echo "check-jsii: ${#python_files[@]} generated Python files compile"

if [ "$examples_compile" != true ]; then
  echo "check-jsii: a README example does not compile (see jsii-rosetta's errors above): make each one a complete program" >&2
  exit 1
fi
echo "check-jsii: assembly, API.md, Python bindings and README examples are fine"
