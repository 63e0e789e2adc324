// End-to-end tests of the edge gate (worker/gate) in workerd on 127.0.0.1: the file gate over an
// origin serving the private instance's artifacts and bundles (tests/gate_fixtures.rs), and the
// registry front over the world of signed images (tests/oci.rs) pushed to Debian's
// docker-registry, pulled by a real client (skopeo). Every policy field is shown to take effect by
// a pair of rules that differ in it alone and get opposite verdicts.
//
//   node tests/js/gate/run.mjs    ($WORKERD set; pkg/ built; target/tmp/gate-fixtures and
//                                  target/tmp/oci-world written by scripts/fixtures.sh)
//
// Prints the load figures; each check is a node:test test (tests/js/harness.mjs): run it with
// `node --test-reporter=spec`.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { startPackageRegistries, startWorld } from '../oci/servers.mjs';
import { startGate, startOrigin } from './servers.mjs';
import { check, finish, runProcess } from '../harness.mjs';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'target/tmp/gate-fixtures');
const WORLD = join(ROOT, 'target/tmp/oci-world');
const REALWORLD = join(ROOT, 'tests/data/realworld');
const SLSA = 'https://slsa.dev/provenance/v1';
const SPDX = 'https://spdx.dev/Document';
const COALESCED_REQUESTS = 12;
const LOAD_SECONDS = 4;
const LOAD_CONNECTIONS = 8;
/**
 * How much the worker's memory may grow while it streams the 256 MiB artifact, the first time (V8
 * collects the streamed pieces lazily, and workerd sets no memory limit) and again (nothing more:
 * a gate that held the artifact would grow by all of it each time).
 */
const MAX_FIRST_GROWTH_KIB = 160 << 10;
const MAX_STREAMING_GROWTH_KIB = 32 << 10;

for (const path of [join(FIXTURES, 'fixtures.json'), join(WORLD, 'world.json')]) {
  if (!existsSync(path)) {
    console.error(`gate: ${path} is missing (scripts/fixtures.sh writes it)`);
    process.exit(1);
  }
}
const fixtures = JSON.parse(readFileSync(join(FIXTURES, 'fixtures.json'), 'utf8'));
const world = JSON.parse(readFileSync(join(WORLD, 'world.json'), 'utf8'));
const trustedRoot = JSON.parse(readFileSync(join(FIXTURES, 'trusted_root.json'), 'utf8'));
const worldKey = world.cases.find((c) => c.name === 'legacy keyed signature').options.publicKey;


const A = { certificateIdentity: fixtures.a.certificateIdentity, certificateIssuer: fixtures.a.certificateIssuer };
const B = { certificateIdentity: fixtures.b.certificateIdentity, certificateIssuer: fixtures.b.certificateIssuer };
const NOBODY = { certificateIdentity: 'https://github.com/nobody/nothing/.github/workflows/x.yml@refs/heads/main', certificateIssuer: A.certificateIssuer };

/** A rule over `/dl/<name>/**`: the name is the path segment the tests request under. */
const fileRule = (name, fields) => ({ name, path: `/dl/${name}/**`, ...fields });

/**
 * Pairs of rules that differ in one field, the first expected to let a file through and the
 * second to refuse it with `code`: [field, file, passing fields, failing fields, code].
 */
const FIELD_PAIRS = [
  ['identities[].certificateIdentity', 'app.tar.gz', { identities: [A] }, { identities: [{ ...A, certificateIdentity: B.certificateIdentity }] }, 'IDENTITY_MISMATCH'],
  ['identities[].certificateIdentityRegExp', 'app.tar.gz', { identities: [{ certificateIdentityRegExp: '^https://github\\.com/test-org/', certificateIssuer: A.certificateIssuer }] }, { identities: [{ certificateIdentityRegExp: '^https://github\\.com/other-org/', certificateIssuer: A.certificateIssuer }] }, 'IDENTITY_MISMATCH'],
  ['identities[].certificateIssuer', 'app.tar.gz', { identities: [A] }, { identities: [{ ...A, certificateIssuer: 'https://accounts.google.com' }] }, 'ISSUER_MISMATCH'],
  ['identities[].certificateIssuerRegExp', 'app.tar.gz', { identities: [{ certificateIdentity: A.certificateIdentity, certificateIssuerRegExp: 'token\\.actions' }] }, { identities: [{ certificateIdentity: A.certificateIdentity, certificateIssuerRegExp: 'google' }] }, 'ISSUER_MISMATCH'],
  ['identities[].certificateExtensions.sourceRepositoryIdentifier', 'app.tar.gz', { identities: [{ ...A, certificateExtensions: { sourceRepositoryIdentifier: fixtures.a.repositoryId } }] }, { identities: [{ ...A, certificateExtensions: { sourceRepositoryIdentifier: '4321' } }] }, 'EXTENSION_MISMATCH'],
  ['identities[].certificateExtensions.sourceRepositoryOwnerIdentifier', 'app.tar.gz', { identities: [{ ...A, certificateExtensions: { sourceRepositoryOwnerIdentifier: fixtures.a.ownerId } }] }, { identities: [{ ...A, certificateExtensions: { sourceRepositoryOwnerIdentifier: '8765' } }] }, 'EXTENSION_MISMATCH'],
  ['identities: any one suffices', 'app.tar.gz', { identities: [B, A] }, { identities: [B, NOBODY] }, 'IDENTITY_MISMATCH'],
  ['keys', 'keyed.bin', { keys: [fixtures.managedKey] }, { keys: [fixtures.otherKey] }, null],
  ['attestations', 'provenance.tar.gz', { identities: [A], attestations: [SLSA] }, { identities: [A], attestations: [SPDX] }, 'PREDICATE_TYPE_MISMATCH'],
  ['threshold', 'two.tar.gz', { identities: [A, B], threshold: 2 }, { identities: [A, NOBODY], threshold: 2 }, 'IDENTITY_MISMATCH'],
  ['tlogThreshold', 'app.tar.gz', { identities: [A], tlogThreshold: 1 }, { identities: [A], tlogThreshold: 2 }, 'TLOG_THRESHOLD'],
  ['ctlogThreshold', 'app.tar.gz', { identities: [A], ctlogThreshold: 1 }, { identities: [A], ctlogThreshold: 2 }, 'SCT'],
  ['timestampThreshold', 'app.tar.gz', { identities: [A], timestampThreshold: 1 }, { identities: [A], timestampThreshold: 2 }, 'TIMESTAMP_THRESHOLD'],
  ['mode', 'other.tar.gz', { identities: [A], mode: 'warn' }, { identities: [A], mode: 'enforce' }, 'IDENTITY_MISMATCH'],
  ['static', 'unbundled.tar.gz', { static: 'allow' }, { static: 'deny' }, 'DENIED_BY_RULE'],
];

function mainPolicy(origin, registry, rekor) {
  const rules = [
    fileRule('good', { identities: [A] }),
    ...FIELD_PAIRS.flatMap(([, , pass, fail], i) => [fileRule(`pass-${i}`, pass), fileRule(`fail-${i}`, fail)]),
    // Every rule covering a path must pass.
    fileRule('both', { identities: [A] }),
    { name: 'both-other', path: '/dl/both/**', identities: [B] },
    { name: 'custom', path: '/custom/**', identities: [A] },
    { name: 'streamed', path: '/stream/**', identities: [A] },
  ];
  const image = (name, fields) => ({ name: `image ${name}`, image: `${registry.host}/${name}`, ...fields });
  rules.push(
    image('legacy/keyless', { identities: [A] }),
    image('legacy/keyed', { keys: [worldKey] }),
    image('legacy/keyed-lookup', { keys: [fixtures.otherKey] }),
    image('legacy/lookup', { identities: [A] }),
    image('unsigned/*', { identities: [A] }),
    image('attest/bundle', { identities: [A], attestations: [SLSA] }),
    image('bundle/v3', { identities: [A], attestations: [SLSA] }),
    image('mixed/index', { identities: [A] }),
    image('mixed/docker', { identities: [B] }),
    image('neg/**', { static: 'deny' }),
    image('hostile/**', { static: 'allow' }),
  );
  return {
    trustedRoot,
    files: [
      { prefix: '/dl/', origin: `${origin}/` },
      { prefix: '/custom/', origin: `${origin}/`, bundles: ['{path}.bundle'] },
      { prefix: '/stream/', origin: `${origin}/`, bufferBelow: 0 },
    ],
    images: { registry: registry.url, rekorUrl: rekor },
    rules,
  };
}

/**
 * GET through the gate: status, headers, the body's bytes (or how reading it failed). A request
 * that failed before any answer (a connection broken off before the headers) has status 0.
 */
async function get(url, init = {}) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    return { status: 0, headers: new Headers(), body: null, bodyError: String(e.cause?.message ?? e.message), json: null };
  }
  let body = null;
  let bodyError = null;
  try {
    body = Buffer.from(await response.arrayBuffer());
  } catch (e) {
    bodyError = String(e.cause?.message ?? e.message);
  }
  let json = null;
  try {
    json = JSON.parse(body?.toString('utf8'));
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, body, bodyError, json };
}

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const fileBytes = (name) => readFileSync(join(FIXTURES, 'files', name));
const errorCode = (r) => r.json?.error?.code ?? r.json?.errors?.[0]?.detail?.error?.code ?? r.json?.errors?.[0]?.code;

async function fileCases(gate) {
  const at = (path) => get(`${gate.url}${path}`);
  // The signed artifact, and what the gate says about it.
  const good = await at('/dl/good/app.tar.gz');
  check('a signed file is served', good.status === 200 && good.body?.equals(fileBytes('app.tar.gz')), `${good.status} ${good.body?.toString().slice(0, 200)}`);
  check('its digest is named', good.headers.get('sigstore-gate-digest') === sha256(fileBytes('app.tar.gz')), good.headers.get('sigstore-gate-digest'));
  check('the first answer verified', /^allowed; verdict=fresh; subrequests=\d+; root=sha256:/.test(good.headers.get('sigstore-gate') ?? ''), good.headers.get('sigstore-gate'));
  const again = await at('/dl/good/app.tar.gz');
  check('the second comes from the verdict cache', /verdict=memory/.test(again.headers.get('sigstore-gate') ?? '') && again.status === 200, again.headers.get('sigstore-gate'));
  const head = await get(`${gate.url}/dl/good/app.tar.gz`, { method: 'HEAD' });
  check('HEAD is decided the same way, without a body', head.status === 200 && head.headers.get('content-length') === String(fileBytes('app.tar.gz').length), `${head.status} ${head.headers.get('content-length')}`);

  for (const [name, path, status, code] of [
    ['wrong identity', '/dl/good/other.tar.gz', 403, 'IDENTITY_MISMATCH'],
    ['tampered bundle', '/dl/good/tampered.tar.gz', 403, 'TLOG_BODY_MISMATCH'],
    ['missing bundle', '/dl/good/unbundled.tar.gz', 403, 'NO_BUNDLE'],
    ['a keyed bundle under an identity rule', '/dl/good/keyed.bin', 403, 'KEY_MISMATCH'],
    ['a message signature where an attestation is required', '/dl/pass-8/app.tar.gz', 403, 'PREDICATE_TYPE_MISMATCH'],
    ['no rule covers the path', '/dl/nobody/app.tar.gz', 403, 'NO_RULE'],
    ['every covering rule must pass', '/dl/both/app.tar.gz', 403, 'IDENTITY_MISMATCH'],
    ['the bundle at the second default location', '/dl/good/alt.tar.gz', 200, null],
    ['files[].bundles: a configured location', '/custom/good/custom.tar.gz', 200, null],
    ['files[].bundles: not at the default ones', '/dl/good/custom.tar.gz', 403, 'NO_BUNDLE'],
    ['an artifact the origin does not have', '/dl/good/absent.tar.gz', 403, 'NO_BUNDLE'],
    ['a small artifact whose bytes differ from its bundle, caught before the first byte', '/dl/good/mismatch-small.bin', 502, 'ARTIFACT_MISMATCH'],
  ]) {
    const r = await at(path);
    const ok = r.status === status && (code === null || errorCode(r) === code);
    check(`file: ${name}`, ok, `${r.status} ${errorCode(r)} ${r.body?.toString().slice(0, 300)}`);
    if (status === 403) {
      const j = r.json;
      check(`file: ${name}: the refusal names the check, the rule and the message`, j && typeof j.error?.message === 'string' && j.error.message.length > 10 && 'rule' in j && j.subject === path.split('?')[0], JSON.stringify(j)?.slice(0, 300));
    }
  }
  const failedAgain = await at('/dl/good/other.tar.gz');
  check('cache.failureSeconds: a failure is remembered too', failedAgain.status === 403 && /verdict=memory/.test(failedAgain.headers.get('sigstore-gate')), failedAgain.headers.get('sigstore-gate'));
  const tampered = (await at('/dl/good/tampered.tar.gz')).json;
  check('file: which signature failed', tampered?.signature === '/dl/good/tampered.tar.gz.sigstore.json', JSON.stringify(tampered)?.slice(0, 200));

  // Each policy field flips the verdict.
  for (const [i, [field, file, , , code]] of FIELD_PAIRS.entries()) {
    const pass = await at(`/dl/pass-${i}/${file}`);
    const fail = await at(`/dl/fail-${i}/${file}`);
    const warned = field === 'mode';
    check(`field ${field}: passes`, pass.status === 200 && (!warned || pass.headers.has('sigstore-gate-warning')), `${pass.status} ${pass.body?.toString().slice(0, 300)}`);
    check(`field ${field}: flips`, fail.status === 403 && (code === null || errorCode(fail) === code), `${fail.status} ${errorCode(fail)} ${fail.body?.toString().slice(0, 300)}`);
  }
  const warned = await at('/dl/pass-13/other.tar.gz');
  const warning = JSON.parse(warned.headers.get('sigstore-gate-warning') ?? '[]');
  check('warn mode serves the bytes and reports the failed check', warned.body?.equals(fileBytes('other.tar.gz')) && warning[0]?.code === 'IDENTITY_MISMATCH' && /^warned;/.test(warned.headers.get('sigstore-gate')), `${warned.headers.get('sigstore-gate')} ${JSON.stringify(warning)}`);

  // Streamed artifacts: intact, and one whose last byte differs from the signed bytes.
  const streamed = await at('/dl/good/streamed.bin');
  check('a streamed artifact arrives whole', streamed.status === 200 && streamed.body?.equals(fileBytes('streamed.bin')), `${streamed.status} ${streamed.bodyError}`);
  for (const path of ['/dl/good/mismatch-large.bin', '/stream/good/mismatch-small.bin']) {
    const r = await at(path);
    const complete = r.body && r.body.length === Number(r.headers.get('content-length'));
    // Broken off after its headers, or (when the whole came in one piece) before them.
    check(`a streamed artifact whose bytes differ fails the download (${path})`, (r.status === 200 || r.status === 0) && r.bodyError !== null && !complete, `${r.status} error=${r.bodyError} got ${r.body?.length}`);
  }
  check('files[].bufferBelow: the same small artifact is refused with 502 when buffered', (await at('/dl/good/mismatch-small.bin')).status === 502, 'not 502');
  const aborted = gate.logs().filter((l) => l.decision === 'aborted');
  check('an aborted download is logged', aborted.length >= 2 && aborted.every((l) => /hashes to sha256:/.test(l.error)), JSON.stringify(aborted).slice(0, 300));
}

/** Downloads `path` through the gate, hashing it, sampling the worker's memory meanwhile. */
async function download(gate, path) {
  const before = gate.rssKiB();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, gate.rssKiB())), 50);
  const response = await fetch(`${gate.url}${path}`);
  const hash = createHash('sha256');
  let received = 0;
  for await (const chunk of response.body) {
    hash.update(chunk);
    received += chunk.byteLength;
  }
  clearInterval(sampler);
  return { status: response.status, received, digest: `sha256:${hash.digest('hex')}`, before, peak, after: gate.rssKiB() };
}

async function largeCase(gate) {
  // Twice: the first download grows the isolate's heap to its working size (V8 collects streamed
  // chunks lazily, and workerd sets no memory limit); from then on, more bytes must cost nothing.
  const first = await download(gate, '/dl/good/large.bin');
  const second = await download(gate, '/dl/good/large.bin');
  for (const [n, d] of [first, second].entries()) {
    check(`a 256 MiB artifact streams through whole (${n + 1})`, d.status === 200 && d.received === fixtures.large.bytes && d.digest === fixtures.large.digest, `${d.status} ${d.received} ${d.digest}`);
  }
  check('the first download does not hold the artifact', first.peak - first.before < MAX_FIRST_GROWTH_KIB, `RSS ${first.before} KiB before, peak ${first.peak} KiB`);
  check('the second adds nothing to the worker\'s memory', second.peak - second.before < MAX_STREAMING_GROWTH_KIB, `RSS ${second.before} KiB before, peak ${second.peak} KiB`);
  for (const [n, d] of [first, second].entries()) {
    console.log(`  large artifact (${n + 1}): ${d.received >> 20} MiB; worker RSS ${d.before >> 10} MiB before, ${d.peak >> 10} MiB peak, ${d.after >> 10} MiB after`);
  }

  const tampered = await fetch(`${gate.url}/dl/good/large-tampered.bin`);
  let got = 0;
  let error = null;
  try {
    for await (const chunk of tampered.body) got += chunk.byteLength;
  } catch (e) {
    error = e;
  }
  check('a 256 MiB artifact with its last byte changed fails the download', tampered.status === 200 && error !== null && got < fixtures.large.bytes, `${tampered.status} got ${got} error ${error}`);
}

const MANIFEST_ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json';

function tagged(name, tag) {
  return world.repositories[name].manifests.find((m) => m.tag === tag).digest;
}

async function imageCases(gate, registry) {
  const manifest = (name, reference) => get(`${gate.url}/v2/${name}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT } });
  const keyless = await manifest('legacy/keyless', 'v1');
  const digest = tagged('legacy/keyless', 'v1');
  check('image: a signed image is served', keyless.status === 200 && keyless.headers.get('docker-content-digest') === digest && sha256(keyless.body) === digest, `${keyless.status} ${keyless.headers.get('docker-content-digest')} ${keyless.body?.toString().slice(0, 200)}`);
  for (const [name, image, reference, status, code] of [
    ['by digest', 'legacy/keyless', digest, 200, null],
    ['a managed key', 'legacy/keyed', 'v1', 200, null],
    ['keys flip the verdict', 'legacy/keyed-lookup', 'v1', 403, 'NO_MATCHING_SIGNATURES'],
    ['a signature found in Rekor (images.rekorUrl)', 'legacy/lookup', 'v1', 200, null],
    ['an unsigned image', 'unsigned/app', 'v1', 403, 'NO_SIGNATURES'],
    ['a required attestation present', 'attest/bundle', 'v1', 200, null],
    ['a required attestation missing', 'bundle/v3', 'v1', 403, null],
    ['wrong identity', 'mixed/docker', 'v1', 403, 'NO_MATCHING_SIGNATURES'],
    ['a static deny', 'neg/tampered', 'v1', 403, 'DENIED_BY_RULE'],
    ['no rule covers the image', 'bundle/rekor2', 'v1', 403, 'NO_RULE'],
    ['a signed index', 'mixed/index', 'v1', 200, null],
  ]) {
    const r = await manifest(image, reference);
    check(`image: ${name}`, r.status === status && (code === null || errorCode(r) === code), `${r.status} ${errorCode(r)} ${r.body?.toString().slice(0, 300)}`);
    if (status === 403) check(`image: ${name}: a registry error a client prints`, r.json?.errors?.[0]?.code === 'DENIED' && r.json.errors[0].message.length > 10, r.body?.toString().slice(0, 200));
  }
  // The platform images of the verified index are served on its verdict.
  const index = JSON.parse((await manifest('mixed/index', 'v1')).body.toString());
  const platform = await manifest('mixed/index', index.manifests[0].digest);
  check('image: a platform image of a verified index', platform.status === 200 && sha256(platform.body) === index.manifests[0].digest, `${platform.status} ${platform.body?.toString().slice(0, 200)}`);

  // Blobs pass through by digest, checked as they stream.
  const config = JSON.parse(keyless.body.toString()).config.digest;
  const blob = await get(`${gate.url}/v2/legacy/keyless/blobs/${config}`);
  check('image: a blob passes through', blob.status === 200 && sha256(blob.body) === config, `${blob.status}`);
  const uncovered = await get(`${gate.url}/v2/bundle/rekor2/blobs/${config}`);
  check('image: blobs of an image no rule covers are refused', uncovered.status === 403, `${uncovered.status}`);
  for (const path of [`blobs/md5:${'0'.repeat(32)}`, `manifests/sha1:${'0'.repeat(40)}`, `manifests/sha256:${'0'.repeat(63)}`, 'manifests/-bad', `blobs/v1`]) {
    const r = await get(`${gate.url}/v2/legacy/keyless/${path}`);
    check(`image: a reference the gate cannot check is refused as such (${path.slice(0, 20)})`, r.status === 404 && r.json?.errors?.[0]?.code === 'UNSUPPORTED', `${r.status} ${r.body?.toString().slice(0, 200)}`);
  }
  const write = await fetch(`${gate.url}/v2/legacy/keyless/blobs/uploads/`, { method: 'POST' });
  check('image: the front is read-only', write.status === 405, `${write.status}`);

  // A tag moved after its image was verified: the gate verifies what the tag names now.
  await putManifest(registry, 'legacy/keyless', 'moving', 'legacy/keyless', digest);
  const before = await manifest('legacy/keyless', 'moving');
  check('image: a tag is resolved to the digest verified', before.status === 200 && before.headers.get('docker-content-digest') === digest, `${before.status}`);
  await putManifest(registry, 'legacy/keyless', 'moving', 'unsigned/app', tagged('unsigned/app', 'v1'));
  const after = await manifest('legacy/keyless', 'moving');
  check('image: a tag moved after verification does not slip through', after.status === 403 && errorCode(after) === 'NO_SIGNATURES', `${after.status} ${errorCode(after)}`);

  // A real client pulls through the gate, and is refused where the policy says so.
  const scratch = mkdtempSync(join(tmpdir(), 'sigstore-wasm-gate-'));
  try {
    const host = new URL(gate.url).host;
    const copy = (image) => runProcess('skopeo', ['copy', '--insecure-policy', '--src-tls-verify=false', `docker://${host}/${image}`, `oci:${join(scratch, image.replace(/[/:]/g, '-'))}:x`]);
    const pulled = await copy('legacy/keyless:v1');
    check('skopeo pulls a signed image through the gate', pulled.status === 0, pulled.stderr?.slice(0, 500));
    const refused = await copy('unsigned/app:v1');
    check('skopeo is refused an unsigned one, and says why', refused.status !== 0 && /DENIED|denied/.test(refused.stderr) && /NO_SIGNATURES/.test(refused.stderr), refused.stderr?.slice(0, 500));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Tags `tag` in `name` with the manifest `digest` of `from` (blobs mounted across, as crane does). */
async function putManifest(registry, name, tag, from, digest) {
  const bytes = Buffer.from(await (await fetch(`${registry.url}/v2/${from}/manifests/${digest}`, { headers: { accept: MANIFEST_ACCEPT } })).arrayBuffer());
  const parsed = JSON.parse(bytes.toString());
  for (const blob of [parsed.config, ...(parsed.layers ?? [])]) {
    const mounted = await fetch(`${registry.url}/v2/${name}/blobs/uploads/?mount=${blob.digest}&from=${from}`, { method: 'POST' });
    await mounted.arrayBuffer();
    if (mounted.status !== 201) throw new Error(`mount ${blob.digest}: ${mounted.status}`);
  }
  const put = await fetch(`${registry.url}/v2/${name}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': parsed.mediaType }, body: bytes });
  await put.arrayBuffer();
  if (put.status !== 201) throw new Error(`PUT ${name}:${tag}: ${put.status}`);
}

const signerOf = (dir) => ({
  certificateIdentity: readFileSync(join(REALWORLD, dir, 'identity'), 'utf8').trim(),
  certificateIssuer: readFileSync(join(REALWORLD, dir, 'issuer'), 'utf8').trim(),
});

/** The main policy on the production root, with mounts that find attestations in package registries. */
function productionPolicy(main, registries) {
  const npm = signerOf('npm-provenance-sigstore-2.0.0');
  const pypi = signerOf('pypi-attestation-models-0.0.4a2');
  const mount = (prefix, path, fields) => ({ prefix, origin: `${registries}${path}`, ...fields });
  return {
    ...main,
    trustedRoot: 'production',
    files: [
      ...main.files,
      mount('/npm/', '/', { attestations: 'npm', npmRegistry: registries }),
      mount('/npm-other/', '/', { attestations: 'npm', npmRegistry: registries }),
      mount('/npm-spdx/', '/', { attestations: 'npm', npmRegistry: registries }),
      mount('/pypi/', '/packages/', { attestations: 'pypi', pypiUrl: registries }),
      mount('/gh/', '/releases/', { attestations: 'github:trailofbits/pypi-attestation-models', githubApiUrl: registries }),
      mount('/gh-small/', '/releases/', { attestations: 'github:trailofbits/pypi-attestation-models', githubApiUrl: registries, bufferBelow: 16 }),
    ],
    rules: [
      ...main.rules,
      { name: 'npm', path: '/npm/**', identities: [npm], attestations: [SLSA] },
      { name: 'npm, another signer', path: '/npm-other/**', identities: [pypi] },
      { name: 'npm, another predicate type', path: '/npm-spdx/**', identities: [npm], attestations: [SPDX] },
      { name: 'pypi', path: '/pypi/**', identities: [pypi] },
      { name: 'github', path: '/gh/**', identities: [pypi] },
      { name: 'github, small', path: '/gh-small/**', identities: [pypi] },
    ],
  };
}

async function attestationCases(gate, packages) {
  const file = 'pypi_attestation_models-0.0.4a2.tar.gz';
  for (const [name, path, status, code, bytes] of [
    ['npm provenance of the tarball', '/npm/sigstore/-/sigstore-2.0.0.tgz', 200, null, packages.files['/sigstore/-/sigstore-2.0.0.tgz']],
    ['npm provenance that is about another tarball', '/npm/sigstore/-/sigstore-2.0.1.tgz', 403, 'NO_MATCHING_SIGNATURES'],
    ['npm provenance by another signer', '/npm-other/sigstore/-/sigstore-2.0.0.tgz', 403, 'NO_MATCHING_SIGNATURES'],
    ['npm provenance, another predicate type required', '/npm-spdx/sigstore/-/sigstore-2.0.0.tgz', 403, null],
    ['not an npm tarball path', '/npm/sigstore/sigstore-2.0.0.tgz', 403, 'INVALID_INPUT'],
    ['PyPI provenance of the sdist', `/pypi/${file}`, 200, null, packages.files[`/packages/${file}`]],
    ['GitHub attestations of the file\'s digest', `/gh/${file}`, 200, null, packages.files[`/releases/${file}`]],
    ['GitHub attestations, a file larger than bufferBelow', `/gh-small/${file}`, 403, 'LIMIT_EXCEEDED'],
  ]) {
    const r = await get(`${gate.url}${path}`);
    const ok = r.status === status && (code === null || errorCode(r) === code) && (!bytes || r.body?.equals(bytes));
    check(`attestations: ${name}`, ok, `${r.status} ${errorCode(r)} ${r.body?.toString().slice(0, 300)}`);
  }
  const npm = await get(`${gate.url}/npm/sigstore/-/sigstore-2.0.0.tgz`);
  check('attestations: the tarball is checked against npm\'s sha512', /^sha512:/.test(npm.headers.get('sigstore-gate-digest') ?? '') && /verdict=memory/.test(npm.headers.get('sigstore-gate')), `${npm.headers.get('sigstore-gate-digest')} ${npm.headers.get('sigstore-gate')}`);
}

/** Concurrent requests for one uncached image share one verification. */
async function coalescing(gate, digest) {
  const url = `${gate.url}/v2/legacy/keyless/manifests/${digest}`;
  const answers = await Promise.all(Array.from({ length: COALESCED_REQUESTS }, () => get(url, { headers: { accept: MANIFEST_ACCEPT } })));
  const sources = answers.map((a) => /verdict=(\w+)/.exec(a.headers.get('sigstore-gate') ?? '')?.[1]);
  const fresh = sources.filter((s) => s === 'fresh').length;
  check(`${COALESCED_REQUESTS} concurrent requests, one verification`, answers.every((a) => a.status === 200) && fresh === 1 && sources.filter((s) => s === 'coalesced').length === COALESCED_REQUESTS - 1, `statuses ${answers.map((a) => a.status)} sources ${sources}`);
  const decisions = gate.logs().filter((l) => l.gate === 'image' && l.verdict === 'fresh');
  check('the log shows one fresh decision', decisions.length === 1, JSON.stringify(decisions).slice(0, 300));
}

/** Load on loopback, bounded in time: requests/s, latency, errors (none allowed), worker memory. */
async function load(name, gate, path) {
  const before = gate.rssKiB();
  const result = await autocannon({ url: `${gate.url}${path}`, connections: LOAD_CONNECTIONS, duration: LOAD_SECONDS });
  const after = gate.rssKiB();
  const bad = result.errors + result.timeouts + result.non2xx;
  check(`load ${name}: no errors`, bad === 0 && result.requests.total > 0, `${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx of ${result.requests.total}`);
  console.log(`  load ${name}: ${Math.round(result.requests.average)} requests/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${bad} errors of ${result.requests.total}; worker RSS ${before >> 10} -> ${after >> 10} MiB`);
}

async function policyRefusals(origin) {
  // A policy that cannot be read refuses every request and says why.
  const gate = await startGate({ rules: [{ name: 'typo', path: '/dl/**', identities: [{ certificateIdentiy: 'x', certificateIssuer: 'y' }] }], files: [{ prefix: '/dl/', origin: `${origin.url}/` }] });
  try {
    const r = await get(`${gate.url}/dl/good/app.tar.gz`);
    check('a misspelt policy field refuses every request', r.status === 500 && r.json?.error?.code === 'CONFIG' && /certificateIdentiy/.test(r.json.error.message), `${r.status} ${r.body?.toString().slice(0, 200)}`);
  } finally {
    gate.stop();
  }
  // A policy whose trusted root does not parse: the same.
  const rootless = await startGate({ trustedRoot: { mediaType: 'nonsense' }, rules: [{ name: 'r', path: '/dl/**', static: 'allow' }], files: [{ prefix: '/dl/', origin: `${origin.url}/` }] });
  try {
    const r = await get(`${rootless.url}/dl/good/app.tar.gz`);
    check('a trusted root that does not parse refuses every request', r.status === 500 && r.json?.error?.code === 'CONFIG' && /trustedRoot/.test(r.json.error.message), `${r.status} ${r.body?.toString().slice(0, 200)}`);
  } finally {
    rootless.stop();
  }
}

const stops = [];
try {
  const origin = await startOrigin(join(FIXTURES, 'files'), fixtures.large.bytes);
  stops.push(origin.stop);
  // The world, its hostile registry slow for the second gate (every request 300 ms late).
  const slowly = { 'legacy/keyless': 'slow', 'legacy/lookup': 'slow', 'hostile/wrong-digest': 'wrong-digest' };
  const { registry, rekor, liar, hostile: slow, stop } = await startWorld(WORLD, { hostile: { behaviours: slowly, delayMs: 300 } });
  stops.push(stop);
  const registryInfo = { url: registry.url, host: new URL(registry.url).host };

  const gate = await startGate(mainPolicy(origin.url, registryInfo, rekor.url));
  stops.push(gate.stop);
  await fileCases(gate);
  await imageCases(gate, registryInfo);
  await largeCase(gate);
  await load('cached verdict (small file)', gate, '/dl/good/app.tar.gz');

  // A second gate: nothing cached, offline, its registry slow.
  const uncachedPolicy = mainPolicy(origin.url, { url: slow.url, host: new URL(slow.url).host }, rekor.url);
  uncachedPolicy.cache = { successSeconds: 0, failureSeconds: 0 };
  uncachedPolicy.images = { registry: slow.url, offline: true };
  const uncached = await startGate(uncachedPolicy);
  stops.push(uncached.stop);
  await coalescing(uncached, tagged('legacy/keyless', 'v1'));
  const wrong = world.repositories['hostile/wrong-digest'].blobs[0];
  const bad = await get(`${uncached.url}/v2/hostile/wrong-digest/blobs/${wrong}`);
  check('image: a blob whose bytes differ from its digest is refused', bad.status === 502 && errorCode(bad) === 'BLOB_UNKNOWN', `${bad.status} ${bad.body?.toString().slice(0, 200)}`);
  const offline = await get(`${uncached.url}/v2/legacy/lookup/manifests/v1`, { headers: { accept: MANIFEST_ACCEPT } });
  check('images.offline: a signature that needs Rekor is refused', offline.status === 403, `${offline.status} ${offline.body?.toString().slice(0, 200)}`);
  const fresh = await get(`${uncached.url}/dl/good/app.tar.gz`);
  const freshAgain = await get(`${uncached.url}/dl/good/app.tar.gz`);
  check('cache.successSeconds: 0 caches nothing', /verdict=fresh/.test(fresh.headers.get('sigstore-gate')) && /verdict=fresh/.test(freshAgain.headers.get('sigstore-gate')), `${fresh.headers.get('sigstore-gate')} / ${freshAgain.headers.get('sigstore-gate')}`);
  const failures0 = [await get(`${uncached.url}/dl/good/other.tar.gz`), await get(`${uncached.url}/dl/good/other.tar.gz`)];
  check('cache.failureSeconds: 0 remembers no failure', failures0.every((r) => r.status === 403 && /verdict=fresh/.test(r.headers.get('sigstore-gate'))), failures0.map((r) => r.headers.get('sigstore-gate')).join(' / '));
  await load('uncached verdict (small file, every request verified)', uncached, '/dl/good/app.tar.gz');

  // images.rekorUrl: a Rekor that serves tampered entries.
  const lied = await startGate({ ...mainPolicy(origin.url, registryInfo, liar.url) });
  stops.push(lied.stop);
  const lookup = await get(`${lied.url}/v2/legacy/lookup/manifests/v1`, { headers: { accept: MANIFEST_ACCEPT } });
  check('images.rekorUrl flips the verdict (a lying Rekor)', lookup.status === 403 && errorCode(lookup) === 'NO_MATCHING_SIGNATURES', `${lookup.status} ${errorCode(lookup)}`);

  // trustedRoot: the production root does not trust the private instance; it does trust the real
  // npm and PyPI attestations, found through their registries' APIs (attestation mounts).
  const packages = await startPackageRegistries(REALWORLD);
  stops.push(packages.stop);
  const production = await startGate(productionPolicy(mainPolicy(origin.url, registryInfo, rekor.url), packages.url));
  stops.push(production.stop);
  const foreign = await get(`${production.url}/dl/good/app.tar.gz`);
  check('trustedRoot flips the verdict', foreign.status === 403 && /root=production@/.test(foreign.headers.get('sigstore-gate')), `${foreign.status} ${foreign.headers.get('sigstore-gate')}`);
  await attestationCases(production, packages);
  await policyRefusals(origin);

  const decisions = gate.logs();
  check('one structured log line per decision', decisions.length > 40 && decisions.every((l) => typeof l.subject === 'string' && Number.isInteger(l.subrequests) && l.decision), `${decisions.length} lines`);
  check('subrequests stay within the free plan (50)', decisions.every((l) => l.subrequests <= 50), JSON.stringify(decisions.find((l) => l.subrequests > 50)));
} catch (e) {
  check('the runner runs to its end', false, String(e?.stack ?? e));
} finally {
  for (const stop of stops.reverse()) await stop();
}

await finish();
