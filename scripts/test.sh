#!/usr/bin/env bash
# Every test of sigstore-wasm, as CI runs them. Installs what is missing first (scripts/setup.sh).
#   FUZZ_SECONDS=N   how long to run each fuzz target (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/setup.sh)"

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lints: no unwrap, expect, panic or unchecked indexing in the library"
cargo clippy --all-targets --quiet -- -D warnings
# The JavaScript boundary (src/wasm.rs) exists only for wasm32. Debian's fallback toolchain has
# no clippy: there it is compiled (below) but not linted.
if [ -z "${WASM_TOOLCHAIN:-}" ]; then
  cargo clippy --quiet --lib --target wasm32-unknown-unknown -- -D warnings
  cargo clippy --quiet --lib --target wasm32-unknown-unknown --features tuf-module -- -D warnings
  cargo clippy --quiet --lib --target wasm32-unknown-unknown --features crypto-module -- -D warnings
else
  echo "wasm32 lints skipped: the $WASM_TOOLCHAIN toolchain has no clippy"
fi

# verify_bundle: any bytes as a bundle or trusted root, from the real bundles as seeds.
# verify_field: real bundles with one binary field replaced by any bytes (DER, SCT, CMS, checkpoints).
# registry_replies: any bytes as registry and Rekor answers to an image verification and log lookups,
# and as a legacy cosign layer's annotations and blob.
# tuf_update: any bytes as a TUF repository's answers and a client's cached files, online and offline.
fuzz() {
  local target=$1; shift
  step "fuzzing $target (${FUZZ_SECONDS}s)"
  local log
  log=$(mktemp)
  if ! (cd fuzz && mkdir -p "corpus/$target" &&
    RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none "$target" -- \
      -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 "corpus/$target" "$@") >"$log" 2>&1; then
    tail -n 60 "$log"
    exit 1
  fi
  grep -E '^Done' "$log"
}
: "${FUZZ_SECONDS:=30}"
fuzz verify_bundle -max_len=65536 ../tests/data/conformance/bundle-verify ../tests/data/realworld
fuzz verify_field -max_len=8192
fuzz registry_replies -max_len=65536 -dict=registry.dict
fuzz tuf_update -max_len=65536 ../tests/tuf-conformance/tuf_conformance/static_data/sigstore-root-signing/metadata

step "npm package: build (the core for wasm32, wasm-bindgen, wasm-opt)"
scripts/build-pkg.sh

step "npm package: conformance through the CLI, backends, differential against sigstore-js"
tests/js/run.sh

step "npm package in every runtime: Node ESM/CJS, Node 22, Deno, Bun, workerd, Chromium, TypeScript"
tests/js/runtimes.sh

step "TUF: the conformance suite (tests/tuf-conformance) against the CLI, offline on loopback, time moved by faketime"
tests/tuf/conformance.sh
step "TUF: the package's refresh, caches and fallbacks in Node, Deno, Bun, workerd and Chromium, against local repositories"
timeout --kill-after=10 600 node tests/js/tuf/run.mjs

step "unit, attack, mutation, instance and image tests (native)"
cargo test --quiet

# tests/oci.rs (above) wrote its world of images, signatures and cases to target/tmp/oci-world.
step "container images and Rekor: the world pushed to a real registry, every case through the package in Node, workerd and Chromium"
timeout --kill-after=10 600 node tests/js/oci/run.mjs

# tests/gate_fixtures.rs (above) wrote the gate's artifacts and bundles to target/tmp/gate-fixtures.
step "edge gate: the worker in workerd in front of an origin and the registry; skopeo pulls through it; a 256 MiB artifact; load on loopback"
scripts/build-www.sh # the worker serves the page too
node tests/js/gate/policy.mjs
timeout --kill-after=10 600 node tests/js/gate/run.mjs
step "edge gate on Miniflare (Cloudflare's local platform): an R2 bucket as the origin, verdicts in the Cache API across isolates"
timeout --kill-after=10 300 "$NODE22" tests/js/gate/miniflare.mjs 2>&1 | grep -v '^{"gate"'
step "edge gate: wrangler validates the Cloudflare configuration (deploy --dry-run, offline)"
tests/js/gate/wrangler.sh

# tests/page_fixtures.rs (above) wrote the page's hostile bundles to target/tmp/page-fixtures, and its
# large artifacts' bundles (40 MiB, 1 GiB) beside them.
step "verification page: built, served by the worker in workerd, driven in Chromium against the registry, Rekor and proxy"
timeout --kill-after=10 600 node tests/js/www/run.mjs

step "conformance vectors and real-world bundles, both modes (artifact bytes, sha256 digest)"
cargo test --quiet --test conformance -- --nocapture 2>&1 | grep -E '^(FAILED|conformance:|realworld:|test result)'
