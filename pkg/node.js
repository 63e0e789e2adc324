// Node, Deno and Bun: the module's bytes are read from the package directory, and the
// synchronous verify() runs its signature checks on node:crypto.
import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { createApi } from './api.js';
import * as cryptoGlue from './wasm/sigstore_wasm_crypto.js';

// Keys by SPKI: trust-root keys recur in every bundle.
const keys = new Map();
const MAX_CACHED_KEYS = 256;

/**
 * A check in WebCrypto's form (crypto::deferred::WebCryptoCheck) run on node:crypto,
 * synchronously: 1 verified, 0 not, 2 not runnable here (the crypto module then answers it).
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

/**
 * A TUF cache in a directory: `dir`, or one per repository under `$XDG_CACHE_HOME/sigstore-wasm/tuf`.
 * Each file is written whole to a temporary name and renamed into place, so two processes
 * refreshing at once never leave a torn file; any mix of their files is re-verified on the next read.
 */
export function fileCache(url, dir) {
  const root = dir ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'sigstore-wasm', 'tuf', encodeURIComponent(url));
  const path = (name) => {
    // Names come from the core, percent-encoded; refuse anything that could leave the directory.
    if (name.split('/').some((part) => part === '' || part === '.' || part === '..') || /[\0\\]/.test(name)) {
      throw new Error(`unexpected cache entry name ${JSON.stringify(name)}`);
    }
    return join(root, ...name.split('/'));
  };
  return {
    async read() {
      const files = new Map();
      for (const entry of await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])) {
        if (!entry.isFile() || entry.name.includes('.tmp-')) continue;
        const full = join(entry.parentPath ?? entry.path, entry.name);
        files.set(full.slice(root.length + 1).split(sep).join('/'), new Uint8Array(await readFile(full)));
      }
      return files;
    },
    async write(entries) {
      for (const { name, bytes } of entries) {
        const target = path(name);
        await mkdir(dirname(target), { recursive: true });
        const temporary = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
        await writeFile(temporary, bytes);
        await rename(temporary, target);
      }
    },
  };
}

// Each module's glue, imported when a call first needs it (no cost at import time), but the
// crypto module's (the pure-Rust signature backend), read synchronously when a check first needs
// it, which may be in the middle of a synchronous verify().
const GLUE = {
  bundle: () => import('./wasm/sigstore_wasm.js'),
  image: () => import('./wasm/sigstore_wasm_image.js'),
  log: () => import('./wasm/sigstore_wasm_log.js'),
  packages: () => import('./wasm/sigstore_wasm_packages.js'),
  tuf: () => import('./wasm/sigstore_wasm_tuf.js'),
};
const wasmFile = (glue) => new URL(`./wasm/${glue}_bg.wasm`, import.meta.url);

const loadCryptoSync = () => {
  cryptoGlue.initSync({ module: readFileSync(wasmFile('sigstore_wasm_crypto')) });
  return cryptoGlue;
};

const api = createApi(
  async (name) => {
    if (name === 'crypto') return loadCryptoSync();
    const glue = await GLUE[name]();
    const file = name === 'bundle' ? 'sigstore_wasm' : `sigstore_wasm_${name}`;
    glue.initSync({ module: await readFile(wasmFile(file)) });
    return glue;
  },
  { verifySync, loadCryptoSync, tufCache: (url) => fileCache(url), createHash },
);

export const { tufUpdate, createVerifier, cachedVerifier, describeTrustedRoot, createDigester, claimedDigest, downloadSubject, verifyBundle, verifyImage, verifyImageAttestations, verifyAttestations, getLogEntry, searchLogEntries, VerificationError } =
  api;
export { cacheStorageCache, kvCache, memoryCache } from './tuf.js';
export { readBody } from './session.js';
export { cliArgs } from './flags.js';
