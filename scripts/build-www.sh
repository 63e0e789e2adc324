#!/usr/bin/env bash
# Builds the verification page into www/dist (www/build.mjs), building the npm package first
# when it is not built. Host www/dist anywhere static, or serve it with the worker (scripts/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f pkg/wasm/sigstore_wasm_bg.wasm ] || scripts/build-pkg.sh
node www/build.mjs
