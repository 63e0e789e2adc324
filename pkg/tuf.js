// The trusted root from a TUF repository. The core (src/tuf, src/session) decides everything:
// which files to ask for, every check, what to keep, and what to use when the repository cannot be
// (tuf/refresh.rs). Here are only the I/O a runtime has: its fetch, its signature checks (the
// session loop, session.js), and a cache where the verified files persist between runs.

import { guard, VerificationError } from './errors.js';
import { run } from './session.js';

/**
 * The TUF options of `trustedRoot`: `'tuf'` (production), `'tuf:staging'`, `'tuf:github'`, or
 * `{ tuf: { root, url, targetsUrl, cache, offline } }`, normalised; `null` for any other root.
 */
export function tufOptions(trustedRoot) {
  if (trustedRoot === 'tuf') return normalise({});
  if (trustedRoot === 'tuf:staging') return normalise({ root: 'staging' });
  if (trustedRoot === 'tuf:github') return normalise({ root: 'github' });
  if (trustedRoot && typeof trustedRoot === 'object' && 'tuf' in trustedRoot) return normalise(trustedRoot.tuf ?? {});
  return null;
}

function normalise({ root = 'production', url, targetsUrl, cache, offline = false, ...rest }) {
  const unknown = Object.keys(rest);
  if (unknown.length) throw new TypeError(`unknown tuf option(s): ${unknown.join(', ')}`);
  return { root, url, targetsUrl, cache, offline: Boolean(offline) };
}

/**
 * Refreshes the trusted root through TUF and returns `{ root, source }`: the verified
 * `trusted_root.json` text (or the name of the package's embedded root it fell back to), and
 * where it came from (`source`: "tuf", "cache" or "embedded"; `rootVersion`, `timestampVersion`,
 * `expires`, `refreshed`, and `warning` when the repository could not be used).
 *
 * `io`: `{ module, now, net, checks, cacheFor(url) }`: the TUF module, the clock, the session
 * loop's I/O, and the runtime's default cache for a repository.
 */
export async function refreshTrustedRoot(options, io) {
  const { module } = io;
  const { url, targetsUrl } = guard(() => module.tufRepository(options.root, options.url, options.targetsUrl));
  const cache = options.cache === false ? null : typeof options.cache === 'function' ? options.cache(url) : (options.cache ?? io.cacheFor(url));
  // A cache that cannot be read or written (a read-only file system, a worker without a cache) is
  // no reason to fail: the refresh then starts from the pinned root and keeps nothing.
  const files = cache ? await cache.read().catch(() => new Map()) : new Map();
  const session = guard(() => module.refreshTrustedRoot(options.root, url, targetsUrl, [...files], io.now(), options.offline));
  const outcome = await run(session, io);
  if (cache && outcome.persist.length) await cache.write(outcome.persist).catch(() => {});
  if (outcome.error) throw new VerificationError(outcome.error.code, outcome.error.message);
  return { root: outcome.root, source: outcome.source };
}

/**
 * One TUF update in the core, its requests and checks answered here: from `root` (bytes) and the
 * client's `files` (`[name, bytes]` pairs), of `target` if given. Resolves to the core's outcome:
 * `{ persist, updated, error, target, fromCache }`.
 */
export function update(io, { url, targetsUrl, root, files, offline = false, target, cachedTarget }) {
  const session = guard(() => io.module.tufUpdate(`${url}/`, `${targetsUrl}/`, root, [...files], io.now(), offline, target, cachedTarget));
  return run(session, io);
}

/** The Cache API where the runtime has one (secure pages, service workers, Workers), else memory. */
export function runtimeCache(url) {
  return globalThis.caches?.open ? cacheStorageCache(url) : memoryCache();
}

/** A cache in memory, for one process or isolate. */
export function memoryCache() {
  const files = new Map();
  return {
    async read() {
      return new Map(files);
    },
    async write(entries) {
      for (const { name, bytes } of entries) files.set(name, bytes);
    },
  };
}

/**
 * A cache in the Cache API (browsers, service workers, Cloudflare Workers), under URLs of this
 * package's own that no request ever fetches. Workers cannot list a cache's keys, so the names
 * are kept in an index entry, under a path no name has (names are percent-encoded: no `/`).
 */
export function cacheStorageCache(url, caches = globalThis.caches) {
  const prefix = `https://sigstore-wasm.invalid/tuf/${encodeURIComponent(url)}/`;
  const index = `${prefix}index/names`;
  const open = () => caches.open('sigstore-wasm-tuf');
  const names = async (cache) => {
    const response = await cache.match(index);
    return response ? JSON.parse(await response.text()) : [];
  };
  return {
    async read() {
      const cache = await open();
      const files = new Map();
      for (const name of await names(cache)) {
        const response = await cache.match(`${prefix}${encodeURIComponent(name)}`);
        if (response) files.set(name, new Uint8Array(await response.arrayBuffer()));
      }
      return files;
    },
    async write(entries) {
      const cache = await open();
      for (const { name, bytes } of entries) await cache.put(`${prefix}${encodeURIComponent(name)}`, new Response(bytes));
      const known = new Set([...(await names(cache)), ...entries.map((e) => e.name)]);
      await cache.put(index, Response.json([...known]));
    },
  };
}

/** A cache in a Workers KV namespace (`binding`), one key per file. */
export function kvCache(binding, url) {
  const prefix = `sigstore-wasm/tuf/${url}/`;
  return {
    async read() {
      const files = new Map();
      let cursor;
      do {
        const page = await binding.list({ prefix, cursor });
        for (const { name } of page.keys) {
          const value = await binding.get(name, 'arrayBuffer');
          if (value) files.set(name.slice(prefix.length), new Uint8Array(value));
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return files;
    },
    async write(entries) {
      for (const { name, bytes } of entries) await binding.put(`${prefix}${name}`, bytes);
    },
  };
}
