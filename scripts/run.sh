#!/usr/bin/env bash
# Serves the verification page on 127.0.0.1 (the worker in workerd: the page, its built-in
# samples, and its registry proxy), against the embedded Sigstore production trusted root.
# Installs and builds only what that needs.
#
#   scripts/run.sh                      # the page, at the URL it prints (PORT=8080 by default)
#   scripts/run.sh verify-bundle ARGS   # the CLI instead: see `scripts/run.sh --help`
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/setup.sh build)"
scripts/build-pkg.sh
if [ $# -gt 0 ]; then
  exec node pkg/cli.js "$@"
fi
scripts/build-www.sh
port=${PORT:-8080}
echo "sigstore-wasm: the verification page is at http://127.0.0.1:$port/ (Ctrl-C stops it)"
exec node_modules/.bin/workerd serve worker/config.capnp --socket-addr "http=127.0.0.1:$port" \
  --directory-path "www=$PWD/www/dist"
