#!/usr/bin/env bash
# Every test of sigstore-wasm, as CI runs them. Installs what is missing first (scripts/setup.sh).
#   FUZZ_SECONDS=N   how long to fuzz (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/setup.sh)"

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lints: no unwrap, expect, panic or unchecked indexing in the library"
cargo clippy --all-targets --quiet -- -D warnings

step "wasm32 build of the core"
cargo ${WASM_TOOLCHAIN:++$WASM_TOOLCHAIN} build --quiet --release --lib --target wasm32-unknown-unknown

step "fuzzing: parse and verify arbitrary bundles and trusted roots (${FUZZ_SECONDS:=60}s)"
fuzz_log=$(mktemp)
if ! (cd fuzz && mkdir -p corpus/verify_bundle &&
  RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none verify_bundle -- \
    -max_total_time="$FUZZ_SECONDS" -max_len=65536 -print_final_stats=1 corpus/verify_bundle \
    ../tests/data/conformance/bundle-verify ../tests/data/realworld) >"$fuzz_log" 2>&1; then
  tail -n 60 "$fuzz_log"
  exit 1
fi
grep -E '^(Done|stat::number_of_executed_units)' "$fuzz_log"

step "unit, attack, mutation and instance tests (native)"
cargo test --quiet

step "conformance vectors and real-world bundles, both modes (artifact bytes, sha256 digest)"
cargo test --quiet --test conformance -- --nocapture 2>&1 | grep -E '^(FAILED|conformance:|realworld:|test result)'
