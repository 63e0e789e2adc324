#!/usr/bin/env bash
# Builds the npm package in pkg/ from a clean checkout, with the settings of wasm-pack.toml: the
# core for wasm32, the JavaScript glue (wasm-bindgen CLI at the crate's exact version), and a
# size-optimised module (wasm-opt from the npm binaryen package), held to the size budget.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh build)"

# wasm-pack.toml as shell variables (python3's tomllib: a TOML parser, not a hand-written one).
eval "$(python3 - <<'PY'
import shlex, tomllib
with open("wasm-pack.toml", "rb") as f:
    c = tomllib.load(f)
b, o = c["build"], c["wasm-opt"]
flags = list(o["passes"]) + [f"--enable-{feature}" for feature in o["features"]]
for name, value in [("profile", b["profile"]), ("target", b["target"]), ("out_dir", b["out-dir"]),
                    ("out_name", b["out-name"]), ("budget", str(c["budget"]["wasm-gzip-bytes"]))]:
    print(f"{name}={shlex.quote(value)}")
print("opt_flags=(" + " ".join(shlex.quote(f) for f in flags) + ")")
PY
)"

cargo ${WASM_TOOLCHAIN:++$WASM_TOOLCHAIN} build --quiet --profile "$profile" --lib --target wasm32-unknown-unknown
rm -rf "$out_dir"
wasm-bindgen --target "$target" --no-typescript --out-dir "$out_dir" --out-name "$out_name" \
  "target/wasm32-unknown-unknown/$profile/sigstore_wasm.wasm"
module="$out_dir/${out_name}_bg.wasm"
node_modules/.bin/wasm-opt "${opt_flags[@]}" "$module" -o "$module"
size=$(wc -c < "$module")
gzipped=$(gzip -9c "$module" | wc -c)
echo "$module: $size bytes, $gzipped gzipped (budget $budget, wasm-pack.toml)" >&2
if [ "$gzipped" -gt "$budget" ]; then
  echo "build-pkg: $module is $gzipped bytes gzipped, over the budget of $budget in wasm-pack.toml" >&2
  exit 1
fi
