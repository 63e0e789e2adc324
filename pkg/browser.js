// Browsers and bundlers: the module is fetched next to this file (bundlers such as Vite resolve
// the URL as an asset).
import { createApi } from './api.js';
import { runtimeCache } from './tuf.js';
import * as glue from './wasm/sigstore_wasm.js';

// Each module's URL written out, so that bundlers find them as assets; the TUF client's is fetched
// only when a trusted root is refreshed through TUF, the crypto module's (the pure-Rust signature
// backend) only when a check needs it or createVerifier is called (its verify() is synchronous).
const api = createApi(async (name) => {
  if (name === 'tuf') {
    const tufGlue = await import('./wasm/sigstore_wasm_tuf.js');
    await tufGlue.default({ module_or_path: new URL('./wasm/sigstore_wasm_tuf_bg.wasm', import.meta.url) });
    return tufGlue;
  }
  if (name === 'crypto') {
    const cryptoGlue = await import('./wasm/sigstore_wasm_crypto.js');
    await cryptoGlue.default({ module_or_path: new URL('./wasm/sigstore_wasm_crypto_bg.wasm', import.meta.url) });
    return cryptoGlue;
  }
  await glue.default({ module_or_path: new URL('./wasm/sigstore_wasm_bg.wasm', import.meta.url) });
  return glue;
}, { tufCache: runtimeCache });


export const { tufUpdate, createVerifier, cachedVerifier, describeTrustedRoot, createDigester, claimedDigest, downloadSubject, verifyBundle, verifyImage, verifyImageAttestations, verifyAttestations, getLogEntry, searchLogEntries, VerificationError } =
  api;
export { cacheStorageCache, kvCache, memoryCache } from './tuf.js';
export { readBody } from './session.js';
export { cliArgs } from './flags.js';
