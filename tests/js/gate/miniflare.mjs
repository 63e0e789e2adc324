// The gate on Cloudflare's own local simulator of its platform (Miniflare, from npm with wrangler;
// it runs workerd with Cloudflare's implementations of R2, KV, the Cache API and cron triggers):
// files served from an R2 bucket, verdicts kept in the Cache API across isolates, never for another
// policy, and a trusted root refreshed through TUF by the cron trigger, kept in KV.
//
//   $NODE22 tests/js/gate/miniflare.mjs   (Miniflare needs Node 22; pkg/ built; the gate fixtures
//                                          written by scripts/fixtures.sh)
//
// The worker's modules are the ones worker/config.capnp lists. Each check is a
// node:test test (tests/js/harness.mjs): run it with `node --test-reporter=spec`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { startTufServer } from '../tuf/server.mjs';
import { check, finish } from '../harness.mjs';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'target/tmp/gate-fixtures');
const fixtures = JSON.parse(readFileSync(join(FIXTURES, 'fixtures.json'), 'utf8'));
const trustedRoot = JSON.parse(readFileSync(join(FIXTURES, 'trusted_root.json'), 'utf8'));
const A = { certificateIdentity: fixtures.a.certificateIdentity, certificateIssuer: fixtures.a.certificateIssuer };
const OBJECTS = ['app.tar.gz', 'app.tar.gz.sigstore.json', 'tampered.tar.gz', 'tampered.tar.gz.sigstore.json', 'unbundled.tar.gz', 'mismatch-large.bin', 'mismatch-large.bin.sigstore.json', 'streamed.bin', 'streamed.bin.sigstore.json'];


/** The modules of worker/config.capnp, as Miniflare takes them (the JSON policy file as text). */
function modules() {
  const capnp = readFileSync(join(ROOT, 'worker/config.capnp'), 'utf8');
  const types = { esModule: 'ESModule', wasm: 'CompiledWasm', json: 'Text' };
  return [...capnp.matchAll(/\(name = "([^"]+)", (esModule|wasm|json) = embed "[^"]+"\)/g)].map(([, name, kind]) => ({ type: types[kind], path: join(ROOT, name) }));
}

function policy(identity) {
  return { trustedRoot, files: [{ prefix: '/r2/', origin: { bucket: 'RELEASES' } }], rules: [{ name: 'r2', path: '/r2/**', identities: [identity] }] };
}

function start(persist, gatePolicy, extra = {}) {
  return new Miniflare(
    convertV4MiniflareOptions({
      resourcePersistencePath: persist,
      workers: [
        {
          name: 'gate',
          modulesRoot: ROOT,
          modules: modules(),
          compatibilityDate: '2025-01-01',
          bindings: { GATE_POLICY: JSON.stringify(gatePolicy) },
          serviceBindings: { ASSETS: () => new Response('not here', { status: 404 }) },
          r2Buckets: ['RELEASES'],
          ...extra,
        },
      ],
    }),
  );
}

async function get(mf, path) {
  const response = await mf.dispatchFetch(`http://gate.test${path}`);
  let body = null;
  let bodyError = null;
  try {
    body = Buffer.from(await response.arrayBuffer());
  } catch (e) {
    bodyError = String(e.message);
  }
  return { status: response.status, gate: response.headers.get('sigstore-gate') ?? '', length: Number(response.headers.get('content-length')), body, bodyError };
}

const persist = mkdtempSync(join(tmpdir(), 'sigstore-wasm-miniflare-'));
try {
  let mf = start(persist, policy(A));
  try {
    const bucket = await mf.getR2Bucket('RELEASES');
    for (const name of OBJECTS) await bucket.put(name, readFileSync(join(FIXTURES, 'files', name)));
    const good = await get(mf, '/r2/app.tar.gz');
    check('R2: a signed file is served from the bucket', good.status === 200 && good.body?.equals(readFileSync(join(FIXTURES, 'files/app.tar.gz'))) && /verdict=fresh/.test(good.gate), `${good.status} ${good.gate}`);
    check('R2: the verdict is remembered', /verdict=memory/.test((await get(mf, '/r2/app.tar.gz')).gate), 'not from memory');
    const streamed = await get(mf, '/r2/streamed.bin');
    check('R2: a streamed file arrives whole', streamed.status === 200 && streamed.body?.equals(readFileSync(join(FIXTURES, 'files/streamed.bin'))), `${streamed.status} ${streamed.bodyError}`);
    for (const [name, path, status] of [
      ['R2: a tampered bundle is refused', '/r2/tampered.tar.gz', 403],
      ['R2: a file without a bundle is refused', '/r2/unbundled.tar.gz', 403],
      ['R2: an object the bucket does not have', '/r2/absent.tar.gz', 403],
    ]) {
      const r = await get(mf, path);
      check(name, r.status === status, `${r.status} ${r.body?.toString().slice(0, 200)}`);
    }
    const mismatch = await get(mf, '/r2/mismatch-large.bin');
    check('R2: a file whose bytes differ from its bundle fails the download', mismatch.status === 200 && (mismatch.bodyError !== null || (mismatch.body?.length ?? 0) < mismatch.length), `${mismatch.status} ${mismatch.bodyError} ${mismatch.body?.length}`);
  } finally {
    await mf.dispose();
  }

  // A new isolate over the same Cache API storage: the verdict is found there, for the same policy only.
  mf = start(persist, policy(A));
  try {
    const again = await get(mf, '/r2/app.tar.gz');
    check('Cache API: a new isolate finds the verdict', again.status === 200 && /verdict=cache/.test(again.gate), again.gate);
  } finally {
    await mf.dispose();
  }
  mf = start(persist, policy({ ...A, certificateIdentity: `${A.certificateIdentity}x` }));
  try {
    const other = await get(mf, '/r2/app.tar.gz');
    check('Cache API: never a verdict for another policy', other.status === 403 && /verdict=fresh/.test(other.gate), `${other.status} ${other.gate}`);
  } finally {
    await mf.dispose();
  }
} catch (e) {
  check('the Cache API and R2 part runs to its end', false, String(e?.stack ?? e));
} finally {
  rmSync(persist, { recursive: true, force: true });
}

// The trusted root through TUF: a local repository (tests/tuf/make_repos.py) whose target is the
// fixtures' trusted root, then a later one whose target is Sigstore's staging root (which does not
// trust the fixtures' signer). The cron trigger moves the gate from one to the other.
const tufDir = mkdtempSync(join(tmpdir(), 'sigstore-wasm-miniflare-tuf-'));
let tufServer;
try {
  const python = join(ROOT, 'target/tuf-venv/bin/python');
  const made = JSON.parse(
    execFileSync(python, [join(ROOT, 'tests/tuf/make_repos.py'), join(tufDir, 'repos'), join(FIXTURES, 'trusted_root.json'), join(ROOT, 'trust/staging-trusted_root.json')], { encoding: 'utf8' }),
  );
  tufServer = await startTufServer(join(tufDir, 'repos'), { scenario: 'good' });
  const url = `${tufServer.base}/repo/metadata`;
  const tufPolicy = { ...policy(A), trustedRoot: { tuf: { url, targetsUrl: `${tufServer.base}/repo/targets`, root: JSON.parse(readFileSync(made.root, 'utf8')) } } };
  const mf = start(join(tufDir, 'persist'), tufPolicy, { kvNamespaces: ['TUF_CACHE'] });
  try {
    const bucket = await mf.getR2Bucket('RELEASES');
    for (const name of OBJECTS) await bucket.put(name, readFileSync(join(FIXTURES, 'files', name)));
    const first = await get(mf, '/r2/app.tar.gz');
    check('TUF: the gate verifies under the root its repository serves, and names its TUF root version', first.status === 200 && first.gate.includes(`root=tuf:${url}:root-v2@`), `${first.status} ${first.gate}`);
    const kv = await mf.getKVNamespace('TUF_CACHE');
    const keys = (await kv.list()).keys.map((k) => k.name);
    check('TUF: the verified files are kept in the TUF_CACHE namespace', ['root.json', 'timestamp.json', 'targets/trusted_root.json', 'root_history/2.root.json'].every((n) => keys.some((k) => k.endsWith(`/${n}`))), keys.join(' '));

    await tufServer.setScenario('good-next');
    check('TUF: no refresh before the hour or the cron trigger', (await get(mf, '/r2/app.tar.gz')).status === 200, 'refreshed early');
    await (await mf.getWorker('gate')).scheduled({ cron: '0 */6 * * *' });
    const after = await get(mf, '/r2/app.tar.gz');
    check('TUF: after the cron trigger the gate holds the new root, which refuses what the old one allowed', after.status === 403 && after.gate.includes(`root=tuf:${url}:root-v2@`) && after.gate !== first.gate, `${after.status} ${after.gate}`);
    const timestamp = JSON.parse(new TextDecoder().decode(await kv.get(keys.find((k) => k.endsWith('/timestamp.json')), 'arrayBuffer')));
    check('TUF: the cron trigger refreshed the cache every isolate reads', timestamp.signed.version === made.scenarios['good-next'].timestamp_version, `timestamp version ${timestamp.signed.version}`);
  } finally {
    await mf.dispose();
  }
} catch (e) {
  check('the TUF part runs to its end', false, String(e?.stack ?? e));
} finally {
  await tufServer?.close();
  rmSync(tufDir, { recursive: true, force: true });
}

await finish();
