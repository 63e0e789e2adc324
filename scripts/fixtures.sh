#!/usr/bin/env bash
# Writes what the package's tests read, minted by the private Sigstore instance (tests/support),
# into target/tmp: the image world of tests/oci.rs (oci-world: images, signatures, Rekor logs and
# the cases the JS runners run), the gate's artifacts and bundles (gate-fixtures) and the page's
# hostile and large ones (page-fixtures*). Each writer checks what it writes before writing it.
# The writers are ignored tests, so that `cargo test` writes nothing as a side effect.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --quiet --test oci --test gate_fixtures --test page_fixtures -- --ignored
