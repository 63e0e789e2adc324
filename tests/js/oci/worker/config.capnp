# workerd configuration for the image and Rekor cases (tests/js/oci/run.mjs runs
# `workerd serve config.capnp --socket-addr http=127.0.0.1:<port>`).
#
# Module names are the files' paths from the repository root, so that relative imports resolve as
# on disk. The worker's fetch goes out through `loopback`, a network that may reach 127.0.0.1,
# where the test registry, proxies and Rekor servers listen (workerd's default reaches only public
# addresses).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .ociWorker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8788", http = (), service = "main") ],
);

const ociWorker :Workerd.Worker = (
  modules = [
    (name = "tests/js/oci/worker/worker.js", esModule = embed "worker.js"),
    (name = "tests/js/oci/cases.mjs", esModule = embed "../cases.mjs"),
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
  globalOutbound = "loopback",
);
