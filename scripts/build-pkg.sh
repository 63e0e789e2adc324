#!/usr/bin/env bash
# Builds the npm package in pkg/ from a clean checkout, with the settings of wasm-pack.toml: the
# core for wasm32, the JavaScript glue (wasm-bindgen CLI at the crate's exact version), and a
# size-optimised module (wasm-opt from the npm binaryen package), held to the size budget.
# Installs nothing: scripts/setup.sh does (scripts/run.sh and scripts/test.sh run it first).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh env)"

# wasm-pack.toml as shell variables (python3's tomllib: a TOML parser, not a hand-written one):
# the build's settings, then one line per module (name, features, budget).
eval "$(python3 - <<'PY'
import shlex, tomllib
with open("wasm-pack.toml", "rb") as f:
    c = tomllib.load(f)
b, o = c["build"], c["wasm-opt"]
flags = list(o["passes"]) + [f"--enable-{feature}" for feature in o["features"]]
for name, value in [("profile", b["profile"]), ("target", b["target"]), ("out_dir", b["out-dir"])]:
    print(f"{name}={shlex.quote(value)}")
print("opt_flags=(" + " ".join(shlex.quote(f) for f in flags) + ")")
modules = [f"{m['name']} {','.join(m['features']) or '-'} {m['gzip-budget']}" for m in c["module"]]
print("modules=(" + " ".join(shlex.quote(m) for m in modules) + ")")
PY
)"

rm -rf "$out_dir"
for module in "${modules[@]}"; do
  read -r name features budget <<<"$module"
  [ "$features" = - ] && features=""
  cargo ${WASM_TOOLCHAIN:++$WASM_TOOLCHAIN} build --quiet --profile "$profile" --lib --target wasm32-unknown-unknown \
    ${features:+--features "$features"}
  # Each module as cargo built it, names kept, for bench/crates.mjs (both build to one path).
  mkdir -p target/wasm-modules
  cp "target/wasm32-unknown-unknown/$profile/sigstore_wasm.wasm" "target/wasm-modules/$name.wasm"
  wasm-bindgen --target "$target" --no-typescript --out-dir "$out_dir" --out-name "$name" \
    "target/wasm-modules/$name.wasm"
  wasm="$out_dir/${name}_bg.wasm"
  node_modules/.bin/wasm-opt "${opt_flags[@]}" "$wasm" -o "$wasm"
  gzipped=$(gzip -9c "$wasm" | wc -c)
  echo "$wasm: $(wc -c < "$wasm") bytes, $gzipped gzipped (budget $budget, wasm-pack.toml)" >&2
  if [ "$gzipped" -gt "$budget" ]; then
    echo "build-pkg: $wasm is $gzipped bytes gzipped, over its budget of $budget in wasm-pack.toml" >&2
    exit 1
  fi
done
