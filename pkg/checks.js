// Who answers the signature checks the core hands out, in WebCrypto's form (src/crypto/deferred.rs):
// the platform (WebCrypto, concurrently; node:crypto, synchronously) for what it can run, and the
// crypto module, the pure-Rust backend, for the rest.

// WebCrypto keys by algorithm and SPKI: trust-root keys recur in every bundle. Those imported
// already, to verify with at once, without waiting for the next turn of the event loop.
const keys = new Map();
const importedKeys = new Map();
const MAX_CACHED_KEYS = 256;

/**
 * Who answers the signature checks the wasm modules hand out (1 verified, 0 not): the platform
 * (WebCrypto, concurrently; node:crypto, synchronously) for what it can run, and the pure-Rust
 * backend of the crypto module, loaded on first need, for the rest: prehashed messages,
 * Ed25519ph, an algorithm the platform lacks, and every check of `verify()` in a runtime with no
 * synchronous native verification.
 */
export function checkRunner(loadWasm, platform) {
  let crypto;
  let loading;
  const cryptoReady = () => (crypto ? Promise.resolve(crypto) : (loading ??= loadWasm('crypto').then((module) => (crypto = module))));
  const cryptoSync = () => {
    crypto ??= platform.loadCryptoSync?.();
    // createVerifier loads it first where it cannot be loaded now: a bug of the package's own.
    if (!crypto) throw new Error('sigstore-wasm: the crypto module was not loaded before a synchronous verification');
    return crypto;
  };
  const inRust = (module, check) => (module.verifySignature(check.name, check.hash ?? undefined, check.prehashed, check.spki, check.message, check.signature) ? 1 : 0);

  /** Sets a check running on WebCrypto, now: `{ check, result }`, a promise of 1, 0 or 2. */
  function start(check) {
    const subtle = globalThis.crypto?.subtle;
    return { check, result: subtle && onPlatform(check) ? runCheck(subtle, check) : 2 };
  }

  /** The results of started checks, those WebCrypto could not run answered in Rust. */
  async function settle(started) {
    const results = await Promise.all(started.map((s) => s.result));
    if (!results.includes(2)) return Uint8Array.from(results);
    const module = await cryptoReady();
    return Uint8Array.from(results, (result, i) => (result === 2 ? inRust(module, started[i].check) : result));
  }

  /** Answers on WebCrypto, concurrently, and in Rust what it cannot run (a promise). */
  const answer = (checks) => settle(checks.map(start));

  /** Answers synchronously: on the runtime's native crypto where it can, else in Rust. */
  function answerSync(checks) {
    return Uint8Array.from(checks, (check) => {
      const result = platform.verifySync && onPlatform(check) ? platform.verifySync(check) : 2;
      return result === 2 ? inRust(cryptoSync(), check) : result;
    });
  }

  return { start, settle, answer, answerSync, cryptoReady };
}

/** Whether a platform API can run the check at all: none verifies a prehashed message or Ed25519ph. */
function onPlatform(check) {
  return !check.prehashed && check.name !== 'Ed25519ph';
}

/**
 * A promise of 1 verified, 0 not, 2 this platform cannot run the check (the Rust backend answers
 * it). With its key imported already, the check is handed to WebCrypto before this returns.
 */
function runCheck(subtle, check) {
  const params =
    check.name === 'ECDSA'
      ? { name: 'ECDSA', hash: check.hash }
      : check.name === 'RSA-PSS'
        ? { name: 'RSA-PSS', saltLength: check.saltLength }
        : { name: check.name };
  const id = `${check.name}/${check.namedCurve ?? check.hash ?? ''}/${hex(check.spki)}`;
  const verify = (key) => subtle.verify(params, key, check.signature, check.message).then((ok) => (ok ? 1 : 0));
  try {
    const imported = importedKeys.get(id);
    return (imported ? verify(imported) : importKey(subtle, check, id).then(verify)).catch(() => 2);
  } catch {
    return Promise.resolve(2);
  }
}

function importKey(subtle, check, id) {
  const algorithm =
    check.name === 'ECDSA'
      ? { name: 'ECDSA', namedCurve: check.namedCurve }
      : check.name === 'Ed25519'
        ? { name: 'Ed25519' }
        : { name: check.name, hash: check.hash };
  let key = keys.get(id);
  if (!key) {
    if (keys.size >= MAX_CACHED_KEYS) {
      keys.clear();
      importedKeys.clear();
    }
    key = subtle.importKey('spki', check.spki, algorithm, false, ['verify']);
    // A failed import is not cached: the next bundle may run on a platform state that works.
    key.then((imported) => keys.get(id) === key && importedKeys.set(id, imported), () => keys.delete(id));
    keys.set(id, key);
  }
  return key;
}

/** Lowercase hex. */
export function hex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

