// Cloudflare Workers and workerd refuse to compile WebAssembly from bytes at run time: the modules
// are imported (compiled by the runtime when the worker loads) and each instantiated here when a
// call first needs it.
import { createApi } from './api.js';
import { runtimeCache } from './tuf.js';
import * as bundleGlue from './wasm/sigstore_wasm.js';
import bundleModule from './wasm/sigstore_wasm_bg.wasm';
import * as imageGlue from './wasm/sigstore_wasm_image.js';
import imageModule from './wasm/sigstore_wasm_image_bg.wasm';
import * as logGlue from './wasm/sigstore_wasm_log.js';
import logModule from './wasm/sigstore_wasm_log_bg.wasm';
import * as packagesGlue from './wasm/sigstore_wasm_packages.js';
import packagesModule from './wasm/sigstore_wasm_packages_bg.wasm';
import * as tufGlue from './wasm/sigstore_wasm_tuf.js';
import tufModule from './wasm/sigstore_wasm_tuf_bg.wasm';
import * as cryptoGlue from './wasm/sigstore_wasm_crypto.js';
import cryptoModule from './wasm/sigstore_wasm_crypto_bg.wasm';

const MODULES = {
  bundle: [bundleGlue, bundleModule],
  image: [imageGlue, imageModule],
  log: [logGlue, logModule],
  packages: [packagesGlue, packagesModule],
  tuf: [tufGlue, tufModule],
  crypto: [cryptoGlue, cryptoModule],
};

// Synchronously: the crypto module may be needed in the middle of a synchronous verify().
const loadSync = (name) => {
  const [glue, module] = MODULES[name];
  glue.initSync({ module });
  return glue;
};

const api = createApi(async (name) => loadSync(name), { loadCryptoSync: () => loadSync('crypto'), tufCache: runtimeCache });

export const { tufUpdate, createVerifier, cachedVerifier, describeTrustedRoot, createDigester, claimedDigest, downloadSubject, verifyBundle, verifyImage, verifyImageAttestations, verifyAttestations, getLogEntry, searchLogEntries, VerificationError } =
  api;
export { cacheStorageCache, kvCache, memoryCache } from './tuf.js';
export { readBody } from './session.js';
export { cliArgs } from './flags.js';
