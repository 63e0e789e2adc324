// Builds the verification page into www/dist: the page's modules bundled with the npm package
// (esbuild, the `browser` condition), the package's .wasm modules beside them, and the built-in samples,
// real bundles copied from tests/data (one source of truth) with their artifacts.
//
//   node www/build.mjs        (scripts/build-www.sh: after the package is built)
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'www/dist');

/** The samples: real bundles that verify against the embedded production root, offline. */
const SAMPLES = [
  { name: 'npm-provenance-sigstore-2.0.0', title: 'npm provenance of sigstore@2.0.0 (SLSA v1, GitHub Actions)', artifactName: 'sigstore-2.0.0.tgz' },
  { name: 'pypi-attestation-models-0.0.4a2', title: 'PyPI publish attestation of pypi-attestation-models 0.0.4a2', artifactName: 'pypi_attestation_models-0.0.4a2.tar.gz' },
  { name: 'rekor2-prod-hashedrekord', title: 'A message signature logged in production Rekor v2, with a timestamp', artifactName: 'artifact' },
];

const wasm = join(ROOT, 'pkg/wasm/sigstore_wasm_bg.wasm');
if (!existsSync(wasm)) throw new Error('pkg/wasm is missing: run scripts/build-pkg.sh first');

rmSync(DIST, { recursive: true, force: true });
mkdirSync(join(DIST, 'wasm'), { recursive: true });
// The page, and the worker it hashes large artifacts in. Split: each module's glue is a chunk of
// its own, fetched with its module, when a verification first needs it.
const { metafile } = await build({
  entryPoints: [join(ROOT, 'www/app.js'), join(ROOT, 'www/hash-worker.js')],
  bundle: true,
  splitting: true,
  // At the top of dist/, as app.js: browser.js finds the modules at ./wasm/ from import.meta.url.
  chunkNames: '[name]-[hash]',
  format: 'esm',
  target: 'es2022',
  conditions: ['browser'],
  alias: { 'sigstore-wasm': join(ROOT, 'pkg/browser.js') },
  outdir: DIST,
  metafile: true,
  logLevel: 'warning',
});
// What each output imports, for bench/size.mjs (what a first visit fetches), outside what is served.
mkdirSync(join(ROOT, 'target'), { recursive: true });
writeFileSync(join(ROOT, 'target/www-metafile.json'), JSON.stringify(metafile));
for (const file of ['index.html', 'style.css']) copyFileSync(join(ROOT, 'www', file), join(DIST, file));
// Every module of the package, each fetched only when a verification needs it.
for (const file of readdirSync(join(ROOT, 'pkg/wasm')).filter((name) => name.endsWith('_bg.wasm'))) copyFileSync(join(ROOT, 'pkg/wasm', file), join(DIST, 'wasm', file));

const index = SAMPLES.map((sample) => {
  const from = join(ROOT, 'tests/data/realworld', sample.name);
  const to = join(DIST, 'samples', sample.name);
  mkdirSync(to, { recursive: true });
  for (const file of ['bundle.sigstore.json', 'artifact']) copyFileSync(join(from, file), join(to, file));
  const text = (file) => readFileSync(join(from, file), 'utf8').trim();
  return { ...sample, identity: text('identity'), issuer: text('issuer') };
});
writeFileSync(join(DIST, 'samples/samples.json'), `${JSON.stringify(index, null, 2)}\n`);
console.error(`www/dist: the page, ${index.length} samples`);
