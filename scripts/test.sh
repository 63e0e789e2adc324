#!/usr/bin/env bash
# Every test of sigstore-wasm, as CI runs them. Installs what is missing first (scripts/setup.sh).
#
#   scripts/test.sh              every step, in order
#   scripts/test.sh STEP...      those steps, each after what it needs (the package, the fixtures,
#                                the page), which runs once however many steps need it
#   scripts/test.sh --list       the steps, and what each needs
#   FUZZ_SECONDS=N               how long to run each fuzz target (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."

# The steps in the order a full run takes them, what each does, and what it needs first.
STEPS=(format lints fuzz native package js runtimes tuf-conformance tuf-runtimes fixtures oci page gate www)
declare -A ABOUT=(
  [format]="format (rustfmt)"
  [lints]="lints: no unwrap, expect, panic or unchecked indexing in the library; native and wasm32"
  [fuzz]="fuzzing: bundles, binary fields, registry and Rekor replies, TUF repositories"
  [native]="unit, attack, mutation, instance, image and layer tests, conformance (native); the Rust example and cargo doc"
  [package]="npm package: build (the core for wasm32, wasm-bindgen, wasm-opt)"
  [js]="npm package: conformance through the CLI, backends, differential against sigstore-js"
  [runtimes]="npm package in every runtime: Node ESM/CJS, Node 22, Deno, Bun, workerd, Chromium, TypeScript"
  [tuf-conformance]="TUF: the conformance suite (tests/tuf-conformance) against the CLI, offline on loopback, time moved by faketime"
  [tuf-runtimes]="TUF: the package's refresh, caches and fallbacks in Node, Deno, Bun, workerd and Chromium"
  [fixtures]="fixtures: the image world, the gate's and the page's bundles, minted by the private instance (scripts/fixtures.sh)"
  [oci]="container images and Rekor: the world pushed to a real registry, every case through the package in Node, workerd and Chromium"
  [page]="verification page: built into www/dist (the worker serves it)"
  [gate]="edge gate: workerd in front of an origin and the registry, skopeo, a 256 MiB artifact, load; Miniflare; wrangler"
  [www]="verification page: served by the worker in workerd, driven in Chromium against the registry, Rekor and proxy"
)
declare -A NEEDS=(
  [js]="package" [runtimes]="package" [tuf-conformance]="package" [tuf-runtimes]="package"
  [oci]="package fixtures" [page]="package" [gate]="package fixtures page" [www]="package fixtures page"
)

step_format() { cargo fmt --all -- --check; }

step_lints() {
  cargo clippy --all-targets --quiet -- -D warnings
  # The JavaScript boundary (src/wasm/) exists only for wasm32. Debian's fallback toolchain has no
  # clippy: there it is compiled (package) but not linted.
  if [ -z "${WASM_TOOLCHAIN:-}" ]; then
    # Each module's features, as wasm-pack.toml lists them.
    for features in $(python3 -c 'import tomllib; print(*(",".join(m["features"]) or "-" for m in tomllib.load(open("wasm-pack.toml", "rb"))["module"]))'); do
      [ "$features" = - ] && features=""
      cargo clippy --quiet --lib --target wasm32-unknown-unknown ${features:+--features $features} -- -D warnings
    done
  else
    echo "wasm32 lints skipped: the $WASM_TOOLCHAIN toolchain has no clippy"
  fi
}

# verify_bundle: any bytes as a bundle or trusted root, from the real bundles as seeds.
# verify_field: real bundles with one binary field replaced by any bytes (DER, SCT, CMS, checkpoints).
# registry_replies: any bytes as registry and Rekor answers to an image verification and log lookups,
# and as a legacy cosign layer's annotations and blob.
# tuf_update: any bytes as a TUF repository's answers and a client's cached files, online and offline.
fuzz_target() {
  local target=$1; shift
  echo "fuzzing $target (${FUZZ_SECONDS}s)"
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
step_fuzz() {
  fuzz_target verify_bundle -max_len=65536 ../tests/data/conformance/bundle-verify ../tests/data/realworld
  fuzz_target verify_field -max_len=8192
  fuzz_target registry_replies -max_len=65536 -dict=registry.dict
  fuzz_target tuf_update -max_len=65536 ../tests/tuf-conformance/tuf_conformance/static_data/sigstore-root-signing/metadata
}

step_native() {
  cargo test --quiet
  # The README's Rust example, run; the API's documentation, built with its links checked.
  cargo run --quiet --example verify_bundle
  RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps
}

step_package() { scripts/build-pkg.sh; }
step_js() { tests/js/run.sh; }
step_runtimes() { tests/js/runtimes.sh; }
step_tuf_conformance() { tests/tuf/conformance.sh; }
step_tuf_runtimes() { timeout --kill-after=10 600 node tests/js/tuf/run.mjs; }
step_fixtures() { scripts/fixtures.sh; }
step_oci() { timeout --kill-after=10 600 node --test-reporter=spec tests/js/oci/run.mjs; }
step_page() { scripts/build-www.sh; }

step_gate() {
  node --test-reporter=spec tests/js/gate/policy.mjs
  timeout --kill-after=10 600 node --test-reporter=spec tests/js/gate/run.mjs
  # Cloudflare's local platform: an R2 bucket as the origin, verdicts in the Cache API across isolates.
  timeout --kill-after=10 300 "$NODE22" --test-reporter=spec tests/js/gate/miniflare.mjs 2>&1 | grep -v '^{"gate"'
  # wrangler validates the Cloudflare configuration (deploy --dry-run, offline).
  tests/js/gate/wrangler.sh
}

step_www() { timeout --kill-after=10 600 node --test-reporter=spec tests/js/www/run.mjs; }

declare -A ran=()
run_step() {
  local name=$1 need
  [ -n "${ran[$name]:-}" ] && return 0
  for need in ${NEEDS[$name]:-}; do run_step "$need"; done
  printf '\n== %s: %s\n' "$name" "${ABOUT[$name]}"
  "step_${name//-/_}"
  ran[$name]=1
}

if [ "${1:-}" = --list ]; then
  for name in "${STEPS[@]}"; do printf '%-16s %s%s\n' "$name" "${ABOUT[$name]}" "${NEEDS[$name]:+ (needs: ${NEEDS[$name]})}"; done
  exit 0
fi
for name in "$@"; do
  [ -n "${ABOUT[$name]:-}" ] || { echo "test.sh: no step $name (scripts/test.sh --list names them)" >&2; exit 2; }
done

eval "$(scripts/setup.sh)"
: "${FUZZ_SECONDS:=30}"
[ $# -gt 0 ] || set -- "${STEPS[@]}"
for name in "$@"; do run_step "$name"; done
