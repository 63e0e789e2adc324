# workerd configuration of the TUF suite's workers (tests/js/tuf/run.mjs runs `workerd serve
# config.capnp --socket-addr http=127.0.0.1:<port> --socket-addr nocache=127.0.0.1:<port>`).
#
#   tuf      worker.js, its Cache API backed by `cache` (cache.js, a store in memory): the Cache API
#            as Cloudflare's edge has it
#   nocache  the same worker without cacheApiOutbound: workerd as it comes, no cache configured
#
# Both reach nothing but 127.0.0.1 (the TUF server). Module names are the files' paths from the
# repository root, so the relative imports resolve in workerd as on disk; `embed` paths are
# relative to this file; pkg/wasm/ must be built.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "tuf", worker = .tufWorker),
    (name = "nocache", worker = .noCacheWorker),
    (name = "cache", worker = .cacheWorker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8788", http = (), service = "tuf"),
    (name = "nocache", address = "127.0.0.1:8789", http = (), service = "nocache"),
  ],
);

const modules :List(Workerd.Worker.Module) = [
  (name = "tests/js/tuf/worker/worker.js", esModule = embed "worker.js"),
  (name = "tests/js/tuf/suite.js", esModule = embed "../suite.js"),
  (name = "tests/js/runtimes/smoke.js", esModule = embed "../../runtimes/smoke.js"),
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
];

const tufWorker :Workerd.Worker = (
  modules = .modules,
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
  cacheApiOutbound = "cache",
);

const noCacheWorker :Workerd.Worker = (
  modules = .modules,
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
);

const cacheWorker :Workerd.Worker = (
  modules = [ (name = "tests/js/tuf/worker/cache.js", esModule = embed "cache.js") ],
  compatibilityDate = "2025-01-01",
);
