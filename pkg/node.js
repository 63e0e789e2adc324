// Node, Deno and Bun: the module's bytes are read from the package directory, and the
// synchronous verify() runs its signature checks on node:crypto.
import { constants, createPublicKey, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createApi } from './api.js';
import * as glue from './wasm/sigstore_wasm.js';

// Keys by SPKI: trust-root keys recur in every bundle.
const keys = new Map();
const MAX_CACHED_KEYS = 256;

/**
 * A check in WebCrypto's form (crypto::deferred::WebCryptoCheck) run on node:crypto,
 * synchronously: 1 verified, 0 not, 2 not runnable here (the Rust backend then answers it).
 */
function verifySync(check) {
  try {
    const id = Buffer.from(check.spki).toString('base64');
    let key = keys.get(id);
    if (!key) {
      if (keys.size >= MAX_CACHED_KEYS) keys.clear();
      key = createPublicKey({ key: Buffer.from(check.spki), format: 'der', type: 'spki' });
      keys.set(id, key);
    }
    const options = { key };
    if (check.name === 'ECDSA') options.dsaEncoding = 'ieee-p1363';
    else if (check.name === 'RSA-PSS') Object.assign(options, { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: check.saltLength });
    else if (check.name === 'RSASSA-PKCS1-v1_5') options.padding = constants.RSA_PKCS1_PADDING;
    const hash = check.hash ? check.hash.replace('SHA-', 'sha') : null;
    return verify(hash, check.message, options, check.signature) ? 1 : 0;
  } catch {
    return 2;
  }
}

const api = createApi(
  async () => {
    glue.initSync({ module: await readFile(new URL('./wasm/sigstore_wasm_bg.wasm', import.meta.url)) });
    return glue;
  },
  { verifySync },
);

export const { createVerifier, createDigester, claimedDigest, downloadSubject, verifyBundle, verifyImage, verifyImageAttestations, verifyAttestations, getLogEntry, searchLogEntries, VerificationError } =
  api;
