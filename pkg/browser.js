// Browsers and bundlers: each module is fetched next to this file (bundlers such as Vite resolve
// the URLs as assets), when a call first needs it.
import { createApi } from './api.js';
import { runtimeCache } from './tuf.js';

// Each module's glue and URL written out, so that bundlers find them: the bundle module's for
// bundles; the image, log and packages modules' for image verification, Rekor lookups and package
// attestations; the TUF client's when a trusted root is refreshed through TUF; the crypto
// module's (the pure-Rust signature backend) when a check needs it or createVerifier is called
// (its verify() is synchronous).
const MODULES = {
  bundle: () => [import('./wasm/sigstore_wasm.js'), new URL('./wasm/sigstore_wasm_bg.wasm', import.meta.url)],
  image: () => [import('./wasm/sigstore_wasm_image.js'), new URL('./wasm/sigstore_wasm_image_bg.wasm', import.meta.url)],
  log: () => [import('./wasm/sigstore_wasm_log.js'), new URL('./wasm/sigstore_wasm_log_bg.wasm', import.meta.url)],
  packages: () => [import('./wasm/sigstore_wasm_packages.js'), new URL('./wasm/sigstore_wasm_packages_bg.wasm', import.meta.url)],
  tuf: () => [import('./wasm/sigstore_wasm_tuf.js'), new URL('./wasm/sigstore_wasm_tuf_bg.wasm', import.meta.url)],
  crypto: () => [import('./wasm/sigstore_wasm_crypto.js'), new URL('./wasm/sigstore_wasm_crypto_bg.wasm', import.meta.url)],
};

const api = createApi(async (name) => {
  const [imported, url] = MODULES[name]();
  const glue = await imported;
  await glue.default({ module_or_path: url });
  return glue;
}, { tufCache: runtimeCache });

export const { tufUpdate, createVerifier, cachedVerifier, describeTrustedRoot, createDigester, claimedDigest, downloadSubject, verifyBundle, verifyImage, verifyImageAttestations, verifyAttestations, getLogEntry, searchLogEntries, VerificationError } =
  api;
export { cacheStorageCache, kvCache, memoryCache } from './tuf.js';
export { readBody } from './session.js';
export { cliArgs } from './flags.js';
