# workerd configuration for the smoke test (tests/js/runtimes/workerd.mjs runs
# `workerd serve config.capnp --socket-addr http=127.0.0.1:<port>`).
#
# Module names are the files' paths from the repository root, so the relative imports resolve in
# workerd exactly as on disk: worker.js imports ../../../../pkg/workerd.js, which imports ./api.js,
# ./wasm/sigstore_wasm.js and ./wasm/sigstore_wasm_bg.wasm (a `wasm` module: workerd compiles it
# when the worker loads). `embed` paths are relative to this file; pkg/wasm/ must be built.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .smokeWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const smokeWorker :Workerd.Worker = (
  modules = [
    (name = "tests/js/runtimes/worker/worker.js", esModule = embed "worker.js"),
    (name = "tests/js/runtimes/smoke.js", esModule = embed "../smoke.js"),
    (name = "pkg/workerd.js", esModule = embed "../../../../pkg/workerd.js"),
    (name = "pkg/api.js", esModule = embed "../../../../pkg/api.js"),
    (name = "pkg/tuf.js", esModule = embed "../../../../pkg/tuf.js"),
    (name = "pkg/checks.js", esModule = embed "../../../../pkg/checks.js"),
    (name = "pkg/errors.js", esModule = embed "../../../../pkg/errors.js"),
    (name = "pkg/flags.js", esModule = embed "../../../../pkg/flags.js"),
    (name = "pkg/session.js", esModule = embed "../../../../pkg/session.js"),
    (name = "pkg/wasm/sigstore_wasm.js", esModule = embed "../../../../pkg/wasm/sigstore_wasm.js"),
    (name = "pkg/wasm/sigstore_wasm_bg.wasm", wasm = embed "../../../../pkg/wasm/sigstore_wasm_bg.wasm"),
    (name = "pkg/wasm/sigstore_wasm_image.js", esModule = embed "../../../../pkg/wasm/sigstore_wasm_image.js"),
    (name = "pkg/wasm/sigstore_wasm_image_bg.wasm", wasm = embed "../../../../pkg/wasm/sigstore_wasm_image_bg.wasm"),
    (name = "pkg/wasm/sigstore_wasm_log.js", esModule = embed "../../../../pkg/wasm/sigstore_wasm_log.js"),
    (name = "pkg/wasm/sigstore_wasm_log_bg.wasm", wasm = embed "../../../../pkg/wasm/sigstore_wasm_log_bg.wasm"),
    (name = "pkg/wasm/sigstore_wasm_packages.js", esModule = embed "../../../../pkg/wasm/sigstore_wasm_packages.js"),
    (name = "pkg/wasm/sigstore_wasm_packages_bg.wasm", wasm = embed "../../../../pkg/wasm/sigstore_wasm_packages_bg.wasm"),
    (name = "pkg/wasm/sigstore_wasm_tuf.js", esModule = embed "../../../../pkg/wasm/sigstore_wasm_tuf.js"),
    (name = "pkg/wasm/sigstore_wasm_tuf_bg.wasm", wasm = embed "../../../../pkg/wasm/sigstore_wasm_tuf_bg.wasm"),
    (name = "pkg/wasm/sigstore_wasm_crypto.js", esModule = embed "../../../../pkg/wasm/sigstore_wasm_crypto.js"),
    (name = "pkg/wasm/github_root.js", esModule = embed "../../../../pkg/wasm/github_root.js"),
    (name = "pkg/wasm/sigstore_wasm_crypto_bg.wasm", wasm = embed "../../../../pkg/wasm/sigstore_wasm_crypto_bg.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);
