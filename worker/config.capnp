# workerd configuration of the worker (worker.js): the page and its registry proxy on
# 127.0.0.1:8080 (scripts/run.sh and the tests pass their own --socket-addr).
#
#   workerd serve worker/config.capnp --directory-path www=www/dist
#
# Settings come from the environment, so that one file serves both (unset: production):
#   SIGSTORE_WASM_ALLOW_LOOPBACK=true   the proxy may reach 127.0.0.1 over http (tests only)
#   SIGSTORE_WASM_REGISTRIES=<json>     replaces the registry list of registries.js
#   SIGSTORE_WASM_CONNECT_SRC=<sources> added to the page's CSP connect-src (tests' servers)
# Cloudflare reads wrangler.toml instead, with the same names as plain variables.
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
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "proxy.js", esModule = embed "proxy.js"),
    (name = "registries.js", esModule = embed "registries.js"),
  ],
  bindings = [
    (name = "ASSETS", service = "www"),
    (name = "ALLOW_LOOPBACK", fromEnvironment = "SIGSTORE_WASM_ALLOW_LOOPBACK"),
    (name = "REGISTRIES", fromEnvironment = "SIGSTORE_WASM_REGISTRIES"),
    (name = "CONNECT_SRC", fromEnvironment = "SIGSTORE_WASM_CONNECT_SRC"),
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "outbound",
);
