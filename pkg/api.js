// The runtime-independent JavaScript API. Each entry point (node.js, browser.js, workerd.js)
// passes in how to load the WebAssembly module on its runtime; everything else is here.

import { memoryCache, refreshTrustedRoot, tufOptions, update as tufUpdateIn } from './tuf.js';

const encoder = new TextEncoder();

/**
 * A failed verification: `code` names the check (see the README), `message` says why. An image
 * that does not verify also carries the `report` of everything found for it.
 */
export class VerificationError extends Error {
  constructor(code, message, report) {
    super(message);
    this.name = 'VerificationError';
    this.code = code;
    if (report !== undefined) this.report = report;
  }
}

// Options of image verification and log lookups that are not policy: the network's, which stay in
// JavaScript. The others are routed by the names the core gives (`optionNames`: the fields of
// src/options.rs's ImageOptions and RegistryOptions); what remains is the policy.
const NET_OPTIONS = ['fetch', 'proxy', 'timeout'];
const DEFAULT_TIMEOUT_MS = 30_000;
const EMBEDDED = { production: true, staging: true };
// How long a verifier made from a TUF repository's trusted root serves before the next refresh.
const TUF_REFRESH_MS = 60 * 60 * 1000;

/**
 * @param {(name: 'verifier' | 'tuf' | 'crypto') => Promise<any>} loadWasm resolves to an
 *   initialised wasm-bindgen module: the verifier (sigstore_wasm); the TUF client
 *   (sigstore_wasm_tuf), loaded only when a trusted root is refreshed through TUF; or the crypto
 *   module (sigstore_wasm_crypto), the pure-Rust signature backend, loaded only for a check the
 *   platform cannot run and for the synchronous `verify()` where the platform cannot verify
 *   synchronously
 * @param {{ verifySync?: (check: object) => 0 | 1 | 2, loadCryptoSync?: () => any, tufCache?: (url: string) => object, createHash?: (algorithm: string) => { update(bytes: Uint8Array): void, digest(encoding: 'hex'): string } }} platform
 *   `verifySync`: a synchronous native signature check where the runtime has one (node:crypto).
 *   `loadCryptoSync`: the crypto module, loaded synchronously where the runtime can (without it,
 *   `createVerifier` loads the module before it resolves, for `verify()`). `tufCache`: the
 *   runtime's cache for a TUF repository's files (see tuf.js). `createHash`: the runtime's own
 *   SHA-2 (node:crypto's), for `createDigester`.
 */
export function createApi(loadWasm, platform = {}) {
  let wasm;
  const ready = () => (wasm ??= loadWasm('verifier'));
  let tufWasm;
  const tufReady = () => (tufWasm ??= loadWasm('tuf'));
  const checks = checkRunner(loadWasm, platform);
  const verifiers = new Map();
  // Verifiers of TUF roots kept in a cache of the caller's, by that cache: one per cache object.
  const verifiersByCache = new WeakMap();

  async function createVerifier(options = {}) {
    const { trustedRoot = 'production', ...policy } = options;
    // Its verify() is synchronous: where the crypto module cannot be loaded then, it is loaded now.
    if (!platform.loadCryptoSync) await checks.cryptoReady();
    return makeVerifier(trustedRoot, policy, policy);
  }

  /** A verifier with `defaults`; `rootOptions` (fetch, timeout) for refreshing its root through TUF. */
  async function makeVerifier(trustedRoot, defaults, rootOptions) {
    const module = await ready();
    const { root, source } = await resolveRoot(trustedRoot, rootOptions);
    // The trust root's own chains are checked once, here.
    const inner = await drive(guard(() => module.prepare(root)), checks);
    return new Verifier(inner, defaults, checks, module.optionNames(), source);
  }

  /** The trusted root's text (or embedded name) and where it came from. */
  async function resolveRoot(trustedRoot, options) {
    const tuf = guardOptions(() => tufOptions(trustedRoot));
    if (!tuf) return { root: rootText(trustedRoot), source: { source: typeof trustedRoot === 'string' && trustedRoot in EMBEDDED ? 'embedded' : 'given' } };
    const cache = tuf.cache === false ? null : (tuf.cache ?? platform.tufCache?.(tuf.url) ?? memoryCache());
    try {
      const { json, info } = await refreshTrustedRoot(tuf, { ...tufIo(await tufReady(), options), cache });
      return { root: json, source: info };
    } catch (e) {
      if (e instanceof VerificationError) throw e;
      throw new VerificationError(e?.code ?? 'INTERNAL', String(e?.message ?? e));
    }
  }

  /** What a TUF update needs of the runtime: its fetch (`options`: `fetch`, `timeout`), its checks. */
  function tufIo(module, options) {
    const { net } = splitOptions(options, []);
    return {
      module,
      now: () => Date.now(),
      fetchAll: (update) => fetchAll(update, net),
      runChecks: checks.answer,
    };
  }

  /**
   * One TUF update of any repository (`metadataUrl`, `targetsUrl`), from `root` (bytes) and the
   * client's `files` (`[name, bytes]` pairs), fetching `target` if given: `{ persist, updated,
   * error, target, fromCache }`. The caller keeps `persist`; the TUF conformance client is built on it.
   */
  async function tufUpdate({ metadataUrl, targetsUrl = metadataUrl, fetch, timeout, ...rest }) {
    const io = tufIo(await tufReady(), { fetch, timeout });
    return tufUpdateIn(io, { url: metadataUrl.replace(/\/+$/, ''), targetsUrl: targetsUrl.replace(/\/+$/, ''), ...rest });
  }

  // The verifier for a trusted root, kept for the embedded roots (a caller's own may be many and
  // large) and for an hour for a TUF repository's: each refresh asks the repository again. A TUF
  // root is refreshed with the call's network options (fetch, proxy, timeout), which the verifier
  // kept for later calls does not keep.
  async function verifierFor(trustedRoot, options) {
    const tuf = guardOptions(() => tufOptions(trustedRoot));
    const key = tuf ? await tufKey(tuf) : rootText(trustedRoot);
    const ownCache = tuf?.cache && typeof tuf.cache === 'object' ? tuf.cache : null;
    if (ownCache && !verifiersByCache.has(ownCache)) verifiersByCache.set(ownCache, new Map());
    const store = ownCache ? verifiersByCache.get(ownCache) : verifiers;
    const kept = store.get(key);
    if (kept && !(kept.until < Date.now())) return kept.verifier;
    const verifier = await makeVerifier(tuf ? trustedRoot : key, {}, pick(options, NET_OPTIONS));
    // A root the repository could not refresh is kept briefly: the next call tries again.
    const keep = verifier.trustedRootSource().warning ? TUF_REFRESH_MS / 12 : TUF_REFRESH_MS;
    if (tuf && tuf.cache !== false) store.set(key, { verifier, until: Date.now() + keep });
    else if (key in EMBEDDED) store.set(key, { verifier });
    return verifier;
  }

  /**
   * What the trusted root of `options.trustedRoot` holds and where it came from, `{ summary,
   * source }`, from the verifier the other calls share: the root is not parsed again, and no
   * crypto module is loaded (a page that shows its root downloads only the verifier's module).
   */
  async function describeTrustedRoot(options = {}) {
    const { trustedRoot = 'production', ...rest } = options;
    const unknown = Object.keys(rest).filter((name) => !NET_OPTIONS.includes(name));
    if (unknown.length) throw new VerificationError('INVALID_INPUT', `not options of describeTrustedRoot: ${unknown.join(', ')}`);
    const verifier = await verifierFor(trustedRoot, rest);
    return { summary: verifier.trustedRootSummary(), source: verifier.trustedRootSource() };
  }

  async function verifyBundle(bundle, artifact, options = {}) {
    const { trustedRoot = 'production', ...policy } = options;
    const verifier = await verifierFor(trustedRoot, policy);
    return verifier.verifyAsync(bundle, artifact, Object.fromEntries(Object.entries(policy).filter(([name]) => !NET_OPTIONS.includes(name))));
  }

  // The calls that take one subject (an image reference, a log query) and options, run by the
  // verifier of the options' trusted root.
  const onVerifier = (method) => async (subject, options = {}) => {
    const { trustedRoot = 'production', ...rest } = options;
    return (await verifierFor(trustedRoot, rest))[method](subject, rest);
  };
  const verifyImage = onVerifier('verifyImage');
  const verifyImageAttestations = onVerifier('verifyImageAttestations');
  const verifyAttestations = onVerifier('verifyAttestations');
  const getLogEntry = onVerifier('getLogEntry');
  const searchLogEntries = onVerifier('searchLogEntries');

  /**
   * Digests an artifact piece by piece (`update(bytes)`, then `digest()`: `"<algorithm>:<hex>"`),
   * under `algorithm`, or under the one `bundle` needs when given `{ bundle }`: for an artifact too
   * large to hold in memory, verified by its digest.
   */
  async function createDigester(what) {
    const module = await ready();
    const algorithm = typeof what === 'string' ? what : guard(() => module.digestAlgorithmFor(bundleBytes(what?.bundle)));
    const digester = guard(() => new module.Digester(algorithm));
    // The runtime's own hash where it has one (node:crypto), several times faster; the core's
    // digester above has checked the algorithm's name.
    const native = platform.createHash?.(algorithm);
    if (native) {
      digester.free();
      return { algorithm, update: (bytes) => native.update(bytesOf(bytes)), digest: () => `${algorithm}:${native.digest('hex')}` };
    }
    return {
      algorithm,
      update(bytes) {
        guard(() => digester.update(bytesOf(bytes)));
      },
      digest() {
        try {
          return guard(() => digester.finish());
        } finally {
          digester.free();
        }
      },
    };
  }

  /**
   * The digest of the artifact `bundle` says it is about (`"<algorithm>:<hex>"`), unauthenticated
   * until the bundle verifies against it: for verifying before fetching the artifact, then hashing
   * it as it arrives. Among several in-toto subjects, the one called `name`.
   */
  async function claimedDigest(bundle, name) {
    const module = await ready();
    return guard(() => module.claimedDigest(bundleBytes(bundle), name ?? undefined));
  }

  /**
   * The `verifyAttestations` subject of a file downloaded from `registry` ("npm", "pypi") at
   * `path`, and the name the registry lists it under: `{ subject, file }`.
   */
  async function downloadSubject(registry, path) {
    const module = await ready();
    return guard(() => module.downloadSubject(registry, path));
  }

  return { tufUpdate, createVerifier, describeTrustedRoot, createDigester, claimedDigest, downloadSubject, verifyBundle, verifyImage, verifyImageAttestations, verifyAttestations, getLogEntry, searchLogEntries, VerificationError };
}

/** Trust material parsed once; `verify` is synchronous, for hot paths. */
class Verifier {
  #inner;
  #defaults;
  #checks;
  #names;
  #source;

  constructor(inner, defaults, checks, names, source) {
    this.#inner = inner;
    this.#defaults = defaults;
    this.#checks = checks;
    this.#names = names;
    this.#source = source;
  }

  /** What the trusted root holds, and `newest`: the latest start of validity in it (its age). */
  trustedRootSummary() {
    return guard(() => this.#inner.rootSummary());
  }

  /**
   * Where the trusted root came from: `source` "embedded", "given", "tuf" (refreshed now), or
   * "cache" (the last one verified through TUF, re-verified offline), with the TUF versions,
   * `expires`, `refreshed` and a `warning` when the repository could not be used.
   */
  trustedRootSource() {
    return { ...this.#source };
  }

  /**
   * Verifies synchronously: on the runtime's native crypto where it has a synchronous one
   * (node:crypto in Node, Deno and Bun), else with the pure-Rust backend (the crypto module).
   */
  verify(bundle, artifact, policy = {}) {
    const session = guard(() => this.#inner.start(bundleBytes(bundle), artifactValue(artifact), this.#policy(policy)));
    try {
      for (;;) {
        const checks = guard(() => session.gather());
        if (checks.length === 0) return guard(() => session.finish());
        guard(() => session.answer(this.#checks.answerSync(checks)));
      }
    } finally {
      session.free();
    }
  }

  /** Verifies with the signature checks run natively and concurrently on WebCrypto. */
  async verifyAsync(bundle, artifact, policy = {}) {
    const session = guard(() => this.#inner.start(bundleBytes(bundle), artifactValue(artifact), this.#policy(policy)));
    try {
      return await drive(session, this.#checks);
    } finally {
      session.free();
    }
  }

  /** Verifies the signatures of an image in a registry (cosign `verify`). */
  verifyImage(reference, options = {}) {
    return this.#image(reference, false, options);
  }

  /** Verifies the attestations of one predicate type of an image (cosign `verify-attestation`). */
  verifyImageAttestations(reference, options = {}) {
    return this.#image(reference, true, options);
  }

  /**
   * The attestations a package registry publishes (`npm:name@version`, `pypi:project==version`,
   * `github:owner/repo@sha256:<hex>`), each verified against the artifact's digest and the policy.
   */
  async verifyAttestations(subject, options = {}) {
    const { net, image, policy } = this.#split({ ...this.#defaults, ...options });
    const registries = pick(policy, this.#names.registry);
    const rest = Object.fromEntries(Object.entries(policy).filter(([name]) => !this.#names.registry.includes(name)));
    const unknown = Object.keys(image);
    if (unknown.length) throw new VerificationError('INVALID_INPUT', `not options of verifyAttestations: ${unknown.join(', ')}`);
    return report(guard(() => this.#inner.startAttestations(subject, { currentTime: Date.now(), ...rest }, registries)), net, this.#checks);
  }

  /** One Rekor entry, by `{ logIndex }` or `{ uuid }`, verified before it is returned. */
  async getLogEntry(query, options = {}) {
    const [entry] = await this.#log(query, options);
    return entry;
  }

  /** The Rekor entries about an artifact, by `{ digest: "sha256:<hex>" }` or `{ artifact }`, each verified. */
  async searchLogEntries(query, options = {}) {
    const { artifact, ...rest } = query;
    if (artifact === undefined) return this.#log(rest, options);
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytesOf(artifact)));
    return this.#log({ ...rest, digest: `sha256:${hex(digest)}` }, options);
  }

  async #image(reference, attestations, options) {
    const { net, image, policy } = this.#split({ ...this.#defaults, ...options });
    return report(guard(() => this.#inner.startImage(reference, attestations, { currentTime: Date.now(), ...policy }, image)), net, this.#checks);
  }

  async #log(query, options) {
    // A lookup takes the network's options and those of the image's that a log query has (rekorUrl).
    const shared = this.#names.image.filter((name) => this.#names.log.includes(name));
    const { net, image, policy } = this.#split({ ...pick(this.#defaults, [...NET_OPTIONS, ...shared]), ...options });
    const unknown = [...Object.keys(image).filter((name) => !shared.includes(name)), ...Object.keys(policy)];
    if (unknown.length) throw new VerificationError('INVALID_INPUT', `unknown log lookup option(s): ${unknown.join(', ')}`);
    const session = guard(() => this.#inner.startLog({ ...query, ...pick(image, shared) }));
    try {
      await fetchAll(session, net);
      return await drive(session, this.#checks);
    } finally {
      session.free();
    }
  }

  #split(options) {
    return splitOptions(options, this.#names.image);
  }

  #policy(policy) {
    const { policy: own } = this.#split(this.#defaults);
    return { currentTime: Date.now(), ...own, ...policy };
  }
}

/**
 * Splits options into the network's (`fetch`, `proxy`, `timeout`), the image's (`imageNames`) and
 * the policy's.
 */
function splitOptions(options, imageNames) {
  const net = { fetch: globalThis.fetch?.bind(globalThis), timeout: DEFAULT_TIMEOUT_MS };
  const image = {};
  const policy = {};
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (NET_OPTIONS.includes(name)) net[name] = value;
    else if (imageNames.includes(name)) image[name] = value;
    else policy[name] = value;
  }
  return { net, image, policy };
}

function pick(object, names) {
  return Object.fromEntries(Object.entries(object).filter(([name]) => names.includes(name)));
}

/**
 * Makes the HTTP requests a lookup asks for, round after round and concurrently within a
 * round, until it asks for none: the core decides what to fetch and checks what comes back;
 * this only moves bytes, each request bounded in time and size.
 */
async function fetchAll(session, net) {
  if (typeof net.fetch !== 'function') throw new VerificationError('INVALID_INPUT', 'this runtime has no fetch: pass options.fetch');
  for (;;) {
    const requests = guard(() => session.requests());
    if (requests.length === 0) return;
    const replies = await Promise.all(requests.map((request) => send(request, net)));
    replies.forEach((reply, index) => {
      guard(() => {
        if ('failed' in reply) session.failed(index, reply.failed);
        else if (reply.tooLarge) session.tooLarge(index);
        else session.respond(index, reply.status, reply.headers, reply.body);
      });
    });
  }
}

async function send(request, { fetch, proxy, timeout }) {
  // A proxy is a prefix: `${proxy}${url}`, the convention of CORS proxies.
  const url = proxy ? `${proxy}${request.url}` : request.url;
  try {
    const response = await fetch(url, {
      method: request.method,
      headers: request.headers,
      body: request.body ?? undefined,
      redirect: 'follow',
      signal: AbortSignal.timeout(timeout),
    });
    const body = await readBody(response, request.maxBytes);
    if (body === null) return { tooLarge: true };
    const headers = [];
    for (const [name, value] of response.headers) headers.push(name, value);
    return { status: response.status, headers, body };
  } catch (e) {
    const reason = e?.name === 'TimeoutError' ? `no complete answer within ${timeout} ms` : String(e?.message ?? e);
    return { failed: `${request.method} ${url}: ${reason}` };
  }
}

/**
 * The body, or `null` as soon as it is longer than `maxBytes` (the rest is not read). Exported for
 * the worker (worker/), which reads what it fetches the same way.
 */
export async function readBody(response, maxBytes) {
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel();
    return null;
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Runs a lookup whose outcome is a report (an image's, a package's): resolves to it, or rejects
 * with its error and the report attached.
 */
async function report(session, net, checks) {
  try {
    await fetchAll(session, net);
    const outcome = await drive(session, checks);
    if (outcome.error) throw new VerificationError(outcome.error.code, outcome.error.message, outcome);
    return outcome;
  } finally {
    session.free();
  }
}

/**
 * Runs a wasm session (`prepare(..)`, `Verifier.start(..)`, a lookup) to its end: the checks it
 * gathers are run by `checks` (`checkRunner`), round after round, then `finish` gives the outcome.
 * A verification's session hands each check out the moment it is asked (`gatherStarting`), so
 * that WebCrypto, which works off this thread, runs it while the rest of the run goes on.
 */
async function drive(session, checks) {
  for (;;) {
    let started;
    if (session.gatherStarting) {
      started = [];
      if (guard(() => session.gatherStarting((check) => started.push(checks.start(check)))) === 0) break;
    } else {
      const gathered = guard(() => session.gather());
      if (gathered.length === 0) break;
      started = gathered.map(checks.start);
    }
    const results = await checks.settle(started);
    guard(() => session.answer(results));
  }
  return guard(() => session.finish());
}

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
function checkRunner(loadWasm, platform) {
  let crypto;
  let loading;
  const cryptoReady = () => (crypto ? Promise.resolve(crypto) : (loading ??= loadWasm('crypto').then((module) => (crypto = module))));
  const cryptoSync = () => {
    crypto ??= platform.loadCryptoSync?.();
    if (!crypto) throw new VerificationError('INTERNAL', 'the crypto module was not loaded before a synchronous verification');
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

/** Lowercase hex; exported for the worker (worker/). */
export function hex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** What identifies a TUF repository and the root pinned for it, for keeping its verifier. */
async function tufKey({ root, url, targetsUrl, offline }) {
  const subtle = globalThis.crypto?.subtle;
  const bytes = typeof root === 'string' && root in EMBEDDED ? null : bytesOf(root);
  const pinned = !bytes ? root : subtle ? hex(new Uint8Array(await subtle.digest('SHA-256', bytes))) : hex(bytes);
  return `tuf\n${url}\n${targetsUrl}\n${offline}\n${pinned}`;
}

/** Options a caller got wrong, as `INVALID_INPUT`. */
function guardOptions(call) {
  try {
    return call();
  } catch (e) {
    if (e instanceof TypeError) throw new VerificationError('INVALID_INPUT', e.message);
    throw e;
  }
}

function rootText(root) {
  if (root === 'production' || root === 'staging') return root;
  if (typeof root === 'string') return root;
  if (root && typeof root === 'object') return JSON.stringify(root);
  throw new VerificationError('INVALID_INPUT', 'trustedRoot must be "production", "staging", "tuf", "tuf:staging", { tuf: {...} }, JSON text or an object');
}

function bundleBytes(bundle) {
  if (typeof bundle === 'string') return encoder.encode(bundle);
  if (bundle instanceof Uint8Array) return bundle;
  if (bundle instanceof ArrayBuffer) return new Uint8Array(bundle);
  if (bundle && typeof bundle === 'object') return encoder.encode(JSON.stringify(bundle));
  throw new VerificationError('INVALID_INPUT', 'the bundle must be an object, JSON text or bytes');
}

function bytesOf(value) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return encoder.encode(value);
  throw new VerificationError('INVALID_INPUT', 'the artifact must be bytes');
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
