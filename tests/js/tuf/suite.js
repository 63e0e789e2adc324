// The TUF suite every runtime runs against the package: the trusted root refreshed from the
// repositories of tests/tuf/make_repos.py, served by tests/js/tuf/server.mjs at one URL whose
// state (scenario) the suite switches. No Node APIs, so the same file runs in Node, Deno, Bun,
// workerd and a browser page; each runtime's harness passes in the package's exports and:
//
//   base          the server's origin (http://127.0.0.1:<port>)
//   pinnedRoot    the bytes of OUT/root.json, the root the client pins (there is no embedded fallback)
//   bundle        happy-path-v0.3's bundle (JSON text) and `artifact`, the bytes of a.txt: it
//                 verifies under trust/production-trusted_root.json (scenario good's target) and
//                 not under trust/staging-trusted_root.json (good-next's), which tells which
//                 trusted root a verifier got
//   cache         optional: the cache for the cases that keep state between refreshes; without
//                 it they use the runtime's default cache (what createVerifier takes when `cache`
//                 is omitted), as the persistence case always does
//   freshCache    optional: makes an empty cache for the cases that need one alone (default:
//                 the package's memoryCache)
//   probeDefaultCache  optional: `async (url) => ({ where, names })`, what the runtime's default
//                 cache holds for the repository `url`, looked at without the package
//   knownFailures optional: { [case name]: reason }, strict: a listed case that passes fails
//
// Resolves to the checks of smoke.js's checkRecorder (never rejects).
import { ISSUER, IDENTITY, assert, checkRecorder, expectSigner, expectVerificationError, rejection } from '../runtimes/smoke.js';

/** The cases, by name (knownFailures keys). */
export const CASES = {
  good: 'good: source tuf, root v2, timestamp v10, no warning; the happy bundle verifies (production root)',
  persists: "the runtime's default cache persists: a second verifier with the repository down gets source cache, a warning, and verifies",
  offline: 'offline: true: source cache from the cache alone, no request to the repository',
  tamperedCache: 'a tampered cache (changed targets/trusted_root.json and snapshot.json), repository down: rejected with TUF',
  tamperedCachedTarget: 'a tampered cached target alone (the same JSON, other bytes), repository down: rejected with TUF',
  tamperedCachedTargetOnline: "a tampered cached target, repository up: source tuf, and the cache holds the repository's bytes again",
  expired: 'expired (timestamp expired) on a fresh cache: rejected with TUF, nothing kept as the target',
  belowThreshold: 'below-threshold (root v2 signed by 1 of root v1 keys) on a fresh cache: rejected with TUF, nothing kept as the target',
  mixAndMatch: 'mix-and-match (targets.json other than the one snapshot lists) on a fresh cache: rejected with TUF, nothing kept as the target',
  tamperedTarget: 'tampered-target (served target altered) on a fresh cache: rejected with TUF on download, nothing kept as the target',
  rollback: 'rollback after good (same cache): not tuf: source cache, the warning names the timestamp rollback; the bundle verifies',
  goodNext: 'good-next after good (same cache): source tuf, timestamp v11; the happy bundle now fails (staging root)',
  goodNextKept: 'after good-next, repository down: source cache at timestamp v11; the bundle still fails (the new root was kept)',
  verifyBundleKeeps: 'verifyBundle with a TUF root: refreshed on the first call, kept for the next (no second request), and verified under it',
};

const TARGET_ENTRY = 'targets/trusted_root.json';


/**
 * What the Cache API holds for the repository `url` under the package's keys (the default cache of
 * browsers and workers): listed with keys(), or where keys() is not implemented (workerd, Cloudflare
 * Workers) looked up one name at a time. For probeDefaultCache.
 */
export async function cacheApiProbe(url, names = [TARGET_ENTRY, 'root.json', 'timestamp.json', 'snapshot.json', 'targets.json']) {
  const prefix = `https://sigstore-wasm.invalid/tuf/${encodeURIComponent(url)}/`;
  const cache = await globalThis.caches.open('sigstore-wasm-tuf');
  try {
    const keys = await cache.keys();
    return { where: 'Cache API', names: keys.map((r) => r.url).filter((u) => u.startsWith(prefix)).map((u) => decodeURIComponent(u.slice(prefix.length))) };
  } catch (e) {
    const found = [];
    try {
      for (const name of names) if (await cache.match(`${prefix}${encodeURIComponent(name)}`)) found.push(name);
    } catch (f) {
      return { where: `Cache API (keys() failed: ${e?.message ?? e}; match() failed: ${f?.message ?? f})`, names: found };
    }
    return { where: `Cache API (keys() failed: ${e?.message ?? e}; looked up by name)`, names: found };
  }
}

const policy = { certificateIdentity: IDENTITY, certificateIssuer: ISSUER };
const DEFAULT = Symbol('the runtime default cache');

const sameBytes = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);

export async function tufSuite(api, options) {
  const { createVerifier, verifyBundle, VerificationError, memoryCache } = api;
  const { base, pinnedRoot, bundle, artifact, cache, freshCache = memoryCache, probeDefaultCache, knownFailures = {} } = options;
  const url = `${base}/repo/metadata`;
  const targetsUrl = `${base}/repo/targets`;
  const state = cache ?? DEFAULT;
  const { checks, check: record } = checkRecorder();

  // Strict known failures: a listed case passes when it fails, and fails when it passes.
  const check = async (name, run) => {
    const reason = Object.prototype.hasOwnProperty.call(knownFailures, name) ? knownFailures[name] : undefined;
    if (reason === undefined) return record(name, run);
    let failure;
    await record(`${name} [known failure]`, async () => {
      try {
        await run();
      } catch (e) {
        failure = e;
        return `fails as known: ${reason}; ${String(e?.message ?? e).split('\n')[0]}`;
      }
      throw new Error(`listed as a known failure (${reason}) but passed: take it off the list`);
    });
    return failure !== undefined;
  };

  async function get(path) {
    // (No `cache` option: workerd refuses it; the server says no-store.)
    const response = await fetch(`${base}${path}`);
    const text = await response.text();
    assert(response.ok, `GET ${path}: HTTP ${response.status} ${text}`);
    return JSON.parse(text);
  }
  const scenario = (name) => get(`/__scenario/${name}`);
  // The requests the repository got while `run` ran, by path, only /repo/ ones.
  async function counting(run) {
    const before = await get('/__requests');
    const value = await run();
    const after = await get('/__requests');
    const delta = {};
    for (const [path, n] of Object.entries(after)) if (path.startsWith('/repo/') && n !== (before[path] ?? 0)) delta[path] = n - (before[path] ?? 0);
    const sum = (prefix) => Object.entries(delta).reduce((total, [path, n]) => total + (path.startsWith(prefix) ? n : 0), 0);
    return { value, delta, repo: sum('/repo/'), targets: sum('/repo/targets/'), timestamp: delta['/repo/metadata/timestamp.json'] ?? 0 };
  }

  const open = (which, extra = {}) =>
    createVerifier({ trustedRoot: { tuf: { url, targetsUrl, root: pinnedRoot, ...(which === DEFAULT ? {} : { cache: which }), ...extra } } });

  async function verifies(verifier, what) {
    const result = await verifier.verifyAsync(bundle, artifact, policy);
    expectSigner(result, what);
    return result;
  }
  async function bundleFails(verifier, what) {
    const error = await rejection(verifier.verifyAsync(bundle, artifact, policy));
    assert(error !== undefined, `${what}: the happy bundle verified: the verifier has the production root, not the staging one`);
    assert(error instanceof VerificationError, `${what}: a VerificationError (got ${error?.name}: ${error?.message})`);
    assert(error.code !== 'TUF', `${what}: a verification failure, not a TUF one (got ${error.code}: ${error.message})`);
    return error;
  }
  async function rejectedTuf(promise, pattern, what) {
    const error = await rejection(promise);
    assert(error !== undefined, `${what}: createVerifier resolved (source ${JSON.stringify(await promise.then((v) => v.trustedRootSource()).catch(() => null))})`);
    expectVerificationError(error, 'TUF', VerificationError, what);
    if (pattern) assert(pattern.test(error.message), `${what}: the message matches ${pattern} (got ${error.message})`);
    return error;
  }
  function expectSource(source, expected, what) {
    for (const [key, value] of Object.entries(expected)) {
      assert(source[key] === value, `${what}: ${key} is ${JSON.stringify(value)} (got ${JSON.stringify(source[key])}; ${JSON.stringify(source)})`);
    }
    for (const key of ['expires', 'refreshed']) {
      assert(typeof source[key] === 'string' && !Number.isNaN(Date.parse(source[key])), `${what}: ${key} is a date (got ${JSON.stringify(source[key])})`);
    }
  }

  await check(CASES.good, async () => {
    await scenario('good');
    const { value: verifier, targets, timestamp } = await counting(() => open(state));
    const source = verifier.trustedRootSource();
    expectSource(source, { source: 'tuf', rootVersion: 2, timestampVersion: 10 }, 'good');
    assert(source.warning === undefined, `good: no warning (got ${JSON.stringify(source.warning)})`);
    assert(timestamp === 1 && targets === 1, `good: timestamp.json and the target fetched once each (got ${timestamp} and ${targets})`);
    await verifies(verifier, 'good');
    return `${cache ? 'given cache' : 'default cache'}; expires ${source.expires}`;
  });

  await check(CASES.persists, async () => {
    await scenario('good');
    const first = (await open(DEFAULT)).trustedRootSource();
    assert(first.source === 'tuf', `the first verifier refreshed through TUF (got ${JSON.stringify(first)})`);
    const probe = probeDefaultCache ? await probeDefaultCache(url) : null;
    const where = probe ? `${probe.where}: ${JSON.stringify(probe.names)}` : 'not probed';
    await scenario('down');
    const { value: attempt, repo } = await counting(() => open(DEFAULT).then((verifier) => ({ verifier }), (error) => ({ error })));
    const { verifier, error } = attempt;
    assert(!error, `repository down: createVerifier rejected: ${error?.code}: ${error?.message} (default cache: ${where})`);
    const source = verifier.trustedRootSource();
    expectSource(source, { source: 'cache', rootVersion: 2, timestampVersion: 10, refreshed: first.refreshed }, 'repository down');
    assert(typeof source.warning === 'string' && source.warning.length > 0, `repository down: a warning (got ${JSON.stringify(source.warning)})`);
    assert(repo >= 1, `repository down: the repository was tried (${repo} requests)`);
    await verifies(verifier, 'repository down');
    if (probe) assert(probe.names.includes(TARGET_ENTRY), `the default cache holds ${TARGET_ENTRY} (${where})`);
    return `${where}; warning: ${source.warning}`;
  });

  await check(CASES.offline, async () => {
    await scenario('good');
    const { value: verifier, repo } = await counting(() => open(state, { offline: true }));
    const source = verifier.trustedRootSource();
    expectSource(source, { source: 'cache', rootVersion: 2, timestampVersion: 10 }, 'offline');
    assert(/offline/.test(source.warning ?? ''), `offline: the warning says offline (got ${JSON.stringify(source.warning)})`);
    assert(repo === 0, `offline: no request to the repository (got ${repo})`);
    await verifies(verifier, 'offline');
  });

  // A cached target that differs from the one targets.json lists, but is the same trusted root
  // (JSON re-indented): if the package took it, the verifier would work and verify the bundle.
  const reindented = (bytes) => new TextEncoder().encode(JSON.stringify(JSON.parse(new TextDecoder().decode(bytes)), null, 1));

  await check(CASES.tamperedCache, async () => {
    const files = freshCache();
    await scenario('good');
    assert((await open(files)).trustedRootSource().source === 'tuf', 'the fresh cache filled through TUF');
    const cached = await files.read();
    assert(cached.has(TARGET_ENTRY) && cached.has('snapshot.json'), `the cache holds ${TARGET_ENTRY} and snapshot.json (got ${JSON.stringify([...cached.keys()])})`);
    const snapshot = JSON.parse(new TextDecoder().decode(cached.get('snapshot.json')));
    snapshot.signed.version += 1;
    await files.write([
      { name: TARGET_ENTRY, bytes: reindented(cached.get(TARGET_ENTRY)) },
      { name: 'snapshot.json', bytes: new TextEncoder().encode(JSON.stringify(snapshot)) },
    ]);
    await scenario('down');
    const error = await rejectedTuf(open(files), /does not verify/, 'tampered cache');
    return error.message;
  });

  const original = {};
  const tamperedTargetCache = freshCache();
  await check(CASES.tamperedCachedTarget, async () => {
    await scenario('good');
    assert((await open(tamperedTargetCache)).trustedRootSource().source === 'tuf', 'the fresh cache filled through TUF');
    original.target = (await tamperedTargetCache.read()).get(TARGET_ENTRY);
    assert(original.target, `the cache holds ${TARGET_ENTRY}`);
    await tamperedTargetCache.write([{ name: TARGET_ENTRY, bytes: reindented(original.target) }]);
    await scenario('down');
    const error = await rejectedTuf(open(tamperedTargetCache), /trusted_root\.json/, 'tampered cached target');
    return error.message;
  });

  await check(CASES.tamperedCachedTargetOnline, async () => {
    assert(original.target, 'the previous case cached a target');
    await scenario('good');
    const { value: verifier, targets } = await counting(() => open(tamperedTargetCache));
    expectSource(verifier.trustedRootSource(), { source: 'tuf', rootVersion: 2, timestampVersion: 10 }, 'repository up');
    assert(targets === 1, `the target was downloaded again (${targets} requests)`);
    const now = (await tamperedTargetCache.read()).get(TARGET_ENTRY);
    assert(now && sameBytes(now, original.target), `the cache holds the repository's target again (${now?.length} bytes, the original has ${original.target.length})`);
    await verifies(verifier, 'repository up');
  });

  const failing = [
    [CASES.expired, 'expired', /expired/],
    [CASES.belowThreshold, 'below-threshold', /threshold/],
    [CASES.mixAndMatch, 'mix-and-match', /hash/],
    [CASES.tamperedTarget, 'tampered-target', /trusted_root\.json.*hash|hash.*trusted_root\.json/],
  ];
  for (const [name, repository, pattern] of failing) {
    await check(name, async () => {
      const files = freshCache();
      await scenario(repository);
      const { value: error, targets } = await counting(() => rejectedTuf(open(files), pattern, repository));
      if (repository === 'tampered-target') assert(targets === 1, `the target was downloaded (${targets} requests)`);
      const kept = await files.read();
      assert(!kept.has(TARGET_ENTRY), `nothing kept as ${TARGET_ENTRY} (the cache holds ${JSON.stringify([...kept.keys()])})`);
      return error.message;
    });
  }

  await check(CASES.rollback, async () => {
    await scenario('rollback');
    const { value: verifier, timestamp } = await counting(() => open(state));
    const source = verifier.trustedRootSource();
    expectSource(source, { source: 'cache', rootVersion: 2, timestampVersion: 10 }, 'rollback');
    const warning = source.warning ?? '';
    assert(/timestamp/.test(warning) && /\b3\b/.test(warning) && /\b10\b/.test(warning) && /older|rollback/i.test(warning), `rollback: the warning names the timestamp rollback from 10 to 3 (got ${JSON.stringify(warning)})`);
    assert(timestamp === 1, `rollback: the repository's timestamp.json was read (${timestamp} requests)`);
    await verifies(verifier, 'rollback');
    return warning;
  });

  await check(CASES.goodNext, async () => {
    await scenario('good-next');
    const { value: verifier, targets } = await counting(() => open(state));
    const source = verifier.trustedRootSource();
    expectSource(source, { source: 'tuf', rootVersion: 2, timestampVersion: 11 }, 'good-next');
    assert(source.warning === undefined, `good-next: no warning (got ${JSON.stringify(source.warning)})`);
    assert(targets === 1, `good-next: the new target was downloaded (${targets} requests)`);
    const error = await bundleFails(verifier, 'good-next');
    return `the happy bundle fails: ${error.code}`;
  });

  await check(CASES.goodNextKept, async () => {
    await scenario('down');
    const verifier = await open(state);
    const source = verifier.trustedRootSource();
    expectSource(source, { source: 'cache', rootVersion: 2, timestampVersion: 11 }, 'down after good-next');
    assert(typeof source.warning === 'string' && source.warning.length > 0, 'down after good-next: a warning');
    const error = await bundleFails(verifier, 'down after good-next');
    return `the happy bundle fails: ${error.code}`;
  });

  await check(CASES.verifyBundleKeeps, async () => {
    await scenario('good');
    const options = { ...policy, trustedRoot: { tuf: { url, targetsUrl, root: pinnedRoot, cache: freshCache() } } };
    const first = await counting(() => verifyBundle(bundle, artifact, options));
    expectSigner(first.value, 'first verifyBundle');
    assert(first.timestamp === 1, `the first call refreshed (timestamp.json fetched ${first.timestamp} times)`);
    const second = await counting(() => verifyBundle(bundle, artifact, options));
    expectSigner(second.value, 'second verifyBundle');
    assert(second.repo === 0, `the second call asked the repository nothing (got ${JSON.stringify(second.delta)})`);
    await scenario('good-next');
    const stillKept = await counting(() => verifyBundle(bundle, artifact, options));
    expectSigner(stillKept.value, 'within the hour, the kept root');
    return `first call: ${first.repo} requests; second and third: ${second.repo + stillKept.repo}`;
  });

  await scenario('good').catch(() => {});
  return checks;
}
