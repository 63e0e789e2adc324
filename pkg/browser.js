// Browsers and bundlers: the module is fetched next to this file (bundlers such as Vite resolve
// the URL as an asset).
import { createApi } from './api.js';
import { runtimeCache } from './tuf.js';
import * as glue from './wasm/sigstore_wasm.js';

const api = createApi(async () => {
  await glue.default({ module_or_path: new URL('./wasm/sigstore_wasm_bg.wasm', import.meta.url) });
  return glue;
}, { tufCache: runtimeCache });


export const { tufUpdate, createVerifier, createDigester, claimedDigest, downloadSubject, verifyBundle, verifyImage, verifyImageAttestations, verifyAttestations, getLogEntry, searchLogEntries, VerificationError } =
  api;
export { cacheStorageCache, kvCache, memoryCache } from './tuf.js';
