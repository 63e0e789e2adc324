#!/usr/bin/env bash
# wrangler (from npm, run on Node 22 as it requires) validates worker/wrangler.toml and bundles the
# worker as Cloudflare would deploy it, without an account or the network (deploy --dry-run).
# Prints `wrangler: N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0 failed=0
check() {
  if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED $1"; fi
}
log=$(WRANGLER_SEND_METRICS=false CI=true "${NODE22:?run scripts/setup.sh first}" node_modules/wrangler/bin/wrangler.js \
  deploy --dry-run --outdir "$out" --config worker/wrangler.toml 2>&1) || { echo "$log"; exit 1; }
check "the configuration is accepted" '[[ $log == *"--dry-run: exiting now"* ]]'
check "the page's assets are bound" '[[ $log == *"env.ASSETS"* ]]'
check "the worker is bundled with the gate" 'grep -q "serveRegistry" "$out/worker.js"'
check "the wasm module ships beside it" 'ls "$out"/*.wasm >/dev/null 2>&1'
[ "$failed" -eq 0 ] || echo "$log"
echo "wrangler: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
