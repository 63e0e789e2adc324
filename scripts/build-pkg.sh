#!/usr/bin/env bash
# Builds the npm package in pkg/ from a clean checkout: the core for wasm32, the JavaScript glue
# (wasm-bindgen CLI at the crate's exact version), and a size-optimised module (wasm-opt from the
# npm binaryen package: Debian's binaryen breaks the output silently).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh build)"

# The `wasm` profile (Cargo.toml): small code, fast signature arithmetic.
cargo ${WASM_TOOLCHAIN:++$WASM_TOOLCHAIN} build --quiet --profile wasm --lib --target wasm32-unknown-unknown
rm -rf pkg/wasm
wasm-bindgen --target web --no-typescript --out-dir pkg/wasm --out-name sigstore_wasm \
  target/wasm32-unknown-unknown/wasm/sigstore_wasm.wasm
node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals pkg/wasm/sigstore_wasm_bg.wasm -o pkg/wasm/sigstore_wasm_bg.wasm
echo "pkg/wasm/sigstore_wasm_bg.wasm: $(wc -c < pkg/wasm/sigstore_wasm_bg.wasm) bytes, $(gzip -9c pkg/wasm/sigstore_wasm_bg.wasm | wc -c) gzipped" >&2
