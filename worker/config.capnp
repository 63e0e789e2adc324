# workerd configuration of the worker (worker.js): the page, its registry proxy and the gate on
# 127.0.0.1:8080 (scripts/run.sh and the tests pass their own --socket-addr).
#
#   workerd serve worker/config.capnp --directory-path www=www/dist
#
# Settings come from the environment, so that one file serves both (unset: production):
#   SIGSTORE_WASM_ALLOW_LOOPBACK=true   the proxy may reach 127.0.0.1 over http (tests only)
#   SIGSTORE_WASM_REGISTRIES=<json>     replaces the registry list of registries.js
#   SIGSTORE_WASM_CONNECT_SRC=<sources> added to the page's CSP connect-src (tests' servers)
#   SIGSTORE_WASM_GATE_POLICY=<json>    replaces the gate's policy file, gate.json
# Cloudflare reads wrangler.toml instead, with the same names as plain variables.
#
# Module names are the files' paths from the repository root, so that relative imports resolve as
# on disk (and as wrangler bundles them).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "www", disk = (writable = false)),
    (name = "outbound", network = (allow = ["public", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8080", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker/worker.js", esModule = embed "worker.js"),
    (name = "worker/proxy.js", esModule = embed "proxy.js"),
    (name = "worker/net.js", esModule = embed "net.js"),
    (name = "worker/registries.js", esModule = embed "registries.js"),
    (name = "worker/gate.json", json = embed "gate.json"),
    (name = "worker/gate/gate.js", esModule = embed "gate/gate.js"),
    (name = "worker/gate/policy.js", esModule = embed "gate/policy.js"),
    (name = "worker/gate/decide.js", esModule = embed "gate/decide.js"),
    (name = "worker/gate/decision.js", esModule = embed "gate/decision.js"),
    (name = "worker/gate/digest.js", esModule = embed "gate/digest.js"),
    (name = "worker/gate/verdicts.js", esModule = embed "gate/verdicts.js"),
    (name = "worker/gate/files.js", esModule = embed "gate/files.js"),
    (name = "worker/gate/images.js", esModule = embed "gate/images.js"),
    (name = "pkg/workerd.js", esModule = embed "../pkg/workerd.js"),
    (name = "pkg/api.js", esModule = embed "../pkg/api.js"),
    (name = "pkg/tuf.js", esModule = embed "../pkg/tuf.js"),
    (name = "pkg/checks.js", esModule = embed "../pkg/checks.js"),
    (name = "pkg/errors.js", esModule = embed "../pkg/errors.js"),
    (name = "pkg/flags.js", esModule = embed "../pkg/flags.js"),
    (name = "pkg/session.js", esModule = embed "../pkg/session.js"),
    (name = "pkg/wasm/sigstore_wasm.js", esModule = embed "../pkg/wasm/sigstore_wasm.js"),
    (name = "pkg/wasm/sigstore_wasm_bg.wasm", wasm = embed "../pkg/wasm/sigstore_wasm_bg.wasm"),
    (name = "pkg/wasm/sigstore_wasm_image.js", esModule = embed "../pkg/wasm/sigstore_wasm_image.js"),
    (name = "pkg/wasm/sigstore_wasm_image_bg.wasm", wasm = embed "../pkg/wasm/sigstore_wasm_image_bg.wasm"),
    (name = "pkg/wasm/sigstore_wasm_log.js", esModule = embed "../pkg/wasm/sigstore_wasm_log.js"),
    (name = "pkg/wasm/sigstore_wasm_log_bg.wasm", wasm = embed "../pkg/wasm/sigstore_wasm_log_bg.wasm"),
    (name = "pkg/wasm/sigstore_wasm_packages.js", esModule = embed "../pkg/wasm/sigstore_wasm_packages.js"),
    (name = "pkg/wasm/sigstore_wasm_packages_bg.wasm", wasm = embed "../pkg/wasm/sigstore_wasm_packages_bg.wasm"),
    (name = "pkg/wasm/sigstore_wasm_tuf.js", esModule = embed "../pkg/wasm/sigstore_wasm_tuf.js"),
    (name = "pkg/wasm/sigstore_wasm_tuf_bg.wasm", wasm = embed "../pkg/wasm/sigstore_wasm_tuf_bg.wasm"),
    (name = "pkg/wasm/sigstore_wasm_crypto.js", esModule = embed "../pkg/wasm/sigstore_wasm_crypto.js"),
    (name = "pkg/wasm/github_root.js", esModule = embed "../pkg/wasm/github_root.js"),
    (name = "pkg/wasm/sigstore_wasm_crypto_bg.wasm", wasm = embed "../pkg/wasm/sigstore_wasm_crypto_bg.wasm"),
  ],
  bindings = [
    (name = "ASSETS", service = "www"),
    (name = "ALLOW_LOOPBACK", fromEnvironment = "SIGSTORE_WASM_ALLOW_LOOPBACK"),
    (name = "REGISTRIES", fromEnvironment = "SIGSTORE_WASM_REGISTRIES"),
    (name = "CONNECT_SRC", fromEnvironment = "SIGSTORE_WASM_CONNECT_SRC"),
    (name = "GATE_POLICY", fromEnvironment = "SIGSTORE_WASM_GATE_POLICY"),
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "outbound",
);
