// The runtime-independent JavaScript API. Each entry point (node.js, browser.js, workerd.js)
// passes in how to load the WebAssembly module on its runtime; everything else is here.

const encoder = new TextEncoder();

/** A failed verification: `code` names the check (see the README), `message` says why. */
export class VerificationError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'VerificationError';
    this.code = code;
  }
}

/**
 * @param {() => Promise<any>} loadWasm resolves to the initialised wasm-bindgen module
 */
export function createApi(loadWasm) {
  let wasm;
  const ready = () => (wasm ??= loadWasm());
  const verifiers = new Map();

  async function createVerifier(options = {}) {
    const { trustedRoot = 'production', ...policy } = options;
    const module = await ready();
    const root = rootText(trustedRoot);
    const subtle = globalThis.crypto?.subtle;
    // The trust root's own chains are checked once, here: on WebCrypto when there is one.
    const inner = subtle
      ? await drive(subtle, guard(() => module.prepare(root)))
      : guard(() => new module.Verifier(root));
    return new Verifier(inner, policy);
  }

  async function verifyBundle(bundle, artifact, options = {}) {
    const { trustedRoot = 'production', ...policy } = options;
    const key = rootText(trustedRoot);
    let verifier = verifiers.get(key);
    if (!verifier) {
      verifier = await createVerifier({ trustedRoot: key });
      // Only the embedded roots are kept: a caller's own roots may be many and large.
      if (key === 'production' || key === 'staging') verifiers.set(key, verifier);
    }
    return verifier.verifyAsync(bundle, artifact, policy);
  }

  return { createVerifier, verifyBundle, VerificationError };
}

/** Trust material parsed once; `verify` is synchronous, for hot paths. */
class Verifier {
  #inner;
  #defaults;

  constructor(inner, defaults) {
    this.#inner = inner;
    this.#defaults = defaults;
  }

  /** Verifies synchronously with the pure-Rust crypto backend. */
  verify(bundle, artifact, policy = {}) {
    return guard(() => this.#inner.verify(bundleBytes(bundle), artifactValue(artifact), this.#policy(policy)));
  }

  /** Verifies with the signature checks run natively and concurrently on WebCrypto. */
  async verifyAsync(bundle, artifact, policy = {}) {
    const subtle = globalThis.crypto?.subtle;
    if (!subtle) return this.verify(bundle, artifact, policy);
    const session = guard(() => this.#inner.start(bundleBytes(bundle), artifactValue(artifact), this.#policy(policy)));
    try {
      return await drive(subtle, session);
    } finally {
      session.free();
    }
  }

  #policy(policy) {
    return { currentTime: Date.now(), ...this.#defaults, ...policy };
  }
}

/**
 * Runs a wasm session (`prepare(..)` or `Verifier.start(..)`) to its end: the checks it gathers
 * run concurrently on WebCrypto, round after round, then `finish` gives the outcome.
 */
async function drive(subtle, session) {
  for (;;) {
    const checks = guard(() => session.gather());
    if (checks.length === 0) return guard(() => session.finish());
    const results = await Promise.all(checks.map((check) => runCheck(subtle, check)));
    guard(() => session.answer(Uint8Array.from(results)));
  }
}

// WebCrypto keys by algorithm and SPKI: trust-root keys recur in every bundle.
const keys = new Map();
const MAX_CACHED_KEYS = 256;

/** 1 verified, 0 not, 2 this platform cannot run the check (the Rust backend answers it). */
async function runCheck(subtle, check) {
  try {
    const key = await importKey(subtle, check);
    const params =
      check.name === 'ECDSA'
        ? { name: 'ECDSA', hash: check.hash }
        : check.name === 'RSA-PSS'
          ? { name: 'RSA-PSS', saltLength: check.saltLength }
          : { name: check.name };
    return (await subtle.verify(params, key, check.signature, check.message)) ? 1 : 0;
  } catch {
    return 2;
  }
}

function importKey(subtle, check) {
  const algorithm =
    check.name === 'ECDSA'
      ? { name: 'ECDSA', namedCurve: check.namedCurve }
      : check.name === 'Ed25519'
        ? { name: 'Ed25519' }
        : { name: check.name, hash: check.hash };
  const id = `${check.name}/${check.namedCurve ?? check.hash ?? ''}/${hex(check.spki)}`;
  let key = keys.get(id);
  if (!key) {
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    key = subtle.importKey('spki', check.spki, algorithm, false, ['verify']);
    // A failed import is not cached: the next bundle may run on a platform state that works.
    key.catch(() => keys.delete(id));
    keys.set(id, key);
  }
  return key;
}

function hex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function rootText(root) {
  if (root === 'production' || root === 'staging') return root;
  if (typeof root === 'string') return root;
  if (root && typeof root === 'object') return JSON.stringify(root);
  throw new VerificationError('INVALID_INPUT', 'trustedRoot must be "production", "staging", JSON text or an object');
}

function bundleBytes(bundle) {
  if (typeof bundle === 'string') return encoder.encode(bundle);
  if (bundle instanceof Uint8Array) return bundle;
  if (bundle instanceof ArrayBuffer) return new Uint8Array(bundle);
  if (bundle && typeof bundle === 'object') return encoder.encode(JSON.stringify(bundle));
  throw new VerificationError('INVALID_INPUT', 'the bundle must be an object, JSON text or bytes');
}

function artifactValue(artifact) {
  if (artifact instanceof Uint8Array || typeof artifact === 'string') return artifact;
  if (artifact instanceof ArrayBuffer) return new Uint8Array(artifact);
  if (ArrayBuffer.isView(artifact)) return new Uint8Array(artifact.buffer, artifact.byteOffset, artifact.byteLength);
  if (artifact === null || artifact === undefined) return null;
  throw new VerificationError('INVALID_INPUT', 'the artifact must be bytes or a "sha256:<hex>" digest');
}

/** Runs a call into wasm and rethrows its errors as `VerificationError`. */
function guard(call) {
  try {
    return call();
  } catch (e) {
    if (e instanceof VerificationError) throw e;
    if (e && e.name === 'VerificationError' && typeof e.code === 'string') throw new VerificationError(e.code, e.message);
    throw e;
  }
}
