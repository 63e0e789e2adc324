// Download size: gzip -9 of what a page downloads. sigstore-wasm: the .wasm and the package's
// JavaScript a browser loads (browser.js, api.js, tuf.js, wasm/sigstore_wasm.js), each file gzipped on
// its own as a server sends it. sigstore-browser: its esbuild bundle (minified), gzipped.
// Prints one JSON object (bytes).
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { bundleSigstoreBrowser } from './sigstore-browser-bundle.mjs';

const gzip9 = (bytes) => {
  const r = spawnSync('gzip', ['-9c'], { input: bytes, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`gzip failed: ${r.stderr}`);
  return r.stdout.length;
};

const files = ['pkg/wasm/sigstore_wasm_bg.wasm', 'pkg/browser.js', 'pkg/api.js', 'pkg/tuf.js', 'pkg/wasm/sigstore_wasm.js'];
const ours = { files: {}, raw: 0, gzip: 0 };
for (const f of files) {
  const bytes = readFileSync(new URL(`../${f}`, import.meta.url));
  const gz = gzip9(bytes);
  ours.files[f] = { raw: bytes.length, gzip: gz };
  ours.raw += bytes.length;
  ours.gzip += gz;
}
// The modules fetched only when needed (wasm-pack.toml): the TUF client, with a trusted root
// refreshed through TUF; the crypto module (the pure-Rust signature backend), for a check the
// platform cannot run, or with createVerifier in a browser (its verify() is synchronous).
const later = (name) => {
  const sizes = { raw: 0, gzip: 0 };
  for (const f of [`pkg/wasm/${name}_bg.wasm`, `pkg/wasm/${name}.js`]) {
    const bytes = readFileSync(new URL(`../${f}`, import.meta.url));
    sizes.raw += bytes.length;
    sizes.gzip += gzip9(bytes);
  }
  return sizes;
};
const tuf = later('sigstore_wasm_tuf');
const crypto = later('sigstore_wasm_crypto');
const bundle = await bundleSigstoreBrowser();
console.log(JSON.stringify({ ours, tuf, crypto, sigstoreBrowser: { raw: bundle.length, gzip: gzip9(bundle) } }));
