// The TUF suite (../suite.js) in workerd, around the package's workerd entry (pkg/workerd.js). No
// file system: tests/js/tuf/run.mjs sends the test data. The same module runs as two workers of
// config.capnp: `tuf`, whose Cache API has a store (cache.js, as Cloudflare's edge gives one), and
// `nocache`, workerd as it comes, with no cache configured.
//
//   GET  /health      -> "ok"
//   GET  /cache-api   -> what the Cache API does here: { open, put, match, keys, delete }, each
//                        "ok", a value, or the error it threw
//   POST /suite       { base, pinnedRootBase64, bundle, artifactBase64, knownFailures }
//                     -> { checks }: the suite, the stateful cases on a cache of its own (memory,
//                        for this request), the persistence case on the package's default cache
import * as pkg from '../../../../pkg/workerd.js';
import { fromBase64 } from '../../runtimes/smoke.js';
import { cacheApiProbe, tufSuite } from '../suite.js';

const json = (value, status = 200) => new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

async function cacheApi() {
  const out = { caches: typeof globalThis.caches, open: typeof globalThis.caches?.open };
  const key = 'https://sigstore-wasm.invalid/probe';
  let cache;
  const step = async (name, run) => {
    try {
      const value = await run();
      out[name] = value === undefined ? 'ok' : value;
    } catch (e) {
      out[name] = `threw: ${e?.message ?? e}`;
    }
  };
  await step('open', async () => {
    cache = await globalThis.caches.open('sigstore-wasm-probe');
  });
  if (!cache) return out;
  await step('put', () => cache.put(key, new Response('kept')));
  await step('match', async () => {
    const response = await cache.match(key);
    return response ? `found: ${await response.text()}` : 'not found';
  });
  await step('keys', async () => `${(await cache.keys()).length} keys`);
  await step('delete', async () => `deleted: ${await cache.delete(key)}`);
  return out;
}

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      if (request.method === 'GET' && pathname === '/health') return new Response('ok');
      if (request.method === 'GET' && pathname === '/cache-api') return json(await cacheApi());
      if (request.method === 'POST' && pathname === '/suite') {
        const { base, pinnedRootBase64, bundle, artifactBase64, knownFailures } = await request.json();
        const checks = await tufSuite(pkg, {
          base,
          pinnedRoot: fromBase64(pinnedRootBase64),
          bundle,
          artifact: fromBase64(artifactBase64),
          cache: pkg.memoryCache(),
          probeDefaultCache: cacheApiProbe,
          knownFailures,
        });
        return json({ checks });
      }
      return new Response('not found', { status: 404 });
    } catch (e) {
      return json({ crashed: true, error: String((e && e.stack) || e) }, 500);
    }
  },
};
