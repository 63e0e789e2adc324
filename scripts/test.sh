#!/usr/bin/env bash
# Every test of sigstore-wasm, as CI runs them. Sets up what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/setup.sh)"

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lints: no unwrap, expect, panic or unchecked indexing in the library"
cargo clippy --all-targets --quiet -- -D warnings

step "unit, conformance, real-world and attack tests (native)"
cargo test --quiet

step "wasm32 build of the core"
cargo ${WASM_TOOLCHAIN:++$WASM_TOOLCHAIN} build --quiet --release --lib --target wasm32-unknown-unknown
ls -l target/wasm32-unknown-unknown/release/sigstore_wasm.wasm

step "fuzzing: parse and verify arbitrary bundles (${FUZZ_SECONDS:=60}s)"
(cd fuzz && mkdir -p corpus/verify_bundle && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none verify_bundle -- \
  -max_total_time="$FUZZ_SECONDS" -max_len=65536 corpus/verify_bundle \
  ../tests/data/conformance/bundle-verify ../tests/data/realworld)
