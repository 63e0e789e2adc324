// @freedomofpress/sigstore-browser as a page would ship it: esbuild, bundled, minified, ESM,
// only what `SigstoreVerifier` needs (tree-shaken). Used for the download size and the page.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export async function bundleSigstoreBrowser() {
  const result = await build({
    stdin: {
      contents: "export { SigstoreVerifier } from '@freedomofpress/sigstore-browser';",
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
      loader: 'js',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].contents;
}
