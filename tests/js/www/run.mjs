// End-to-end tests of the verification page (www/) as a person uses it: Playwright drives
// Debian's Chromium against the page served by the worker (worker/) in workerd on 127.0.0.1,
// with the world of images of tests/oci.rs pushed to Debian's docker-registry, a bearer-token
// registry that sends blobs to another origin, a registry that sends no CORS headers, a hostile
// registry, and an honest and a lying Rekor. Every screen is checked with axe-core; screenshots
// go to target/www-screenshots/ (desktop and phone width).
//
//   node tests/js/www/run.mjs     ($CHROMIUM and $WORKERD set; pkg/ and www/dist built;
//                                  target/tmp/oci-world and target/tmp/page-fixtures written by
//                                  scripts/fixtures.sh)
//
// Each check is a node:test test (tests/js/harness.mjs): run it with `node --test-reporter=spec`.
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage, rendererMemory } from '../chromium.mjs';
import { startPackageRegistries, startWorld } from '../oci/servers.mjs';
import { startWorker } from '../worker.mjs';
import { check, failures, finish, runProcess } from '../harness.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const WORLD = join(ROOT, 'target/tmp/oci-world');
const FIXTURES = join(ROOT, 'target/tmp/page-fixtures');
const SHOTS = join(ROOT, 'target/www-screenshots');
const REALWORLD = join(ROOT, 'tests/data/realworld');
const CONFORMANCE = join(ROOT, 'tests/data/conformance/bundle-verify');
const VERDICT_TIMEOUT_MS = 60_000;

for (const [what, path] of [['the world', join(WORLD, 'world.json')], ['the page fixtures', FIXTURES], ['www/dist', join(ROOT, 'www/dist/index.html')]]) {
  if (!existsSync(path)) {
    console.error(`www: ${what} is missing (${path})`);
    process.exit(1);
  }
}
const world = JSON.parse(readFileSync(join(WORLD, 'world.json'), 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'sigstore-wasm-www-'));
mkdirSync(SHOTS, { recursive: true });

let visits = 0;
const started = Date.now();
/** Marks a step in the output, with the time since the start (the suite's budget is minutes). */
function step(name) {
  console.log(`  ${((Date.now() - started) / 1000).toFixed(1)} s: ${name}`);
}

/** A registry without CORS headers: relays GET and HEAD to `upstream` as they are, and nothing else. */
async function startNoCorsRegistry(upstream) {
  const server = createServer(async (req, res) => {
    try {
      const answer = await fetch(`${upstream}${req.url}`, { method: req.method, headers: { accept: req.headers.accept ?? '*/*' }, redirect: 'manual' });
      const headers = {};
      for (const [name, value] of answer.headers) if (!name.startsWith('access-control-')) headers[name] = value;
      res.writeHead(answer.status, headers);
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch (e) {
      res.destroy(e);
    }
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => server.close() };
}

/** The worker in workerd, with the proxy allowed to reach these loopback registries. */
function startPageWorker(registries) {
  return startWorker({
    SIGSTORE_WASM_ALLOW_LOOPBACK: 'true',
    SIGSTORE_WASM_REGISTRIES: JSON.stringify(registries),
    SIGSTORE_WASM_CONNECT_SRC: 'http://127.0.0.1:*',
  });
}

const stops = [];
let context;
const browserLog = [];
try {
  const { registry, token, hostile, rekor, liar, stop } = await startWorld(WORLD);
  stops.push(stop);
  const noCors = await startNoCorsRegistry(registry.url);
  const misbehaving = await startMisbehavingRegistry();
  const packages = await startPackageRegistries(REALWORLD);
  stops.push(packages.stop, noCors.stop, misbehaving.stop);
  const host = (url) => new URL(url).host;
  const worker = await startPageWorker([
    { host: host(registry.url), tokenHosts: [], blobHosts: [] },
    { host: host(token.url), tokenHosts: [host(token.url)], blobHosts: [host(registry.url)] },
    { host: host(noCors.url), tokenHosts: [], blobHosts: [] },
    { host: host(hostile.url), tokenHosts: [], blobHosts: [] },
    { host: host(misbehaving.url), tokenHosts: [], blobHosts: [] },
  ]);
  stops.push(worker.stop);

  await proxyRefusals(worker.url, { registry: registry.url, misbehaving: misbehaving.url });

  context = await launchChromium(join(scratch, 'profile'));
  const allowed = (url) => url.startsWith('http://127.0.0.1:');
  const page = await openPage(context, allowed, browserLog);
  // Any dialog (alert, confirm) is a script an attacker got to run.
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  // The page's main-thread tasks over 50 ms (the Long Tasks API), for the steps that may run long.
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: true });
  });
  // Every WebAssembly module the page fetches, from a fresh profile: what a visit costs.
  const modules = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.endsWith('.wasm')) modules.push(new URL(r.url()).pathname);
  });
  // Each way into the page fetches the one module of its use, and nothing else.
  const fetchesOneModule = async (way, module, visit) => {
    const from = modules.length;
    await visit();
    const fetched = modules.slice(from);
    check(`${way}: the page fetched one module, the ${module} module`, JSON.stringify(fetched) === JSON.stringify([`/wasm/sigstore_wasm_${module}_bg.wasm`]), JSON.stringify(fetched));
  };
  const axeSource = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  const env = { page, origin: worker.url, axeSource, dialogs };
  const trustedRoot = join(FIXTURES, 'trusted_root.json');
  // The world's images and log entries are signed under its own instance's root.
  const worldRoot = join(scratch, 'world-trusted_root.json');
  writeFileSync(worldRoot, JSON.stringify(world.trustedRoot));

  step('samples');
  // 1. Built-in samples, offline: a real npm provenance bundle; screenshots of the main screen.
  await open(env, '#sample=npm-provenance-sigstore-2.0.0');
  await expectVerdict(env, 'sample: npm provenance of sigstore@2.0.0', 'ok', 'Verified: signed by https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main');
  const text = await page.textContent('#result');
  check('sample: the signer\'s claims and links are shown', text.includes('githubWorkflowRepository') && (await page.locator('#result a[href^="https://github.com/sigstore/sigstore-js/commit/"]').count()) === 1, 'no claims or commit link');
  check('sample: the log entry and the statement are shown', text.includes('31821305') && text.includes('https://slsa.dev/provenance/v1'), text.slice(0, 300));
  check('sample: the trusted root is named and dated', text.includes('Trusted root: Sigstore production') && /the newest key in it dates from 20\d\d-/.test(text), 'no root line');
  check('sample: a CLI command reproduces it', text.includes('npx sigstore-wasm verify-bundle --certificate-identity https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main'), 'no command');
  check(
    "sample: the page fetched one module, the bundle module (no crypto module, no TUF client)",
    JSON.stringify(modules) === JSON.stringify(['/wasm/sigstore_wasm_bg.wasm']),
    JSON.stringify(modules),
  );
  await accessible(env, 'sample result');
  await screenshots(env, 'bundle-verified');

  step('trusted root through TUF');
  // The page reaches only loopback here, so Sigstore's TUF repository cannot be: the page must say
  // so, and which root it verified under instead (the embedded one; nothing is cached yet).
  await open(env, '#sample=npm-provenance-sigstore-2.0.0&root=tuf');
  await expectVerdict(env, 'TUF root, repository unreachable: verified under the embedded root', 'ok', 'Verified: signed by');
  const tufText = await page.textContent('#result');
  check(
    'TUF root: the repository could not be used, and the fallback is named',
    tufText.includes('could not be used') && tufText.includes('Warning') && tufText.includes('using the trusted root embedded in this package') && !tufText.includes('refreshed through TUF at'),
    tufText.slice(0, 600),
  );
  check('TUF root: the command repeats it with --tuf', /npx sigstore-wasm verify-bundle .*--tuf/.test(tufText), 'no --tuf in the command');
  await accessible(env, 'TUF root result');
  await screenshots(env, 'bundle-tuf-fallback');
  await page.locator('#result li', { hasText: 'Trusted root:' }).first().screenshot({ path: join(SHOTS, 'bundle-tuf-fallback-root.png') });

  step('shareable URL');
  // 2. The shareable URL reproduces the check in a fresh page.
  const shared = page.url();
  check('the URL carries the policy', shared.includes('identity=') && shared.includes('sample=npm-provenance-sigstore-2.0.0'), shared);
  const fresh = await context.newPage();
  await fresh.goto(shared);
  await fresh.waitForSelector('h2.verdict', { timeout: VERDICT_TIMEOUT_MS });
  check('the shared URL reproduces the verdict', (await fresh.textContent('h2.verdict')) === (await page.textContent('h2.verdict')), await fresh.textContent('h2.verdict'));
  await fresh.close();

  step('files and digests');
  // 3. A dropped (picked) real bundle and its artifact; then the digest instead; the CPython
  //    bundle (a P-384 key over SHA-256) by its digest.
  const pypi = join(REALWORLD, 'pypi-attestation-models-0.0.4a2');
  await verifyFiles(env, 'picked PyPI bundle and artifact', { bundle: join(pypi, 'bundle.sigstore.json'), artifact: join(pypi, 'artifact'), identity: read(pypi, 'identity'), issuer: read(pypi, 'issuer') }, 'ok');
  await dropFiles(env, 'a dropped bundle and artifact', { bundle: join(pypi, 'bundle.sigstore.json'), artifact: join(pypi, 'artifact'), identity: read(pypi, 'identity'), issuer: read(pypi, 'issuer') }, 'ok');
  const cpython = join(REALWORLD, 'cpython-3.10.1-embed-win32');
  await verifyFiles(env, 'CPython bundle by its digest', { bundle: join(cpython, 'bundle.sigstore.json'), digest: read(cpython, 'digest'), identity: read(cpython, 'identity'), issuer: read(cpython, 'issuer') }, 'ok');
  await screenshots(env, 'bundle-digest');

  step('failures');
  // 4. What must fail, failing visibly.
  const happy = join(CONFORMANCE, 'happy-path-v0.3');
  const beacon = { identity: 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main', issuer: 'https://token.actions.githubusercontent.com' };
  const tampered = JSON.parse(readFileSync(join(happy, 'bundle.sigstore.json'), 'utf8'));
  tampered.messageSignature.signature = Buffer.from('not the signature').toString('base64');
  writeFileSync(join(scratch, 'tampered.sigstore.json'), JSON.stringify(tampered));
  await verifyFiles(env, 'a tampered bundle', { bundle: join(scratch, 'tampered.sigstore.json'), artifact: join(CONFORMANCE, 'a.txt'), ...beacon }, 'failed', 'Not verified: TLOG_BODY_MISMATCH');
  await screenshots(env, 'bundle-refused');
  await verifyFiles(env, 'a wrong identity', { bundle: join(happy, 'bundle.sigstore.json'), artifact: join(CONFORMANCE, 'a.txt'), identity: 'https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main', issuer: beacon.issuer }, 'failed', 'Not verified: IDENTITY_MISMATCH');
  await verifyFiles(env, 'the wrong artifact', { bundle: join(happy, 'bundle.sigstore.json'), artifact: join(REALWORLD, 'rekor2-prod-dsse/artifact'), ...beacon }, 'failed', 'Not verified:');
  await verifyFiles(env, 'no policy is said in words that cannot be missed', { bundle: join(happy, 'bundle.sigstore.json'), artifact: join(CONFORMANCE, 'a.txt'), identity: '', issuer: '' }, 'unchecked', 'Signature valid, signer not checked against any policy');

  // Each GitHub claim of the policy takes effect: the right value verifies, another is refused.
  const npmDir = join(REALWORLD, 'npm-provenance-sigstore-2.0.0');
  const npmFiles = { bundle: join(npmDir, 'bundle.sigstore.json'), artifact: join(npmDir, 'artifact'), identity: read(npmDir, 'identity'), issuer: read(npmDir, 'issuer') };
  // And the command the page shows states the same claim: run in the folder of the files it names,
  // the CLI gives the page's verdict.
  for (const [field, right, wrong] of [['repository', 'sigstore/sigstore-js', 'sigstore/other'], ['ref', 'refs/heads/main', 'refs/heads/dev'], ['workflow', 'Release', 'Other'], ['repository-id', '495574555', '1'], ['owner-id', '71096353', '2']]) {
    await verifyFiles(env, `claim ${field}: the signer's value verifies`, { ...npmFiles, claims: { [field]: right } }, 'ok');
    await theCommandShownGivesTheSameVerdict(page, `claim ${field}, the signer's value`, { cwd: npmDir });
    await verifyFiles(env, `claim ${field}: another value is refused`, { ...npmFiles, claims: { [field]: wrong } }, 'failed', 'Not verified: EXTENSION_MISMATCH');
    await theCommandShownGivesTheSameVerdict(page, `claim ${field}, another value`, { cwd: npmDir, kind: 'failed', code: 'EXTENSION_MISMATCH' });
  }
  await verifyFiles(env, 'an identity as a regular expression', { ...npmFiles, identity: '^https://github\\.com/sigstore/sigstore-js/', identityRegexp: true }, 'ok');
  await theCommandShownGivesTheSameVerdict(page, 'an identity as a regular expression', { cwd: npmDir });
  await verifyFiles(env, 'another identity as a regular expression', { ...npmFiles, identity: '^https://github\\.com/sigstore/other/', identityRegexp: true }, 'failed', 'Not verified: IDENTITY_MISMATCH');
  await theCommandShownGivesTheSameVerdict(page, 'another identity as a regular expression', { cwd: npmDir, kind: 'failed', code: 'IDENTITY_MISMATCH' });
  await verifyFiles(env, 'no policy, for the command', { ...npmFiles, identity: '', issuer: '' }, 'unchecked', 'Signature valid, signer not checked against any policy');
  await theCommandShownGivesTheSameVerdict(page, 'no policy', { cwd: npmDir });

  // An unanchored regular expression is warned about, with the anchored form offered.
  await open(env, '#');
  await selectWay(env, 'bundle');
  await page.fill('#identity', 'github.com/sigstore-conformance');
  await page.check('#identity-regexp');
  const warning = page.locator('#identity-warning');
  check('an unanchored regexp is warned about', (await warning.isVisible()) && (await warning.textContent()).includes('^github.com/sigstore-conformance$'), await warning.textContent());
  await page.click('#identity-warning button');
  check('the anchored form is one click away', (await page.inputValue('#identity')) === '^github.com/sigstore-conformance$' && !(await warning.isVisible()), await page.inputValue('#identity'));
  await page.uncheck('#identity-regexp');
  await accessible(env, 'policy with a warning');

  step('hostile text');
  // 5. Hostile text from a bundle is rendered as text (SAN, issuer, claims, predicate).
  for (const name of ['hostile-signer', 'hostile-statement']) {
    const dir = join(FIXTURES, name);
    await verifyFiles(env, `${name}: verifies under the test root`, { bundle: join(dir, 'bundle.sigstore.json'), artifact: join(dir, 'artifact'), identity: read(dir, 'identity'), issuer: read(dir, 'issuer'), trustedRoot }, 'ok');
    await expectInert(env, name, ['<img src=x onerror=', '<script>', '<b onmouseover=']);
  }
  await screenshots(env, 'hostile-text');

  step('images');
  // 6. Images, through the page's own proxy and directly (the registry sends CORS headers).
  const keyless = world.cases.find((c) => c.name === 'legacy keyless signature with its Rekor bundle');
  const policy = { identity: keyless.options.certificateIdentity, issuer: keyless.options.certificateOidcIssuer, trustedRoot: worldRoot };
  const reference = (server, target) => target.replace('REGISTRY', host(server));
  await fetchesOneModule('an image', 'image', () => verifyImage(env, 'an image directly (CORS)', { ...policy, image: reference(registry.url, keyless.target), proxy: '' }, 'ok', 'Verified: signed by'));
  check('an image\'s signed claims are shown', (await page.textContent('#result')).includes('Signed claims') && (await page.textContent('#result')).includes('cosign container image signature'), 'no claims');
  await accessible(env, 'image result');
  await screenshots(env, 'image-verified');
  await verifyImage(env, 'an image through the proxy, behind bearer tokens, blobs on another origin', { ...policy, image: reference(token.url, keyless.target), proxy: `${worker.url}/proxy/` }, 'ok', 'Verified: signed by');
  await verifyImage(env, 'a registry without CORS, through the proxy', { ...policy, image: reference(noCors.url, keyless.target), proxy: `${worker.url}/proxy/` }, 'ok', 'Verified: signed by');
  await verifyImage(env, 'a registry without CORS and no proxy is named as such', { ...policy, image: reference(noCors.url, keyless.target), proxy: '' }, 'failed', 'Not verified: NETWORK');
  check('the CORS failure says what to do', (await page.textContent('#result')).includes('sends no CORS headers'), await page.textContent('#result'));
  const bundleCase = world.cases.find((c) => c.name === 'cosign v3 bundle through the referrers tag schema');
  await verifyImage(env, 'a cosign v3 bundle', { identity: bundleCase.options.certificateIdentity, issuer: bundleCase.options.certificateOidcIssuer, trustedRoot: worldRoot, image: reference(registry.url, bundleCase.target), proxy: '' }, 'ok', 'Verified: signed by');
  check('a cosign v3 bundle is listed with its format', (await page.textContent('#result ul.signatures')).includes('sigstore-bundle'), await page.textContent('#result ul.signatures'));
  const attested = world.cases.find((c) => c.name === 'legacy attestation of the type asked for');
  const attestationPolicy = { identity: attested.options.certificateIdentity, issuer: attested.options.certificateOidcIssuer, trustedRoot: worldRoot };
  await verifyImage(env, 'an image\'s attestations of one type', { ...attestationPolicy, image: reference(registry.url, attested.target), proxy: '', type: attested.options.predicateType }, 'ok', 'Verified: signed by');
  check('the attestations are listed as such', (await page.textContent('#result h3')).includes('attestation(s) of type'), await page.textContent('#result h3'));
  await verifyImage(env, 'an image without attestations of the type asked for', { ...attestationPolicy, image: reference(registry.url, attested.target), proxy: '', type: 'https://example.com/no-such-type' }, 'failed', 'Not verified: NO_SIGNATURES');
  const unsigned = world.cases.find((c) => c.name === 'an unsigned image');
  await verifyImage(env, 'an image with no signatures', { ...policy, image: reference(registry.url, unsigned.target), proxy: '' }, 'failed', 'Not verified: NO_SIGNATURES');
  await verifyImage(env, 'an image signed by someone else', { ...policy, identity: 'https://github.com/other/repo/.github/workflows/x.yml@refs/heads/main', image: reference(registry.url, keyless.target), proxy: '' }, 'failed', 'Not verified: NO_MATCHING_SIGNATURES');
  await screenshots(env, 'image-refused');
  const crowded = world.cases.find((c) => c.name === 'more signatures than are examined');
  await verifyImage(env, `an image with more signatures than the page examines (${crowded.expect.verified})`, { ...policy, image: reference(registry.url, crowded.target), proxy: '' }, 'ok', 'Verified: signed by');
  await measureLongTasks(page, `an image's ${crowded.expect.verified} signatures`);
  const lying = world.cases.find((c) => c.name === 'a manifest whose content is not its digest');
  await verifyImage(env, 'a lying registry (a manifest whose content is not its digest)', { ...policy, image: reference(hostile.url, lying.target), proxy: '' }, 'failed', 'Not verified: DIGEST_MISMATCH');
  await verifyImage(env, 'a registry whose error body is markup', { ...policy, image: `${host(misbehaving.url)}/hostile/app:v1`, proxy: `${worker.url}/proxy/` }, 'failed', 'Not verified: REGISTRY');
  await expectInert(env, 'a registry error body', ['<img src=x onerror=']);
  await verifyImage(env, 'a malformed reference is rendered as text', { ...policy, image: '<img src=x onerror=alert(1)>', proxy: '' }, 'failed', 'Not verified: INVALID_INPUT');
  await expectInert(env, 'a malformed reference', ['<img src=x onerror=']);

  step('Rekor');
  // 7. Rekor: by index, by UUID, by digest, each entry shown only once verified; a lying log.
  const entry = world.rekor.entries[0];
  // The lying Rekor serves some entries changed: ask it for one of those.
  const honest = new Map(world.rekor.entries.map((e) => [e.logIndex, JSON.stringify(e.entry)]));
  const lie = world.rekorLiar.entries.find((e) => honest.get(e.logIndex) !== JSON.stringify(e.entry));
  await fetchesOneModule('a Rekor entry', 'log', () => lookUp(env, 'a Rekor entry by log index', { rekor: String(entry.logIndex), rekorUrl: rekor.url, trustedRoot: worldRoot }, 'ok', 'Rekor entry verified'));
  await accessible(env, 'Rekor result');
  await screenshots(env, 'rekor-verified');
  await lookUp(env, 'a Rekor entry by UUID', { rekor: entry.uuid, rekorUrl: rekor.url, trustedRoot: worldRoot }, 'ok', 'Rekor entry verified');
  const popular = world.cases.find((c) => c.name === 'as many entries for one digest as a search reports');
  await lookUp(env, `a Rekor search that finds ${popular.expect.entries} entries`, { rekor: popular.target.digest, rekorUrl: rekor.url, trustedRoot: worldRoot }, 'ok', `${popular.expect.entries} Rekor entries verified`);
  await measureLongTasks(page, `a Rekor search of ${popular.expect.entries} entries`);
  await accessible(env, 'Rekor search result');
  await screenshots(env, 'rekor-search');
  await lookUp(env, 'a lying Rekor', { rekor: String(lie.logIndex), rekorUrl: liar.url, trustedRoot: worldRoot }, 'failed', 'Not verified:');

  step('1 GiB artifact');
  // 8. An artifact larger than the page hands over whole verifies by its digest, hashed in the
  //    page's worker as it is read; a gigabyte hashes while the page keeps answering, with a bar
  //    that moves and bounded memory, and stops when another file is chosen or Verify is pressed again.
  const large = join(ROOT, 'target/tmp/page-fixtures-large');
  await verifyFiles(env, 'a 40 MiB artifact, hashed as it streams', { bundle: join(large, 'bundle.sigstore.json'), artifact: join(large, 'artifact'), identity: read(large, 'identity'), issuer: read(large, 'issuer'), trustedRoot: join(large, 'trusted_root.json') }, 'ok', 'Verified: signed by');
  await gigabyteArtifact(env, join(scratch, 'profile'));

  // 9. Package registries: npm's provenance, PyPI's PEP 740 provenance, GitHub's attestations,
  //    served by local fixtures with the real bundles of tests/data/realworld.
  step('package registries');
  const registries = { npm: packages.url, pypi: packages.url, github: packages.url };
  const npmSigner = { identity: read(join(REALWORLD, 'npm-provenance-sigstore-2.0.0'), 'identity'), issuer: read(join(REALWORLD, 'npm-provenance-sigstore-2.0.0'), 'issuer') };
  const pypiSigner = { identity: read(pypi, 'identity'), issuer: read(pypi, 'issuer') };
  await fetchesOneModule('a package', 'packages', () => lookUpPackage(env, 'npm provenance of a package version', { subject: 'npm:sigstore@2.0.0', registries, ...npmSigner }, 'ok', 'Verified: signed by https://github.com/sigstore/sigstore-js/'));
  await accessible(env, 'package result');
  await screenshots(env, 'package-verified');
  await theCommandShownGivesTheSameVerdict(page, 'npm provenance');
  await lookUpPackage(env, 'npm: an attestation of another tarball', { subject: 'npm:sigstore@2.0.1', registries, ...npmSigner }, 'failed', 'Not verified: NO_MATCHING_SIGNATURES');
  check('npm: the refused attestation says why', (await page.textContent('#result ul.signatures')).includes('ARTIFACT_MISMATCH'), await page.textContent('#result ul.signatures'));
  await lookUpPackage(env, 'npm: a package with no attestations', { subject: 'npm:left-pad@1.3.0', registries, ...npmSigner }, 'failed', 'Not verified:');
  await lookUpPackage(env, 'PyPI provenance of each file of a release', { subject: 'pypi:pypi-attestation-models==0.0.4a2', registries, ...pypiSigner }, 'ok', 'Verified: signed by https://github.com/trailofbits/');
  await lookUpPackage(env, 'GitHub attestations of a digest', { subject: `github:trailofbits/pypi-attestation-models@${packages.sdistDigest}`, registries, ...pypiSigner }, 'ok', 'Verified: signed by');
  await lookUpPackage(env, 'GitHub: the wrong signer', { subject: `github:trailofbits/pypi-attestation-models@${packages.sdistDigest}`, registries, ...npmSigner }, 'failed', 'Not verified: NO_MATCHING_SIGNATURES');
  await lookUpPackage(env, 'a subject that is none', { subject: 'npm:../../etc@1', registries, ...npmSigner }, 'failed', 'Not verified: INVALID_INPUT');

  check('no dialog was opened by any page content', dialogs.length === 0, dialogs.join(', '));
  check('no script error on the page', !browserLog.some((l) => l.startsWith('pageerror')), browserLog.filter((l) => l.startsWith('pageerror')).join('; '));
} catch (e) {
  check('the runner runs to its end', false, String(e?.stack ?? e));
} finally {
  await context?.close().catch(() => {});
  for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => {});
  rmSync(scratch, { recursive: true, force: true });
}

if (failures() && browserLog.length) console.log(`browser log (last 20):\n  ${browserLog.slice(-20).join('\n  ')}`);
await finish();

// ---------------------------------------------------------------------------------------------

function read(dir, file) {
  return readFileSync(join(dir, file), 'utf8').trim();
}

/** A fresh load of the page (a new query: a changed fragment alone would not reload it). */
async function open({ page, origin }, fragment) {
  await page.goto(`${origin}/?visit=${++visits}${fragment}`);
  await page.waitForFunction(() => document.querySelectorAll('#sample option').length > 1);
}

async function selectWay({ page }, way) {
  await page.click(`#tab-${way}`);
}

async function fillPolicy({ page }, { identity = '', issuer = '', identityRegexp = false, trustedRoot, claims = {} }) {
  await page.fill('#identity', identity);
  await page.fill('#issuer', issuer);
  await page.setChecked('#identity-regexp', identityRegexp);
  if (Object.keys(claims).length) await page.click('#policy summary');
  for (const [field, value] of Object.entries(claims)) await page.fill(`#${field}`, value);
  await page.selectOption('#root', trustedRoot ? 'custom' : 'production');
  if (trustedRoot) await page.setInputFiles('#root-file', trustedRoot);
}

async function submit({ page }) {
  await page.evaluate(() => document.getElementById('result').replaceChildren());
  await page.click('#verify');
}

async function expectVerdict({ page }, name, kind, text) {
  try {
    const verdict = page.locator('#result h2.verdict');
    await verdict.waitFor({ timeout: VERDICT_TIMEOUT_MS });
    const [classes, shown] = [await verdict.getAttribute('class'), await verdict.textContent()];
    const message = await page.evaluate(() => document.querySelector('#result .message')?.textContent ?? '');
    check(name, classes.split(' ').includes(kind) && (!text || shown.includes(text)), `${classes}: ${shown} (${message})`);
    // A refusal says what to do about it, not only what failed.
    if (kind === 'failed') {
      const hint = await page.evaluate(() => document.querySelector('#result .hint')?.textContent ?? '');
      check(`${name}: the refusal says what to do`, hint.length > 20, `no hint under "${shown}"`);
    }
  } catch (e) {
    check(name, false, `no verdict: ${e.message.split('\n')[0]}`);
  }
}

async function verifyFiles(env, name, { bundle, artifact, digest, identity, issuer, identityRegexp, trustedRoot, claims }, kind, text) {
  const { page } = env;
  await open(env, '#');
  await selectWay(env, 'bundle');
  await page.setInputFiles('#bundle-file', bundle);
  if (artifact) await page.setInputFiles('#artifact-file', artifact);
  await page.fill('#digest', digest ?? '');
  await fillPolicy(env, { identity, issuer, identityRegexp, trustedRoot, claims });
  await submit(env);
  await expectVerdict(env, name, kind, text);
}

/** Drops the two files on the drop zone at once, as a person drags them from a file manager. */
async function dropFiles(env, name, { bundle, artifact, identity, issuer }, kind, text) {
  const { page } = env;
  await open(env, '#');
  await selectWay(env, 'bundle');
  await page.evaluate(
    ({ bundleText, artifactBytes }) => {
      const transfer = new DataTransfer();
      // The artifact first: the page tells them apart by content, not by order.
      transfer.items.add(new File([Uint8Array.from(artifactBytes)], 'the-artifact'));
      transfer.items.add(new File([bundleText], 'the-bundle.sigstore.json', { type: 'application/json' }));
      document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    { bundleText: readFileSync(bundle, 'utf8'), artifactBytes: [...readFileSync(artifact)] },
  );
  await page.waitForFunction(() => document.getElementById('bundle-file').files.length === 1 && document.getElementById('artifact-file').files.length === 1);
  const names = await page.evaluate(() => [document.getElementById('bundle-file').files[0].name, document.getElementById('artifact-file').files[0].name]);
  check(`${name}: each file lands in its place`, names[0] === 'the-bundle.sigstore.json' && names[1] === 'the-artifact', names.join(', '));
  await fillPolicy(env, { identity, issuer });
  await submit(env);
  await expectVerdict(env, name, kind, text);
}

async function verifyImage(env, name, { image, proxy, type = '', ...policy }, kind, text) {
  const { page } = env;
  await open(env, '#');
  await selectWay(env, 'image');
  await page.fill('#image', image);
  await page.fill('#proxy', proxy);
  await page.fill('#attestation-type', type);
  await fillPolicy(env, policy);
  await submit(env);
  await expectVerdict(env, name, kind, text);
}

async function lookUp(env, name, { rekor, rekorUrl, trustedRoot }, kind, text) {
  const { page } = env;
  await open(env, '#');
  await selectWay(env, 'rekor');
  await page.fill('#rekor', rekor);
  await page.fill('#rekor-url', rekorUrl);
  await fillPolicy(env, { trustedRoot });
  await submit(env);
  await expectVerdict(env, name, kind, text);
}

/**
 * Runs the CLI command the page shows (`npx sigstore-wasm ...`, as POSIX words) with the built CLI,
 * in `cwd`, where the files it names are: the CLI's verdict must be the page's (`kind` and the
 * code the page showed), so that the command checks exactly the policy the page applied.
 */
async function theCommandShownGivesTheSameVerdict(page, name, { cwd = ROOT, kind = 'ok', code } = {}) {
  const shown = await page.textContent('#result pre.command');
  const words = [...shown.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replaceAll("'\\''", "'") : m[2]));
  const ok = words[0] === 'npx' && words[1] === 'sigstore-wasm';
  const run = await runProcess(process.execPath, [join(ROOT, 'pkg/cli.js'), ...words.slice(2), '--output', 'json'], { cwd });
  const [status, out] = [run.status, run.stdout + run.stderr];
  const same = kind === 'failed' ? status === 1 && out.includes(code) : status === 0;
  check(`${name}: the CLI command the page shows gives the same verdict`, ok && same, `${shown} -> exit ${status}: ${out.slice(0, 300)}`);
}

async function lookUpPackage(env, name, { subject, registries, identity, issuer }, kind, text) {
  const { page } = env;
  await open(env, '#');
  await selectWay(env, 'package');
  await page.fill('#package', subject);
  await page.click('#panel-package summary');
  await page.fill('#npm-registry', registries.npm);
  await page.fill('#pypi-url', registries.pypi);
  await page.fill('#github-api-url', registries.github);
  await fillPolicy(env, { identity, issuer });
  await submit(env);
  await expectVerdict(env, name, kind, text);
}

/** The hostile strings are in the page as text, and no element or script came of them. */
async function expectInert({ page }, name, needles) {
  const { text, injected, xss } = await page.evaluate(() => ({
    text: document.getElementById('result').textContent,
    injected: document.querySelectorAll('#result img, #result script, #result svg, #result b, #result [onerror], #result [onload], #result [onmouseover]').length,
    xss: window.__xss ?? null,
  }));
  check(`${name}: hostile text is shown as text`, needles.some((n) => text.includes(n)), text.slice(0, 200));
  check(`${name}: no element or script came of it`, injected === 0 && xss === null, `${injected} injected elements, window.__xss = ${xss}`);
}

/** axe-core finds no serious or critical violation on the screen as it is. */
async function accessible({ page, axeSource }, screen) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length}): ${v.help}`));
  check(`axe: ${screen}`, violations.length === 0, violations.join('; '));
}

async function screenshots({ page }, name) {
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`) });
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(`${name}: fits a phone's width`, overflow <= 0, `${overflow} px wider than the screen`);
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1200, height: 900 });
}

/**
 * A gigabyte (of zeros, sparse on disk) attested by the private instance: while the page's worker
 * hashes it, the page answers at once and the bar moves; the page's memory stays far below the
 * file's size; it verifies by its digest. Then the same hash stopped twice: by choosing another
 * file, and by pressing Verify again, whose check runs to its own verdict.
 */
async function gigabyteArtifact(env, profile) {
  const { page } = env;
  const dir = join(ROOT, 'target/tmp/page-fixtures-gigabyte');
  const path = join(scratch, 'large.bin');
  const fd = openSync(path, 'w');
  ftruncateSync(fd, Number(read(dir, 'bytes')));
  closeSync(fd);
  const inputs = { bundle: join(dir, 'bundle.sigstore.json'), artifact: path, identity: read(dir, 'identity'), issuer: read(dir, 'issuer'), trustedRoot: join(dir, 'trusted_root.json') };

  await fillFiles(env, inputs);
  const before = rendererMemory(profile);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const busyBefore = await mainThreadBusy(cdp);
  await submit(env);
  const samples = await watchHashing(page, profile);
  const busy = (await mainThreadBusy(cdp)) - busyBefore;
  await cdp.detach();
  const seconds = (samples.at(-1).at - samples[0].at) / 1000;
  const during = samples.filter((s) => s.fraction > 0 && s.fraction < 1);
  check('1 GiB artifact: the bar shows how far the hash has got', during.length >= 3, `bar values seen: ${JSON.stringify(samples.map((s) => s.fraction))}`);
  // The page's main thread only renders: a frame comes at once, however long the hash takes. A
  // main thread busy hashing would answer once the file is done (seconds), or in bursts.
  // How long a frame takes to come depends on how the browser schedules reads, and on the machine;
  // how much of the time the main thread is busy does not: hashing there keeps it busy throughout.
  check('1 GiB artifact: the page\'s main thread is idle most of the time while the file is hashed', busy < seconds / 2, `busy ${busy.toFixed(1)} s of ${seconds.toFixed(1)} s`);
  const frames = during.map((s) => Math.round(s.roundTripMs));
  const prompt = frames.filter((ms) => ms < 100).length;
  check('1 GiB artifact: the page answers while it hashes (animation frames within 100 ms, none later than 1 s)', frames.length > 0 && prompt >= 0.9 * frames.length && Math.max(...frames) < 1000, `animation frames came after ${JSON.stringify(frames)} ms`);
  const peak = Math.max(...samples.map((s) => s.memory)) - before;
  check('1 GiB artifact: the page\'s memory stays far below the file\'s size', peak < 512 << 20, `the renderer grew by ${peak >> 20} MiB`);
  await expectVerdict(env, '1 GiB artifact: verified by its digest, hashed in the page\'s worker', 'ok', 'Verified: signed by');
  console.log(`    measured: 1 GiB hashed in the page's worker in ${seconds.toFixed(1)} s, the main thread busy ${busy.toFixed(1)} s of it; animation frames meanwhile after ${Math.min(...frames)} to ${Math.max(...frames)} ms; renderer memory +${peak >> 20} MiB`);

  // The CLI verifies the same file the same way: hashed as it is read, never held.
  const cli = await runProcess(process.execPath, ['--import', `data:text/javascript,process.on('exit', () => process.stderr.write('peak ' + process.resourceUsage().maxRSS))`, join(ROOT, 'pkg/cli.js'), 'verify-bundle', '--bundle', inputs.bundle, '--trusted-root', inputs.trustedRoot, '--certificate-identity', inputs.identity, '--certificate-oidc-issuer', inputs.issuer, path]);
  const cliPeak = Number(/peak (\d+)/.exec(cli.stderr)?.[1]) * 1024;
  check('1 GiB artifact: the CLI verifies it too, holding far less than the file in memory', cli.status === 0 && cliPeak < 512 << 20, `exit ${cli.status}, peak RSS ${cliPeak >> 20} MiB: ${cli.stdout.slice(0, 200)} ${cli.stderr.slice(0, 300)}`);

  // Another file chosen while it hashes: the worker is stopped, and the page says so.
  await fillFiles(env, inputs);
  const first = hashingWorker(page);
  await submit(env);
  await hashed(page);
  await page.screenshot({ path: join(SHOTS, 'bundle-hashing-desktop.png') });
  const stopped = closes(await first);
  await page.setInputFiles('#artifact-file', join(CONFORMANCE, 'a.txt'));
  check('1 GiB artifact: choosing another file stops the hash', await stopped, 'the hashing worker still runs');
  check('1 GiB artifact: the page says it stopped', (await page.textContent('#progress-text')).startsWith('Stopped: another artifact was chosen'), await page.textContent('#progress-text'));
  await page.screenshot({ path: join(SHOTS, 'bundle-stopped-desktop.png') });
  await page.click('#verify');
  await expectVerdict(env, '1 GiB artifact: the file chosen instead is the one checked', 'failed', 'Not verified: ARTIFACT_MISMATCH');

  // Verify pressed again while it hashes: the first hash stops, the second runs to its verdict.
  await fillFiles(env, inputs);
  const one = hashingWorker(page);
  await submit(env);
  await hashed(page);
  const oneStopped = closes(await one);
  await page.click('#verify');
  check('1 GiB artifact: pressing Verify again stops the running hash', await oneStopped, 'the first hashing worker still runs');
  await expectVerdict(env, '1 GiB artifact: the check started again runs to its verdict', 'ok', 'Verified: signed by');
  check('1 GiB artifact: one verdict is shown, not two', (await page.locator('#result h2.verdict').count()) === 1, `${await page.locator('#result h2.verdict').count()} verdicts`);
}

/** Prints the longest task the page's main thread ran since it loaded (none under 50 ms is recorded). */
async function measureLongTasks(page, what) {
  const tasks = await page.evaluate(() => window.__longTasks);
  console.log(`    measured: ${what}: ${tasks.length} main-thread task(s) over 50 ms${tasks.length ? `, the longest ${Math.round(Math.max(...tasks))} ms` : ''}`);
}

/** Opens the page and fills in the bundle way with files: the bundle, the artifact, the policy. */
async function fillFiles(env, { bundle, artifact, identity, issuer, trustedRoot }) {
  const { page } = env;
  await open(env, '#');
  await selectWay(env, 'bundle');
  await page.setInputFiles('#bundle-file', bundle);
  await page.setInputFiles('#artifact-file', artifact);
  await page.fill('#digest', '');
  await fillPolicy(env, { identity, issuer, trustedRoot });
}

/** Seconds the page's main thread has spent running tasks (Chromium's TaskDuration metric), from a session that enabled them. */
async function mainThreadBusy(cdp) {
  return (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
}

/** The next worker the page starts (its hashing worker), or null when it starts none within 30 s. */
function hashingWorker(page) {
  return page.waitForEvent('worker', { timeout: 30_000 }).catch(() => null);
}

/** Whether `worker` ends within 10 s. */
function closes(worker) {
  return worker ? worker.waitForEvent('close', { timeout: 10_000 }).then(() => true, () => false) : Promise.resolve(false);
}

/** Waits until the bar shows that some of the file is hashed. */
async function hashed(page) {
  await page.waitForFunction(() => !document.getElementById('progress').hidden && document.getElementById('progress').value > 0, null, { timeout: VERDICT_TIMEOUT_MS });
}

/**
 * Samples the page until its verdict shows: how far the bar is, how long the page takes to answer
 * with an animation frame (from the test's request to the answer), and the renderer's memory.
 */
async function watchHashing(page, profile) {
  const samples = [];
  const deadline = Date.now() + 240_000;
  for (let done = false; !done && Date.now() < deadline; ) {
    const asked = performance.now();
    const state = await page.evaluate(
      () =>
        new Promise((answer) => {
          const bar = document.getElementById('progress');
          requestAnimationFrame(() => answer({ fraction: bar.hidden ? null : bar.value, done: Boolean(document.querySelector('#result h2.verdict')) }));
        }),
    );
    done = state.done;
    samples.push({ fraction: state.fraction, roundTripMs: performance.now() - asked, memory: rendererMemory(profile), at: Date.now() });
    await new Promise((r) => setTimeout(r, 50));
  }
  return samples;
}

/** What the proxy refuses, asked directly. */
async function proxyRefusals(origin, { registry, misbehaving }) {
  const ask = (path, init) => fetch(`${origin}/proxy/${path}`, { redirect: 'manual', ...init });
  const good = await ask(`${registry}/v2/`);
  check('proxy: a registry API request is forwarded, with CORS headers', good.status === 200 && good.headers.get('access-control-allow-origin') === '*', `${good.status}`);
  for (const [name, path, init, status] of [
    ['another host', 'https://evil.example/v2/', {}, 403],
    ['a private address', 'https://10.0.0.1/v2/', {}, 403],
    ['a link-local address', 'https://169.254.169.254/latest/meta-data/', {}, 403],
    ['an IPv6 unique-local address', 'https://[fd00::1]/v2/', {}, 403],
    ['a path outside the registry API', `${registry}/debug/vars`, {}, 403],
    ['POST', `${registry}/v2/`, { method: 'POST' }, 405],
    ['DELETE', `${registry}/v2/`, { method: 'DELETE' }, 405],
    ['a URL that is not one', 'not a url', {}, 400],
  ]) {
    const answer = await ask(path, init);
    check(`proxy refuses ${name}`, answer.status === status, `${answer.status}, want ${status}: ${await answer.text()}`);
  }
  const preflight = await ask(`${registry}/v2/`, { method: 'OPTIONS' });
  check('proxy answers a preflight itself', preflight.status === 204 && preflight.headers.get('access-control-allow-methods') === 'GET, HEAD', `${preflight.status}`);
  const off = await ask(`${misbehaving}/v2/x/blobs/sha256:00`);
  check('proxy refuses a redirect off the registry', off.status === 502 && (await off.text()).includes('not its blob storage'), `${off.status}`);
  const huge = await ask(`${misbehaving}/v2/x/manifests/huge`);
  check('proxy refuses an oversized answer', huge.status === 502 && (await huge.text()).includes('larger than'), `${huge.status}`);
}

/**
 * A listed registry that misbehaves: its blobs redirect off the registry, one manifest announces
 * 100 MiB, and the repository `hostile` answers with markup for an error.
 */
async function startMisbehavingRegistry() {
  const server = createServer((req, res) => {
    if (req.url.startsWith('/v2/hostile/')) {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<img src=x onerror="window.__xss=\'registry\'">internal error');
      return;
    }
    if (req.url.includes('/blobs/')) {
      res.writeHead(307, { location: 'http://127.0.0.2:9/elsewhere' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': String(100 << 20) });
    res.write('{');
    setTimeout(() => res.destroy(), 1_000);
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => server.close() };
}
