// The runtime-independent JavaScript API. Each entry point (node.js, browser.js, workerd.js)
// passes in how to load the WebAssembly modules on its runtime; everything else is here. Every
// rule is in the core: this file routes options, keeps verifiers, and runs the core's sessions
// (session.js) with the runtime's fetch and signature checks (checks.js).

import { checkRunner, hex } from './checks.js';
import { guard, VerificationError } from './errors.js';
import { run, runSync } from './session.js';
import { memoryCache, refreshTrustedRoot, tufOptions, update as tufUpdateIn } from './tuf.js';

export { VerificationError };

const encoder = new TextEncoder();

// Options of image verification and log lookups that are not policy: the network's, which stay in
// JavaScript. The others are routed by the names the core gives (`optionNames`: the fields of
// src/options.rs's ImageOptions and RegistryOptions); what remains is the policy.
const NET_OPTIONS = ['fetch', 'proxy', 'timeout'];
const DEFAULT_TIMEOUT_MS = 30_000;
const EMBEDDED = { production: true, staging: true, github: true };

/**
 * How long a verifier of a TUF repository's trusted root is kept before the next call refreshes
 * it; one whose refresh fell back (the repository could not be used) is kept a twelfth of that.
 */
export const TUF_REFRESH_MS = 60 * 60 * 1000;

/** How many verifiers of trusted roots of the caller's own are kept (each holds its parsed root). */
const MAX_GIVEN_ROOTS = 8;

/**
 * @param {(name: 'bundle' | 'image' | 'log' | 'packages' | 'tuf' | 'crypto') => Promise<any>} loadWasm
 *   resolves to an initialised wasm-bindgen module, each loaded only by a call that needs it: the
 *   bundle module (sigstore_wasm), for bundles; the image, log and packages modules
 *   (sigstore_wasm_image, _log, _packages), for image verification, Rekor lookups and package
 *   attestations; the TUF client (sigstore_wasm_tuf), when a trusted root is refreshed through
 *   TUF; or the crypto module (sigstore_wasm_crypto), the pure-Rust signature backend, for a check
 *   the platform cannot run and for the synchronous `verify()` where the platform cannot verify
 *   synchronously
 * @param {{ verifySync?: (check: object) => 0 | 1 | 2, loadCryptoSync?: () => any, tufCache?: (url: string) => object, createHash?: (algorithm: string) => { update(bytes: Uint8Array): void, digest(encoding: 'hex'): string } }} platform
 *   `verifySync`: a synchronous native signature check where the runtime has one (node:crypto).
 *   `loadCryptoSync`: the crypto module, loaded synchronously where the runtime can (without it,
 *   `createVerifier` loads the module before it resolves, for `verify()`). `tufCache`: the
 *   runtime's cache for a TUF repository's files (see tuf.js). `createHash`: the runtime's own
 *   SHA-2 (node:crypto's), for `createDigester`.
 */
export function createApi(loadWasm, platform = {}) {
  // Each module loaded once, when a call first needs it.
  const modules = new Map();
  const load = (name) => {
    if (!modules.has(name)) modules.set(name, loadWasm(name));
    return modules.get(name);
  };
  const checks = checkRunner(load, platform);
  // The verifiers kept, by trusted root; those of TUF roots kept in a cache of the caller's, per
  // that cache object.
  const kept = new Map();
  const keptByCache = new WeakMap();

  /**
   * A verifier with no policy of its own, for `trustedRoot`, prepared in the module of `use` (its
   * root parsed and its chains checked there), and in any other module when a call first needs it.
   */
  async function makeVerifier(trustedRoot, net, use) {
    const { root, source } = await resolveRoot(trustedRoot, net);
    const trust = new Trust(root, source, async (name, net) => {
      const module = await load(name);
      return { inner: await run(guard(() => module.prepare(root)), { net, checks }), names: module.optionNames() };
    });
    await trust.ready(use, net);
    return new Verifier(trust, {}, checks);
  }

  /** The trusted root's text (or embedded name) and where it came from. */
  async function resolveRoot(trustedRoot, net) {
    const tuf = guardOptions(() => tufOptions(trustedRoot));
    if (!tuf) {
      const source = { source: typeof trustedRoot === 'string' && trustedRoot in EMBEDDED ? 'embedded' : 'given' };
      return { root: await loadedRoot(rootText(trustedRoot)), source };
    }
    const refreshed = await refreshTrustedRoot(tuf, tufIo(await load('tuf'), net));
    // A refresh that falls back to the embedded root names it.
    return { ...refreshed, root: await loadedRoot(refreshed.root) };
  }

  /** What a TUF session needs of the runtime: its clock, its fetch, its checks, its cache. */
  function tufIo(module, net) {
    return { module, now: () => Date.now(), net, checks, cacheFor: (url) => platform.tufCache?.(url) ?? memoryCache() };
  }

  /**
   * The verifier the package keeps for `options.trustedRoot`, shared by every call that names the
   * same root: an embedded root's for good; a TUF root's for `TUF_REFRESH_MS` (the next call
   * after that refreshes it through TUF; with `cache: false`, none is kept); a root of the
   * caller's own, the `MAX_GIVEN_ROOTS` last used. Calls at the same time share one refresh.
   * `refresh: true` makes a new one now and keeps it (what a scheduled refresh does). A TUF root is
   * refreshed with the call's network options (`fetch`, `proxy`, `timeout`), which the verifier
   * kept does not keep. Its bundle module is ready: its `verify()` is synchronous.
   */
  const cachedVerifier = (options = {}) => keptVerifier(options, 'bundle');

  /** The verifier kept for `options.trustedRoot` (`cachedVerifier`), prepared in the module of `use`. */
  async function keptVerifier(options, use) {
    const { trustedRoot = 'production', refresh = false, ...rest } = options;
    const unknown = Object.keys(rest).filter((name) => !NET_OPTIONS.includes(name));
    if (unknown.length) throw new VerificationError('INVALID_INPUT', `not options of cachedVerifier: ${unknown.join(', ')}`);
    const tuf = guardOptions(() => tufOptions(trustedRoot));
    const key = tuf ? await tufKey(tuf) : rootText(trustedRoot);
    const ownCache = tuf?.cache && typeof tuf.cache === 'object' ? tuf.cache : null;
    if (ownCache && !keptByCache.has(ownCache)) keptByCache.set(ownCache, new Map());
    const store = ownCache ? keptByCache.get(ownCache) : kept;
    const entry = store.get(key);
    const { net } = splitOptions(rest, []);
    if (entry && !refresh && !(entry.until < Date.now())) {
      // The most recently used last: the oldest given root is the first to go.
      store.delete(key);
      store.set(key, entry);
      return entry.verifier.then((verifier) => verifier.ready(use, net));
    }
    const verifier = makeVerifier(tuf ? trustedRoot : key, net, use ?? 'bundle');
    if (tuf?.cache === false) return verifier;
    const made = { verifier, until: Infinity, given: !tuf && !(key in EMBEDDED) };
    store.delete(key);
    store.set(key, made);
    const given = [...store].filter(([, e]) => e.given);
    for (const [old] of given.slice(0, Math.max(0, given.length - MAX_GIVEN_ROOTS))) store.delete(old);
    verifier.then(
      (v) => {
        if (tuf) made.until = Date.now() + (v.trustedRootSource().warning ? TUF_REFRESH_MS / 12 : TUF_REFRESH_MS);
      },
      // A verifier that could not be made is not kept: the next call tries again.
      () => store.get(key) === made && store.delete(key),
    );
    return verifier;
  }

  /** A verifier of its own, its trusted root read (or refreshed through TUF) now, with `policy` as its defaults. */
  async function createVerifier(options = {}) {
    const { trustedRoot = 'production', ...policy } = options;
    // Its verify() is synchronous: where the crypto module cannot be loaded then, it is loaded now.
    if (!platform.loadCryptoSync) await checks.cryptoReady();
    return (await makeVerifier(trustedRoot, splitOptions(pick(policy, NET_OPTIONS), []).net, 'bundle')).withDefaults(policy);
  }

  /**
   * One TUF update of any repository (`metadataUrl`, `targetsUrl`), from `root` (bytes) and the
   * client's `files` (`[name, bytes]` pairs), fetching `target` if given: `{ persist, updated,
   * error, target, fromCache }`. The caller keeps `persist`; the TUF conformance client is built on it.
   */
  async function tufUpdate({ metadataUrl, targetsUrl = metadataUrl, fetch, timeout, ...rest }) {
    const io = tufIo(await load('tuf'), splitOptions({ fetch, timeout }, []).net);
    return tufUpdateIn(io, { url: metadataUrl.replace(/\/+$/, ''), targetsUrl: targetsUrl.replace(/\/+$/, ''), ...rest });
  }

  /**
   * What the trusted root of `options.trustedRoot` holds and where it came from, `{ summary,
   * source }`, from the verifier the other calls share: the root is not parsed again, and no
   * other module is loaded (a page that shows its root downloads only the module it verified with).
   */
  async function describeTrustedRoot(options = {}) {
    const { trustedRoot = 'production', ...rest } = options;
    const unknown = Object.keys(rest).filter((name) => !NET_OPTIONS.includes(name));
    if (unknown.length) throw new VerificationError('INVALID_INPUT', `not options of describeTrustedRoot: ${unknown.join(', ')}`);
    const verifier = await keptVerifier({ trustedRoot, ...rest }, null);
    return { summary: verifier.trustedRootSummary(), source: verifier.trustedRootSource() };
  }

  async function verifyBundle(bundle, artifact, options = {}) {
    const { trustedRoot = 'production', ...policy } = options;
    const verifier = await cachedVerifier({ trustedRoot, ...pick(policy, NET_OPTIONS) });
    return verifier.verifyAsync(bundle, artifact, Object.fromEntries(Object.entries(policy).filter(([name]) => !NET_OPTIONS.includes(name))));
  }

  // The calls that take one subject (an image reference, a log query) and options, run by the
  // verifier of the options' trusted root, prepared in the module of their use.
  const onVerifier = (method, use) => async (subject, options = {}) => {
    const { trustedRoot = 'production', ...rest } = options;
    return (await keptVerifier({ trustedRoot, ...pick(rest, NET_OPTIONS) }, use))[method](subject, rest);
  };
  const verifyImage = onVerifier('verifyImage', 'image');
  const verifyImageAttestations = onVerifier('verifyImageAttestations', 'image');
  const verifyAttestations = onVerifier('verifyAttestations', 'packages');
  const getLogEntry = onVerifier('getLogEntry', 'log');
  const searchLogEntries = onVerifier('searchLogEntries', 'log');

  /**
   * Digests an artifact piece by piece (`update(bytes)`, then `digest()`: `"<algorithm>:<hex>"`),
   * under `algorithm`, or under the one `bundle` needs when given `{ bundle }`: for an artifact too
   * large to hold in memory, verified by its digest.
   */
  async function createDigester(what) {
    const module = await load('bundle');
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
    const module = await load('bundle');
    return guard(() => module.claimedDigest(bundleBytes(bundle), name ?? undefined));
  }

  /**
   * The `verifyAttestations` subject of a file downloaded from `registry` ("npm", "pypi") at
   * `path`, and the name the registry lists it under: `{ subject, file }`.
   */
  async function downloadSubject(registry, path) {
    const module = await load('packages');
    return guard(() => module.downloadSubject(registry, path));
  }

  return { tufUpdate, createVerifier, cachedVerifier, describeTrustedRoot, createDigester, claimedDigest, downloadSubject, verifyBundle, verifyImage, verifyImageAttestations, verifyAttestations, getLogEntry, searchLogEntries, VerificationError };
}

/**
 * One trusted root, prepared in each verifier module a call needs (each parses it and checks its
 * chains once): `prepareIn(name, net)` resolves to that module's verifier and option names.
 */
class Trust {
  #prepareIn;
  #preparing = new Map();
  /** The modules' verifiers prepared so far, by module name. */
  inners = new Map();
  /** The option names the modules route by (any module's: all have the same). */
  names;

  constructor(root, source, prepareIn) {
    this.root = root;
    this.source = source;
    this.#prepareIn = prepareIn;
  }

  /** Module `name`'s verifier, prepared on first need; a preparation that failed is tried again. */
  ready(name, net) {
    if (!this.#preparing.has(name)) {
      const preparing = this.#prepareIn(name, net).then(({ inner, names }) => {
        this.inners.set(name, inner);
        this.names ??= names;
        return inner;
      });
      preparing.catch(() => this.#preparing.delete(name));
      this.#preparing.set(name, preparing);
    }
    return this.#preparing.get(name);
  }
}

/** Trust material parsed once; `verify` is synchronous, for hot paths. */
class Verifier {
  #trust;
  #defaults;
  #checks;

  constructor(trust, defaults, checks) {
    this.#trust = trust;
    this.#defaults = defaults;
    this.#checks = checks;
  }

  /** The same trust material with `defaults` for every call's options. */
  withDefaults(defaults) {
    return new Verifier(this.#trust, defaults, this.#checks);
  }

  /** This verifier once module `use` is ready too (`null`: any module will do). */
  async ready(use, net) {
    if (use) await this.#trust.ready(use, net);
    return this;
  }

  /** What the trusted root holds, and `newest`: the latest start of validity in it (its age). */
  trustedRootSummary() {
    const [inner] = this.#trust.inners.values();
    return guard(() => inner.rootSummary());
  }

  /**
   * Where the trusted root came from: `source` "embedded", "given", "tuf" (refreshed now), or
   * "cache" (the last one verified through TUF, re-verified offline), with the TUF versions,
   * `expires`, `refreshed` and a `warning` when the repository could not be used.
   */
  trustedRootSource() {
    return { ...this.#trust.source };
  }

  /**
   * Verifies synchronously: on the runtime's native crypto where it has a synchronous one
   * (node:crypto in Node, Deno and Bun), else with the pure-Rust backend (the crypto module).
   */
  verify(bundle, artifact, policy = {}) {
    const inner = this.#trust.inners.get('bundle');
    // createVerifier and cachedVerifier prepare the bundle module before they resolve.
    if (!inner) throw new Error('sigstore-wasm: verify() on a verifier whose bundle module was not prepared');
    return runSync(this.#session(inner, bundle, artifact, policy), this.#checks);
  }

  /** Verifies with the signature checks run natively and concurrently on WebCrypto. */
  async verifyAsync(bundle, artifact, policy = {}) {
    const inner = await this.#trust.ready('bundle', {});
    return run(this.#session(inner, bundle, artifact, policy), { net: {}, checks: this.#checks });
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
    const { names } = this.#trust;
    const registries = pick(policy, names.registry);
    const rest = Object.fromEntries(Object.entries(policy).filter(([name]) => !names.registry.includes(name)));
    const unknown = Object.keys(image);
    if (unknown.length) throw new VerificationError('INVALID_INPUT', `not options of verifyAttestations: ${unknown.join(', ')}`);
    const inner = await this.#trust.ready('packages', net);
    return report(guard(() => inner.attestations(subject, { currentTime: Date.now(), ...rest }, registries)), net, this.#checks);
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

  #session(inner, bundle, artifact, policy) {
    return guard(() => inner.verify(bundleBytes(bundle), artifactValue(artifact), this.#policy(policy)));
  }

  async #image(reference, attestations, options) {
    const { net, image, policy } = this.#split({ ...this.#defaults, ...options });
    const inner = await this.#trust.ready('image', net);
    return report(guard(() => inner.image(reference, attestations, { currentTime: Date.now(), ...policy }, image)), net, this.#checks);
  }

  async #log(query, options) {
    // A lookup takes the network's options and those of the image's that a log query has (rekorUrl).
    const { names } = this.#trust;
    const shared = names.image.filter((name) => names.log.includes(name));
    const { net, image, policy } = this.#split({ ...pick(this.#defaults, [...NET_OPTIONS, ...shared]), ...options });
    const unknown = [...Object.keys(image).filter((name) => !shared.includes(name)), ...Object.keys(policy)];
    if (unknown.length) throw new VerificationError('INVALID_INPUT', `unknown log lookup option(s): ${unknown.join(', ')}`);
    const inner = await this.#trust.ready('log', net);
    return run(guard(() => inner.log({ ...query, ...pick(image, shared) })), { net, checks: this.#checks });
  }

  #split(options) {
    return splitOptions(options, this.#trust.names.image);
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
 * Runs a lookup whose outcome is a report (an image's, a package's): resolves to it, or rejects
 * with its error and the report attached.
 */
async function report(session, net, checks) {
  const outcome = await run(session, { net, checks });
  if (outcome.error) throw new VerificationError(outcome.error.code, outcome.error.message, outcome);
  return outcome;
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

// Roots given as objects, as text: a caller (the gate) that names the same object on every call
// does not pay for its serialisation each time.
const rootTexts = new WeakMap();

/**
 * A root the wasm modules take: GitHub's by its text, from a module of its own
 * (scripts/build-pkg.sh), imported only when named; any other as it is.
 */
async function loadedRoot(root) {
  return root === 'github' ? (await import('./wasm/github_root.js')).default : root;
}

function rootText(root) {
  if (typeof root === 'string') return root;
  if (root && typeof root === 'object') {
    if (!rootTexts.has(root)) rootTexts.set(root, JSON.stringify(root));
    return rootTexts.get(root);
  }
  throw new VerificationError('INVALID_INPUT', 'trustedRoot must be "production", "staging", "github", "tuf", "tuf:staging", "tuf:github", { tuf: {...} }, JSON text or an object');
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

