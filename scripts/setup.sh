#!/usr/bin/env bash
# Installs what building and testing sigstore-wasm needs on a fresh Debian machine with a Rust
# toolchain. Idempotent and non-interactive: safe to run before every build.
#
# Prints nothing to stdout but `export` lines for the caller to eval (the toolchain to use for
# wasm32 builds when rustup could not add the target).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "setup: $*" >&2; }

apt_updated=""
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "$apt_updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    apt_updated=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# The wasm32 target: rustup's when it can be had, else Debian's rustc-web with a std built from
# its sources (see ../shared/notes/toolchain.md in the developers' notes).
# SIGSTORE_WASM_DEBIAN_TOOLCHAIN=1 takes the Debian path even where rustup works, to test it.
wasm_target() {
  if [ -z "${SIGSTORE_WASM_DEBIAN_TOOLCHAIN:-}" ]; then
    if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
      return 0
    fi
    log "adding the wasm32-unknown-unknown target with rustup"
    if timeout 300 rustup target add wasm32-unknown-unknown >&2; then
      return 0
    fi
  fi
  log "rustup could not add the target; building a wasm32 std for Debian's rustc-web"
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm
  # rust-web-llvm's /usr/bin/rust-lld links to an lld-N it does not depend on: install that one.
  apt_install "$(readlink /usr/bin/rust-lld)"
  local libdir stamp scratch
  libdir=$(/usr/bin/rustc --print target-libdir --target wasm32-unknown-unknown)
  stamp="$libdir/.sigstore-wasm-std-stamp"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$(/usr/bin/rustc -vV)" ]; then
    scratch=$(mktemp -d)
    (cd "$scratch" && /usr/bin/cargo init -q --lib --name wasmstd >&2 &&
      RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes /usr/bin/cargo build -q --release \
        --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort,test >&2)
    mkdir -p "$libdir"
    cp "$scratch"/target/wasm32-unknown-unknown/release/deps/lib*.rlib \
       "$scratch"/target/wasm32-unknown-unknown/release/deps/lib*.rmeta "$libdir"/
    /usr/bin/rustc -vV > "$stamp"
    rm -rf "$scratch"
  fi
  rustup toolchain link sigstore-wasm-debian /usr >&2
  echo "export WASM_TOOLCHAIN=sigstore-wasm-debian"
}

# cargo-fuzz drives libFuzzer; the stable compiler runs it with RUSTC_BOOTSTRAP=1.
cargo_fuzz() {
  command -v cargo-fuzz >/dev/null 2>&1 && return 0
  log "cargo install cargo-fuzz"
  cargo install -q cargo-fuzz >&2
}

wasm_target
cargo_fuzz
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt >&2 || true
