// Download size: gzip -9 of what a page downloads, each file gzipped on its own as a server sends
// it. sigstore-wasm: the bundle module and the package's JavaScript a browser loads to verify a
// bundle (browser.js, api.js, tuf.js, wasm/sigstore_wasm.js); and each way into the verification
// page (www/dist, as www/build.mjs builds it) as a first visit fetches it before its first
// verdict: the page's files and the one module of that way (tests/js/www checks that it fetches
// that one). sigstore-browser: its esbuild bundle (minified), gzipped. Prints one JSON object (bytes).
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
// The page's files a first visit fetches: index.html, its stylesheet, app.js and what app.js
// imports statically (esbuild's metafile, which www/build.mjs writes); then, for each way in, the
// glue chunk of its module (a dynamic import) and the module.
const WAYS = { bundle: 'sigstore_wasm', image: 'sigstore_wasm_image', log: 'sigstore_wasm_log', packages: 'sigstore_wasm_packages' };
const { outputs } = JSON.parse(readFileSync(new URL('../target/www-metafile.json', import.meta.url), 'utf8'));
const gzipOf = (f) => gzip9(readFileSync(new URL(`../${f}`, import.meta.url)));
const staticImports = (file) => [file, ...outputs[file].imports.filter((i) => i.kind === 'import-statement').flatMap((i) => staticImports(i.path))];
const pageFiles = ['www/dist/index.html', 'www/dist/style.css', ...new Set(staticImports('www/dist/app.js'))];
const pageGzip = pageFiles.reduce((sum, f) => sum + gzipOf(f), 0);
const ways = {};
for (const [way, module] of Object.entries(WAYS)) {
  const glue = Object.keys(outputs).find((f) => outputs[f].entryPoint === `pkg/wasm/${module}.js`);
  if (!glue) throw new Error(`no chunk of pkg/wasm/${module}.js in the page's build`);
  const wasm = gzipOf(`pkg/wasm/${module}_bg.wasm`);
  ways[way] = { gzip: pageGzip + gzipOf(glue) + wasm, module: wasm };
}
const bundle = await bundleSigstoreBrowser();
console.log(JSON.stringify({ ours, ways, page: { files: pageFiles, gzip: pageGzip }, tuf, crypto, sigstoreBrowser: { raw: bundle.length, gzip: gzip9(bundle) } }));
