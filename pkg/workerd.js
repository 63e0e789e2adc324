// Cloudflare Workers and workerd refuse to compile WebAssembly from bytes at run time: the module
// is imported (compiled by the runtime when the worker loads) and instantiated here.
import { createApi } from './api.js';
import { runtimeCache } from './tuf.js';
import * as glue from './wasm/sigstore_wasm.js';
import module from './wasm/sigstore_wasm_bg.wasm';

const api = createApi(async () => {
  glue.initSync({ module });
  return glue;
}, { tufCache: runtimeCache });


export const { tufUpdate, createVerifier, createDigester, claimedDigest, downloadSubject, verifyBundle, verifyImage, verifyImageAttestations, verifyAttestations, getLogEntry, searchLogEntries, VerificationError } =
  api;
export { cacheStorageCache, kvCache, memoryCache } from './tuf.js';
