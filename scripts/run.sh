#!/usr/bin/env bash
# Verifies a bundle from the command line against the embedded Sigstore production trusted root,
# with the npm package's CLI (built first, with everything it needs).
#
#   scripts/run.sh                      # the npm provenance of sigstore@2.0.0, a real bundle
#   scripts/run.sh verify-bundle ARGS   # your own bundle: see `scripts/run.sh --help`
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build-pkg.sh
if [ $# -gt 0 ]; then
  exec node pkg/cli.js "$@"
fi
example=tests/data/realworld/npm-provenance-sigstore-2.0.0
set -x
exec node pkg/cli.js verify-bundle \
  --bundle "$example/bundle.sigstore.json" \
  --certificate-identity "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main" \
  --certificate-oidc-issuer "https://token.actions.githubusercontent.com" \
  --certificate-github-workflow-repository sigstore/sigstore-js \
  "$example/artifact"
