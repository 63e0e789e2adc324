// Cloudflare Workers and workerd refuse to compile WebAssembly from bytes at run time: the module
// is imported (compiled by the runtime when the worker loads) and instantiated here.
import { createApi } from './api.js';
import { runtimeCache } from './tuf.js';
import * as glue from './wasm/sigstore_wasm.js';
import module from './wasm/sigstore_wasm_bg.wasm';
import * as tufGlue from './wasm/sigstore_wasm_tuf.js';
import tufModule from './wasm/sigstore_wasm_tuf_bg.wasm';
import * as cryptoGlue from './wasm/sigstore_wasm_crypto.js';
import cryptoModule from './wasm/sigstore_wasm_crypto_bg.wasm';

// Every module is compiled when the worker loads; the TUF client's is instantiated only when a
// trusted root is refreshed through TUF, the crypto module's (the pure-Rust signature backend) only
// when a check needs it, which may be in the middle of a synchronous verify().
const loadCryptoSync = () => {
  cryptoGlue.initSync({ module: cryptoModule });
  return cryptoGlue;
};

const api = createApi(async (name) => {
  if (name === 'tuf') {
    tufGlue.initSync({ module: tufModule });
    return tufGlue;
  }
  if (name === 'crypto') return loadCryptoSync();
  glue.initSync({ module });
  return glue;
}, { loadCryptoSync, tufCache: runtimeCache });


export const { tufUpdate, createVerifier, cachedVerifier, describeTrustedRoot, createDigester, claimedDigest, downloadSubject, verifyBundle, verifyImage, verifyImageAttestations, verifyAttestations, getLogEntry, searchLogEntries, VerificationError } =
  api;
export { cacheStorageCache, kvCache, memoryCache } from './tuf.js';
export { readBody } from './session.js';
export { cliArgs } from './flags.js';
