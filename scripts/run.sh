#!/usr/bin/env bash
# Verifies a bundle from the command line against the embedded Sigstore production trusted root.
#
#   scripts/run.sh                      # the npm provenance of sigstore@2.0.0, a real bundle
#   scripts/run.sh verify-bundle ARGS   # your own bundle: see `scripts/run.sh verify-bundle --help`
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet --release --bin sigstore-wasm
if [ $# -gt 0 ]; then
  exec target/release/sigstore-wasm "$@"
fi
example=tests/data/realworld/npm-provenance-sigstore-2.0.0
set -x
exec target/release/sigstore-wasm verify-bundle \
  --bundle "$example/bundle.sigstore.json" \
  --certificate-identity "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main" \
  --certificate-oidc-issuer "https://token.actions.githubusercontent.com" \
  --certificate-github-workflow-repository sigstore/sigstore-js \
  "$example/artifact"
