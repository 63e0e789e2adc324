// Bytes per crate: where the module's code goes. twiggy (`cargo install twiggy`; bench/run.sh
// installs it) lists every function of the module as cargo built it, before wasm-opt, when the
// names are still there; each function counts for the crate its path starts with. A generic
// function counts for the crate that defines it, wherever it was instantiated (serde_json's
// deserializers, made for our types, count for serde_json). Sections that are not code (names,
// wasm-bindgen's metadata, data) are listed apart. Prints one JSON object (bytes).
import { spawnSync } from 'node:child_process';

// The verifier's module, as scripts/build-pkg.sh keeps it before wasm-opt.
const MODULE = process.argv[2] ?? 'target/wasm-modules/sigstore_wasm.wasm';
const run = spawnSync('twiggy', ['top', '-n', '1000000', '--format', 'json', MODULE], { maxBuffer: 256 << 20, encoding: 'utf8' });
if (run.status !== 0) throw new Error(`twiggy failed: ${run.stderr || run.error}`);
const crates = {};
const sections = {};
let code = 0;
for (const { name, shallow_size: bytes } of JSON.parse(run.stdout)) {
  if (/^("function names"|custom section|data segment)/.test(name)) {
    sections[name] = bytes;
    continue;
  }
  // The first path in the name: `sha2::sha256::compress256`, `<p384::Scalar as ...>::mul`.
  const crate = /([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(name)?.[1] ?? '(unnamed)';
  crates[crate] = (crates[crate] ?? 0) + bytes;
  code += bytes;
}
const top = Object.entries(crates).sort((a, b) => b[1] - a[1]);
console.log(JSON.stringify({ module: MODULE, code, crates: Object.fromEntries(top), sections }));
