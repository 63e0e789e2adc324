// Verdicts, cached and coalesced. A verdict is keyed by everything it depends on: the subject's
// digest, the digest of the signatures it was reached from (for files), the hash of the rules that
// decided it and the trusted root's version, so that a verdict can never answer for another
// policy or root (Kyverno#17173). It is kept in the isolate's memory and in the Cache API (one
// data centre; a no-op on *.workers.dev and where no cache is configured): successes for
// `successSeconds`, failures for `failureSeconds` (short, as Connaisseur does, so that a signature
// published a moment later is seen). Concurrent requests for one key share one verification
// (Kyverno#16997).

import { digestOf } from './digest.js';

const MAX_IN_MEMORY = 4096;
// Verdicts live in the Cache API under the worker's own origin (a zone caches its own URLs only),
// at paths no request reaches: the worker answers every request itself.
const CACHE_PATH = '/.sigstore-gate/verdicts/';

export class Verdicts {
  #memory = new Map();
  #inFlight = new Map();
  #settings;

  constructor(settings) {
    this.#settings = settings;
  }

  /**
   * The verdict for `key`: remembered, or computed once by `decide()` however many ask at once.
   * Resolves to `{ verdict, source }`, source "memory", "cache", "coalesced" or "fresh". `origin`
   * is the request's (the Cache API's entries are kept under it).
   */
  async get(key, decide, origin) {
    const remembered = this.#remembered(key);
    if (remembered) return { verdict: remembered, source: 'memory' };
    const running = this.#inFlight.get(key);
    if (running) return { verdict: await running, source: 'coalesced' };
    let source = 'fresh';
    const work = (async () => {
      const cached = await readCache(origin, key);
      if (cached) {
        source = 'cache';
        this.#remember(key, cached, cached.expires);
        return cached;
      }
      const verdict = await decide();
      const seconds = verdict.allowed && verdict.failures.length === 0 ? this.#settings.successSeconds : this.#settings.failureSeconds;
      const expires = Date.now() + seconds * 1000;
      this.#remember(key, verdict, expires);
      await writeCache(origin, key, verdict, seconds, expires);
      return verdict;
    })();
    this.#inFlight.set(key, work);
    try {
      return { verdict: await work, source };
    } finally {
      this.#inFlight.delete(key);
    }
  }

  /** Records a verdict reached elsewhere (an image index's verdict, for its platform images). */
  async put(key, verdict, origin) {
    const seconds = this.#settings.successSeconds;
    const expires = Date.now() + seconds * 1000;
    this.#remember(key, verdict, expires);
    await writeCache(origin, key, verdict, seconds, expires);
  }

  #remembered(key) {
    const entry = this.#memory.get(key);
    if (!entry) return null;
    if (entry.expires <= Date.now()) {
      this.#memory.delete(key);
      return null;
    }
    return entry.verdict;
  }

  #remember(key, verdict, expires) {
    if (expires <= Date.now()) return;
    if (this.#memory.size >= MAX_IN_MEMORY) this.#memory.delete(this.#memory.keys().next().value);
    this.#memory.set(key, { verdict, expires });
  }
}

/** The Cache API's default cache, where the runtime has one. */
function cache() {
  return globalThis.caches?.default ?? null;
}

async function cacheUrl(origin, key) {
  return `${origin}${CACHE_PATH}${await digestOf(key, 'sha256')}`;
}

async function readCache(origin, key) {
  const store = cache();
  if (!store) return null;
  try {
    const hit = await store.match(await cacheUrl(origin, key));
    if (!hit) return null;
    const { verdict, expires } = await hit.json();
    return expires > Date.now() ? { ...verdict, expires } : null;
  } catch {
    return null;
  }
}

async function writeCache(origin, key, verdict, seconds, expires) {
  const store = cache();
  if (!store || seconds === 0) return;
  try {
    const body = JSON.stringify({ verdict, expires });
    await store.put(await cacheUrl(origin, key), new Response(body, { headers: { 'content-type': 'application/json', 'cache-control': `max-age=${seconds}` } }));
  } catch {
    // A cache that cannot be written costs a verification later, nothing else.
  }
}
