#!/usr/bin/env bash
# Smoke tests of the npm package (pkg/) in every runtime it claims: Node 20 (ESM and CommonJS),
# Node 22, Deno, Bun, workerd, Chromium (the browser entry as is, and through esbuild), and
# TypeScript against its declarations. Run from the repository root:
#
#   tests/js/runtimes.sh            one line per runtime, then `runtimes: N passed, M failed`
#   VERBOSE=1 tests/js/runtimes.sh  also every check of every runtime
#   KEEP_SCRATCH=1 ...              keep the scratch project (its path is printed)
#
# First `npm pack` of pkg/ is installed into an empty scratch project (offline: the package has
# no dependencies), and Node, Deno, Bun and esbuild import the package by its name from there:
# what a user would get from the registry. The shared suite is tests/js/runtimes/smoke.js; each
# runtime's harness is next to it. Only 127.0.0.1 is used. Exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

if [ -z "${NODE22:-}" ] || [ -z "${DENO:-}" ] || [ -z "${BUN:-}" ] || [ -z "${WORKERD:-}" ] || [ -z "${CHROMIUM:-}" ]; then
  eval "$(scripts/setup.sh)"
fi
export DENO_NO_UPDATE_CHECK=1 NO_UPDATE_NOTIFIER=1 npm_config_update_notifier=false
[ -f pkg/wasm/sigstore_wasm_bg.wasm ] && [ -f pkg/wasm/sigstore_wasm.js ] || scripts/build-pkg.sh >&2

scratch=$(mktemp -d "${TMPDIR:-/tmp}/sigstore-wasm-runtimes.XXXXXX")
cleanup() {
  if [ -n "${KEEP_SCRATCH:-}" ]; then echo "scratch project kept: $scratch" >&2; else rm -rf "$scratch"; fi
}
trap cleanup EXIT
mkdir -p "$scratch/logs" "$scratch/tarball"

passed=0
failed=0
# run NAME SECONDS COMMAND...: runs one runtime's test, bounded, and prints its line.
run() {
  local name=$1 limit=$2 status=0 start end summary
  shift 2
  local log="$scratch/logs/$name.log"
  start=$(date +%s%N)
  timeout -k 10 "$limit" "$@" >"$log" 2>&1 || status=$?
  end=$(date +%s%N)
  summary=$(grep -E '^smoke: ' "$log" | tail -n 1 | sed 's/^smoke: //') || true
  [ "$status" -eq 124 ] && summary="timed out after ${limit}s${summary:+; $summary}"
  if [ "$status" -eq 0 ] && [ -n "$summary" ]; then
    passed=$((passed + 1))
    printf 'PASS  %-16s %6.1fs  %s\n' "$name" "$(((end - start) / 1000000))e-3" "$summary"
    [ -z "${VERBOSE:-}" ] || sed 's/^/      /' "$log"
  else
    failed=$((failed + 1))
    printf 'FAIL  %-16s %6.1fs  %s\n' "$name" "$(((end - start) / 1000000))e-3" "${summary:-exit status $status}"
    sed 's/^/      /' "$log" | tail -n 60
  fi
}

finish() {
  echo "runtimes: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# The tarball, and an empty project that installs it. Its checks print a `smoke:` line like the
# runtimes' so that `run` reports it the same way.
pack_and_install() {
  set -euo pipefail
  (cd pkg && npm pack --json --pack-destination "$scratch/tarball" >"$scratch/pack.json")
  node -e '
    const [pack] = require(process.argv[1]);
    const files = pack.files.map((f) => f.path);
    const need = ["package.json", "api.js", "tuf.js", "node.js", "browser.js", "workerd.js", "cli.js", "index.d.ts", "wasm/sigstore_wasm.js", "wasm/sigstore_wasm_bg.wasm", "wasm/sigstore_wasm_tuf.js", "wasm/sigstore_wasm_tuf_bg.wasm", "wasm/sigstore_wasm_image_bg.wasm", "wasm/sigstore_wasm_log_bg.wasm", "wasm/sigstore_wasm_packages_bg.wasm"];
    const missing = need.filter((f) => !files.includes(f));
    if (missing.length) { console.log("the tarball lacks " + missing.join(", ")); process.exit(1); }
    console.log(`packed ${pack.filename}: ${files.length} files, ${pack.size} bytes`);
  ' "$scratch/pack.json"
  printf '{ "name": "sigstore-wasm-smoke", "private": true, "type": "module" }\n' >"$scratch/package.json"
  (cd "$scratch" && npm install --offline --no-audit --no-fund --no-package-lock ./tarball/sigstore-wasm-*.tgz)
  [ -f "$scratch/node_modules/sigstore-wasm/wasm/sigstore_wasm_bg.wasm" ]
  # The harnesses and the test data, next to the installed package.
  cp tests/js/runtimes/{smoke.js,host.js,esm.mjs,cjs.cjs} "$scratch/"
  local data=tests/data/conformance/bundle-verify file
  for file in happy-path-v0.3/bundle.sigstore.json happy-path-intoto-in-dsse-v3/bundle.sigstore.json \
    signature-mismatch_fail/bundle.sigstore.json a.txt; do
    mkdir -p "$scratch/data/$(dirname "$file")"
    cp "$data/$file" "$scratch/data/$file"
  done
  echo "smoke: npm $(npm --version): packed and installed into an empty project (offline)"
}

export scratch
export -f pack_and_install
run npm-pack 180 bash -c pack_and_install
if [ "$failed" -ne 0 ]; then
  finish
  exit 1
fi

run node20-esm 60 env -C "$scratch" node esm.mjs
run node20-cjs 60 env -C "$scratch" node cjs.cjs
run node22-esm 60 env -C "$scratch" "$NODE22" esm.mjs
run deno 60 env -C "$scratch" "$DENO" run --no-lock --no-prompt --allow-read="$scratch" esm.mjs
run bun 60 env -C "$scratch" "$BUN" esm.mjs
run workerd 90 node tests/js/runtimes/workerd.mjs
mkdir -p "$scratch/tmp"
run chromium 120 env SMOKE_TMPDIR="$scratch/tmp" node tests/js/runtimes/browser.mjs direct
run chromium-esbuild 120 env SMOKE_TMPDIR="$scratch/tmp" node tests/js/runtimes/browser.mjs esbuild "$scratch"
run typescript 240 node tests/js/runtimes/types.mjs "$scratch"

# The node20-* lines ran on the `node` on PATH: say so if it is not Node 20.
case "$(node --version)" in
  v20.*) ;;
  *) echo "note: \`node\` is $(node --version), not Node 20: node20-* ran on it" >&2 ;;
esac
finish
