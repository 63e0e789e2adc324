// The trusted root from Sigstore's TUF repository. The core (src/tuf) decides everything: which
// files to ask for, every check, what to keep. Here are only the I/O a runtime has: its fetch, its
// signature checks, and a cache where the verified files persist between runs.

/** Sigstore's repositories, by the name of the pinned TUF root that starts each. */
export const REPOSITORIES = {
  production: 'https://tuf-repo-cdn.sigstore.dev',
  staging: 'https://tuf-repo-cdn.sigstage.dev',
};
const TARGET = 'trusted_root.json';
// The cache names the target under `targets/`, and the time of the last refresh: neither is a
// metadata file name (those end in .json and are percent-encoded).
const TARGET_ENTRY = `targets/${TARGET}`;
const REFRESHED_ENTRY = 'refreshed';

/**
 * The TUF options of `trustedRoot`: `'tuf'` (production), `'tuf:staging'`, or
 * `{ tuf: { root, url, targetsUrl, cache, offline } }`, normalised; `null` for any other root.
 */
export function tufOptions(trustedRoot) {
  if (trustedRoot === 'tuf') return normalise({});
  if (trustedRoot === 'tuf:staging') return normalise({ root: 'staging' });
  if (trustedRoot && typeof trustedRoot === 'object' && 'tuf' in trustedRoot) return normalise(trustedRoot.tuf ?? {});
  return null;
}

function normalise({ root = 'production', url, targetsUrl, cache, offline = false, ...rest }) {
  const unknown = Object.keys(rest);
  if (unknown.length) throw new TypeError(`unknown tuf option(s): ${unknown.join(', ')}`);
  const named = typeof root === 'string' && root in REPOSITORIES;
  if (!named && !url) throw new TypeError('tuf.url is required with a root of your own');
  const base = (url ?? REPOSITORIES[root]).replace(/\/+$/, '');
  return { root, url: base, targetsUrl: targetsUrl ?? `${base}/targets`, cache, offline: Boolean(offline) };
}

/**
 * Refreshes the trusted root through TUF and returns `{ json, info }`: the verified
 * `trusted_root.json` text, and where it came from (`source`: "tuf", "cache" or "embedded";
 * `rootVersion`, `timestampVersion`, `expires`, `refreshed`, and `warning` when the repository could
 * not be used). Online, the cache is the client's trusted state; when the update fails, the cache is
 * re-verified offline from the pinned root, and failing that the package's embedded trusted root
 * of the same instance is used: always with a warning, never an unverified file.
 *
 * `io`: `{ module, cache, fetchAll(update), runChecks(checks), now }` from the API.
 */
export async function refreshTrustedRoot(options, io) {
  const { module, cache } = io;
  const pinned = pinnedRoot(module, options.root);
  // A cache that cannot be read or written (a read-only file system, a worker without a cache) is
  // no reason to fail: the update then starts from the pinned root and keeps nothing.
  const files = cache ? await cache.read().catch(() => new Map()) : new Map();
  const cachedTarget = files.get(TARGET_ENTRY);
  if (!options.offline) {
    const online = await run(io, options, files.get('root.json') ?? pinned, files, false, cachedTarget);
    if (cache && online.persist.length) await cache.write(online.persist).catch(() => {});
    if (!online.error) {
      const refreshed = new Date(io.now()).toISOString();
      if (cache) {
        const writes = [{ name: REFRESHED_ENTRY, bytes: new TextEncoder().encode(refreshed) }];
        if (!online.fromCache) writes.push({ name: TARGET_ENTRY, bytes: online.target });
        await cache.write(writes).catch(() => {});
      }
      return result(online, 'tuf', refreshed);
    }
    return fallBack(io, options, pinned, files, cachedTarget, `${online.error.code}: ${online.error.message}`);
  }
  return fallBack(io, options, pinned, files, cachedTarget, null);
}

/** The cache re-verified from the pinned root; else the embedded trusted root. */
async function fallBack(io, options, pinned, files, cachedTarget, why) {
  const refreshed = files.has(REFRESHED_ENTRY) ? new TextDecoder().decode(files.get(REFRESHED_ENTRY)) : null;
  const reason = why ? `the TUF repository ${options.url} could not be used (${why})` : 'offline';
  if (cachedTarget) {
    const offline = await run(io, options, pinned, files, true, cachedTarget);
    if (!offline.error) {
      const stale = offline.updated.expired ? `; its TUF metadata expired at ${offline.updated.expires}` : '';
      return result(offline, 'cache', refreshed, `${reason}: using the trusted root last verified ${refreshed ? `at ${refreshed}` : 'through TUF'}${stale}`);
    }
    why = `${why ?? 'offline'}; the cache does not verify: ${offline.error.message}`;
  }
  if (!(typeof options.root === 'string' && options.root in REPOSITORIES)) {
    throw Object.assign(new Error(`no verified trusted root: ${why ?? 'nothing is cached to use offline'}`), { code: 'TUF' });
  }
  return {
    json: options.root,
    info: { source: 'embedded', refreshed: null, warning: `${reason}${cachedTarget ? '' : ' and nothing verified is cached'}: using the trusted root embedded in this package` },
  };
}

function result(run, source, refreshed, warning) {
  const { rootVersion, timestampVersion, expires } = run.updated;
  const info = { source, rootVersion, timestampVersion, expires, refreshed };
  if (warning) info.warning = warning;
  return { json: new TextDecoder().decode(run.target), info };
}

function pinnedRoot(module, root) {
  if (typeof root === 'string' && root in REPOSITORIES) return module.tufRoot(root);
  if (root instanceof Uint8Array) return root;
  if (typeof root === 'string') return new TextEncoder().encode(root);
  throw new TypeError('tuf.root must be "production", "staging", or a root.json as bytes or text');
}

/** An update of the trusted root: the TUF update for its target, from `root` and `files`. */
function run(io, options, root, files, offline, cachedTarget) {
  const metadata = [...files].filter(([name]) => name !== TARGET_ENTRY && name !== REFRESHED_ENTRY);
  return update(io, { ...options, root, files: metadata, offline, target: TARGET, cachedTarget });
}

/**
 * One TUF update in the core (`TufUpdate`), its requests and checks answered here: from `root`
 * (bytes) and the client's `files` (`[name, bytes]` pairs), of `target` if given. Resolves to the
 * core's outcome: `{ persist, updated, error, target, fromCache }`.
 */
export async function update(io, { url, targetsUrl, root, files, offline = false, target, cachedTarget }) {
  const session = new io.module.TufUpdate(`${url}/`, `${targetsUrl}/`, root, [...files], io.now(), offline, target, cachedTarget);
  try {
    for (;;) {
      const step = session.step();
      if (step.done) return session.finish();
      if (step.checks) session.answer(Uint8Array.from(await io.runChecks(step.checks)));
      else await io.fetchAll(session);
    }
  } finally {
    session.free();
  }
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
